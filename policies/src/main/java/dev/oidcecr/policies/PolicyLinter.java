package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.LintEngine;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds mistakes in a policy for a given {@link PolicyKind}: IAM grammar errors and the OIDC trust
 * mistakes that let the wrong workspaces in or keep the right ones out. See {@link LintRule} for
 * the rules.
 *
 * <pre>{@code
 * List<Finding> findings = PolicyLinter.create().lint(trustPolicyJson, PolicyKind.TRUST);
 * if (Finding.hasErrors(findings)) {
 *   findings.forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PolicyLinter {

  /** IAM's default trust policy quota (adjustable up to 4096). */
  public static final int DEFAULT_TRUST_POLICY_QUOTA = 2048;
  /** IAM's quota for a role's inline policies. */
  public static final int DEFAULT_IDENTITY_POLICY_QUOTA = 10240;
  /** ECR's repository policy quota. */
  public static final int DEFAULT_REPOSITORY_POLICY_QUOTA = 10240;

  private final int trustQuota;
  private final int identityQuota;
  private final int repositoryQuota;
  private final Set<String> suppressed;

  private PolicyLinter(Builder b) {
    this.trustQuota = b.trustQuota;
    this.identityQuota = b.identityQuota;
    this.repositoryQuota = b.repositoryQuota;
    this.suppressed = Set.copyOf(b.suppressed);
  }

  /**
   * Returns a linter with IAM's and ECR's default quotas and every rule on.
   *
   * @return a linter with IAM's and ECR's default quotas and every rule on
   */
  public static PolicyLinter create() {
    return builder().build();
  }

  /**
   * Returns a builder for a linter with other quotas or suppressed rules.
   *
   * @return a builder for a linter with other quotas or suppressed rules
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the findings for the policy used as the given kind, in document order.
   *
   * @param policy the policy document
   * @param kind where the document is attached (trust, permission or repository policy),
   *     which decides the rules that apply
   * @return the findings for the policy used as the given kind, in document order
   */
  public List<Finding> lint(PolicyDocument policy, PolicyKind kind) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(kind, "kind");
    int quota = switch (kind) {
      case TRUST -> trustQuota;
      case IDENTITY -> identityQuota;
      case REPOSITORY -> repositoryQuota;
    };
    return filter(LintEngine.lint(policy, kind, quota));
  }

  /**
   * Parses the JSON and returns its findings; text that does not parse gives one
   * {@link LintRule#PARSE_ERROR} finding located at the offending JSON pointer.
   *
   * @param json the JSON text
   * @param kind where the document is attached (trust, permission or repository policy),
   *     which decides the rules that apply
   * @return the findings in document order; empty when the policy is clean
   */
  public List<Finding> lint(String json, PolicyKind kind) {
    Objects.requireNonNull(json, "json");
    PolicyDocument policy;
    try {
      policy = PolicyDocument.parse(json);
    } catch (PolicyParseException e) {
      return filter(List.of(Finding.of(LintRule.PARSE_ERROR, e.pointer(), e.getMessage(),
          "Correct the element at " + (e.pointer().isEmpty() ? "the top level" : e.pointer())
              + " so that the document follows the IAM policy grammar.")));
    }
    return lint(policy, kind);
  }

  private List<Finding> filter(List<Finding> findings) {
    if (suppressed.isEmpty()) {
      return findings;
    }
    return findings.stream().filter(f -> !suppressed.contains(f.id())).toList();
  }

  /** Configures a {@link PolicyLinter}. */
  public static final class Builder {
    private int trustQuota = DEFAULT_TRUST_POLICY_QUOTA;
    private int identityQuota = DEFAULT_IDENTITY_POLICY_QUOTA;
    private int repositoryQuota = DEFAULT_REPOSITORY_POLICY_QUOTA;
    private final Set<String> suppressed = new TreeSet<>();

    Builder() {}

    /**
     * Sets the trust policy quota in characters without whitespace: 2048 by default, up to 4096
     * after a quota increase.
     *
     * @param characters the trust policy quota in characters without whitespace: 2048 by default, up to 4096 after a quota increase
     * @return this builder
     */
    public Builder trustPolicyQuota(int characters) {
      this.trustQuota = positive(characters);
      return this;
    }

    /**
     * Sets the identity policy quota (10240 by default, the limit for inline role policies).
     *
     * @param characters the identity policy quota (10240 by default, the limit for inline role policies)
     * @return this builder
     */
    public Builder identityPolicyQuota(int characters) {
      this.identityQuota = positive(characters);
      return this;
    }

    /**
     * Sets the repository policy quota (10240 by default).
     *
     * @param characters the repository policy quota (10240 by default)
     * @return this builder
     */
    public Builder repositoryPolicyQuota(int characters) {
      this.repositoryQuota = positive(characters);
      return this;
    }

    /**
     * Turns off the given rules.
     *
     * @param rules the rules to turn off
     * @return this builder
     */
    public Builder suppress(LintRule... rules) {
      Arrays.stream(rules).map(LintRule::id).forEach(suppressed::add);
      return this;
    }

    /**
     * Returns the linter.
     *
     * @return the linter
     */
    public PolicyLinter build() {
      return new PolicyLinter(this);
    }

    private static int positive(int characters) {
      if (characters <= 0) {
        throw new PolicyException("A policy quota must be positive, not " + characters);
      }
      return characters;
    }
  }
}
