package dev.oidcecr.core;

import dev.oidcecr.core.internal.LineDiff;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.internal.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One change that {@link AwsSetup} plans or made: what kind, on which resource, and for policies
 * the document before and after.
 */
@Value.Immutable
@ValueStyle
public abstract class SetupChange {

  /** The kinds of change, in the order a plan applies them. */
  public enum Kind {
    /** Creates the IAM OIDC identity provider for the installation's issuer. */
    CREATE_PROVIDER,
    /** Adds the audience to an existing provider's client ids. */
    ADD_CLIENT_ID,
    /** Creates the role with its trust policy. */
    CREATE_ROLE,
    /** Replaces the trust policy of an existing role. */
    UPDATE_TRUST_POLICY,
    /** Changes the role's maximum session duration. */
    UPDATE_MAX_SESSION_DURATION,
    /** Creates or replaces the role's inline permission policy. */
    PUT_INLINE_POLICY,
    /** Sets a repository policy on a repository that has none. */
    SET_REPOSITORY_POLICY,
    /** Merges statements (by Sid) into a repository's existing policy, keeping the others. */
    MERGE_REPOSITORY_POLICY
  }

  SetupChange() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the kind of change.
   *
   * @return the kind of change
   */
  public abstract Kind kind();

  /**
   * Returns the ARN of the resource changed (provider, role or repository).
   *
   * @return the ARN of the resource changed (provider, role or repository)
   */
  public abstract String resourceArn();

  /**
   * Returns a one-line summary, such as {@code MaxSessionDuration 3600s -> 7200s}.
   *
   * @return a one-line summary, such as {@code MaxSessionDuration 3600s -> 7200s}
   */
  public abstract String summary();

  /**
   * Returns the policy before the change, when the change is about a policy that existed.
   *
   * @return the policy before the change, when the change is about a policy that existed
   */
  public abstract Optional<PolicyDocument> before();

  /**
   * Returns the policy after the change, when the change is about a policy.
   *
   * @return the policy after the change, when the change is about a policy
   */
  public abstract Optional<PolicyDocument> after();

  /**
   * Renders the change for a terminal: kind, resource, summary and, for policies, a line diff of
   * the pretty JSON ({@code -} removed, {@code +} added).
   *
   * @return the text, ready to print
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(kind()).append(' ').append(resourceArn()).append('\n');
    out.append("    ").append(summary()).append('\n');
    if (after().isPresent()) {
      String beforeJson = before().map(PolicyDocument::toPrettyJson).orElse("");
      for (String line : LineDiff.diff(beforeJson, after().get().toPrettyJson())) {
        out.append("    ").append(line).append('\n');
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Builds a {@link SetupChange}. */
  public static final class Builder extends ImmutableSetupChange.Builder {
    Builder() {}
  }
}
