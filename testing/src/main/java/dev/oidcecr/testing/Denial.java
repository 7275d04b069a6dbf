package dev.oidcecr.testing;

import java.time.Instant;

/**
 * A call the fake refused for lack of permission, with the policy evaluator's explanation. AWS
 * never sends this explanation on the wire; the fake keeps it so that a test can show why.
 *
 * @param time when the call was refused
 * @param operation the AWS operation or registry request, such as {@code AssumeRoleWithWebIdentity}
 * @param caller the ARN of the caller, or the provider ARN for a web identity
 * @param action the IAM action evaluated, such as {@code sts:AssumeRoleWithWebIdentity}
 * @param resource the resource ARN evaluated
 * @param explanation which statements and conditions matched, what each expected and what the
 *     request had
 */
public record Denial(Instant time, String operation, String caller, String action,
    String resource, String explanation) {

  /** Returns the operation, action and explanation on several lines. */
  @Override
  public String toString() {
    return operation + " refused: " + caller + " may not " + action + " on " + resource + "\n"
        + explanation;
  }
}
