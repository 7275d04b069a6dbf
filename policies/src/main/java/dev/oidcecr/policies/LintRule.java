package dev.oidcecr.policies;

import dev.oidcecr.policies.Finding.Severity;

/**
 * The rules of the {@link PolicyLinter}. A rule's {@link #id()} is its name and never changes, so
 * that tools can filter or suppress findings by id.
 */
public enum LintRule {
  /** The text is not a policy IAM would accept (syntax, unknown element, wrong type, ...). */
  PARSE_ERROR(Severity.ERROR, "the policy cannot be parsed"),
  /** No {@code Version}: IAM assumes 2008-10-17, where policy variables are not replaced. */
  VERSION_MISSING(Severity.WARNING, "no Version element"),
  /** A {@code Version} other than 2012-10-17 or 2008-10-17. */
  VERSION_INVALID(Severity.ERROR, "Version is not a policy language version"),
  /** The legacy version 2008-10-17. */
  VERSION_LEGACY(Severity.SUGGESTION, "Version is the legacy 2008-10-17"),
  /** A policy without statements. */
  NO_STATEMENTS(Severity.ERROR, "the policy has no statement"),
  /** A Sid with characters other than ASCII letters and digits. */
  SID_INVALID(Severity.ERROR, "Sid has characters other than letters and digits"),
  /** Two statements with the same Sid. */
  SID_DUPLICATE(Severity.ERROR, "two statements have the same Sid"),
  /** Principal or NotPrincipal in an identity policy. */
  PRINCIPAL_NOT_ALLOWED(Severity.ERROR, "Principal in an identity policy"),
  /** No Principal in a trust or repository policy. */
  PRINCIPAL_MISSING(Severity.ERROR, "no Principal in a resource-based policy"),
  /** NotPrincipal with Allow: grants everybody else, anonymous callers included. */
  NOT_PRINCIPAL_WITH_ALLOW(Severity.WARNING, "NotPrincipal with Allow"),
  /** Resource or NotResource in a trust or repository policy. */
  RESOURCE_NOT_ALLOWED(Severity.ERROR, "Resource in a trust or repository policy"),
  /** No Resource in an identity policy. */
  RESOURCE_MISSING(Severity.ERROR, "no Resource in an identity policy"),
  /** Neither Action nor NotAction. */
  ACTION_MISSING(Severity.ERROR, "no Action"),
  /** A condition key without values. */
  CONDITION_NO_VALUES(Severity.ERROR, "a condition has no value"),
  /** {@code NullIfExists}, which IAM rejects. */
  NULL_WITH_IF_EXISTS(Severity.ERROR, "Null operator with IfExists"),
  /** {@code *} or {@code ?} in a value of StringEquals and friends, where they are literal. */
  WILDCARD_WITHOUT_LIKE(Severity.WARNING, "wildcard in a value of a non-Like operator"),
  /** {@code ForAllValues:} in an Allow statement: true when the key is missing. */
  FOR_ALL_VALUES_WITH_ALLOW(Severity.WARNING, "ForAllValues with Allow"),
  /** The policy is over IAM's or ECR's size quota (whitespace not counted). */
  POLICY_TOO_LARGE(Severity.ERROR, "policy over the size quota"),
  /** Principal {@code *} in a trust policy: anyone may assume the role. */
  TRUST_PRINCIPAL_WILDCARD(Severity.ERROR, "Principal * in a trust policy"),
  /** A Federated principal that is not an IAM OIDC provider ARN. */
  TRUST_FEDERATED_NOT_OIDC_PROVIDER(Severity.ERROR, "Federated principal is not an OIDC provider"),
  /** An action that does not go with the principal (such as sts:AssumeRole for a provider). */
  TRUST_ACTION_MISMATCH(Severity.ERROR, "action does not match the principal"),
  /**
   * No sub condition: any token of the provider may assume the role; for an issuer on AWS's
   * list of shared providers (GitHub Actions, gitlab.com, Buildkite) IAM refuses the policy.
   */
  TRUST_NO_SUB_CONDITION(Severity.ERROR, "no sub condition"),
  /** No aud condition. */
  TRUST_NO_AUD_CONDITION(Severity.WARNING, "no aud condition"),
  /** A sub pattern that is only wildcards. */
  TRUST_SUB_WILDCARD_ALL(Severity.ERROR, "sub matches everything"),
  /** A sub wildcard inside a name, such as {@code https://github.com/acme/app*}. */
  TRUST_SUB_MATCHES_SIBLINGS(Severity.ERROR, "sub wildcard also matches sibling repositories"),
  /** A sub wildcard in the host or owner part: any host or any owner. */
  TRUST_SUB_TOO_BROAD(Severity.ERROR, "sub wildcard covers other hosts or owners"),
  /**
   * A sub value that can never match a subject of the provider's issuer (by its profile's
   * grammar: a context URL for Gitpod, {@code repo:...} for GitHub Actions, ...).
   */
  TRUST_SUB_NEVER_MATCHES(Severity.ERROR, "sub can never match a subject of the issuer"),
  /** A sub wildcard standing for every repository or project of one owner or organization. */
  TRUST_SUB_ORG_WIDE(Severity.WARNING, "sub wildcard covers a whole organization"),
  /** A sub value that matches only an older token version's subjects (Ona V2, not V3). */
  TRUST_SUB_OTHER_TOKEN_VERSION(Severity.WARNING, "sub matches only another token version"),
  /** Upper-case letters in names the issuer writes as spelled and IAM compares exactly. */
  TRUST_SUB_CASE_SENSITIVE(Severity.SUGGESTION, "sub names are compared case-sensitively"),
  /** ForAllValues on a provider's sub or aud: vacuously true, and sub is single-valued. */
  TRUST_FOR_ALL_VALUES_ON_CLAIM(Severity.ERROR, "ForAllValues on the provider's sub or aud"),
  /** A condition key of an OIDC provider other than the statement's principal. */
  TRUST_CONDITION_KEY_OTHER_PROVIDER(Severity.ERROR, "condition key of another provider"),
  /** Principal {@code *} without conditions in a repository policy. */
  REPOSITORY_PUBLIC(Severity.ERROR, "repository open to every AWS principal");

  private final Severity defaultSeverity;
  private final String summary;

  LintRule(Severity defaultSeverity, String summary) {
    this.defaultSeverity = defaultSeverity;
    this.summary = summary;
  }

  /**
   * Returns the stable id, the constant's name, such as {@code TRUST_NO_SUB_CONDITION}.
   *
   * @return the stable id, the constant's name, such as {@code TRUST_NO_SUB_CONDITION}
   */
  public String id() {
    return name();
  }

  /**
   * Returns the severity the rule usually reports with.
   *
   * @return the severity the rule usually reports with
   */
  public Severity defaultSeverity() {
    return defaultSeverity;
  }

  /**
   * Returns a few words describing what the rule finds.
   *
   * @return a few words describing what the rule finds
   */
  public String summary() {
    return summary;
  }
}
