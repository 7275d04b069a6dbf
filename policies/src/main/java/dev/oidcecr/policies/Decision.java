package dev.oidcecr.policies;

/** The outcome of evaluating a request against a policy. */
public enum Decision {
  /** At least one Allow statement matched and no Deny statement did. */
  ALLOWED,
  /** A Deny statement matched: nothing else can allow the request. */
  EXPLICIT_DENY,
  /** No statement allowed the request. */
  IMPLICIT_DENY
}
