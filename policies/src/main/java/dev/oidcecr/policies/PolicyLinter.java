package dev.oidcecr.policies;

import java.util.List;

/**
 * Finds mistakes in a policy for a given {@link PolicyKind}: IAM grammar errors and the OIDC trust
 * mistakes that let the wrong workspaces in or keep the right ones out.
 *
 * <p>CONTRACT: {@code PolicyLinter.create()} (or {@code builder()} with options such as the trust
 * policy quota), {@code lint(PolicyDocument, PolicyKind)} and {@code lint(String json,
 * PolicyKind)} (a parse error becomes an ERROR finding) returning {@code List<Finding>};
 * {@code Finding} has {@code id()}, {@code severity()}, {@code location()}, {@code message()},
 * {@code fix()}.
 */
public final class PolicyLinter {
  private PolicyLinter() {}

  /** Returns a linter with default quotas. */
  public static PolicyLinter create() {
    return new PolicyLinter();
  }

  /** Returns the findings for the policy used as the given kind. */
  public List<Finding> lint(PolicyDocument policy, PolicyKind kind) {
    throw new UnsupportedOperationException("TODO");
  }
}
