package dev.oidcecr.policies;

/** Where a policy document is attached, which decides the elements it may and must have. */
public enum PolicyKind {
  /** A role's trust policy ({@code AssumeRolePolicyDocument}): needs a Principal, has no Resource. */
  TRUST,
  /** An identity policy attached to a role, user or group: no Principal, needs a Resource. */
  IDENTITY,
  /** An ECR repository policy: needs a Principal, ECR rejects a Resource element. */
  REPOSITORY
}
