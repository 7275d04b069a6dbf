package dev.oidcecr.testing.internal;

import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.Effect;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * IAM's identity-provider controls for shared OIDC providers: a role trusting an issuer that
 * many AWS customers share must check the claim that names the customer, or {@code CreateRole}
 * and {@code UpdateAssumeRolePolicy} are refused.
 *
 * <p>Source: "Identity-provider controls for shared OIDC providers",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html
 * (June 2025; the list of issuers and the claim each must check). The error code and message are
 * those IAM returned for a GitHub enterprise-slug provider, quoted in
 * unfunco/terraform-aws-oidc-github#57: {@code MalformedPolicyDocument: Trust policy with trusted
 * principal <provider ARN> must evaluate, using StringEquals, StringLike or
 * StringEqualsIgnoreCase, <prefix>:sub which is not scoped to all.}
 */
final class SharedIssuers {
  // Provider host/path to the claim IAM requires. GitHub's enterprise issuers
  // (token.actions.githubusercontent.com/<slug>) are covered by the prefix rule below.
  private static final Map<String, String> REQUIRED = Map.ofEntries(
      Map.entry("token.actions.githubusercontent.com", "sub"),
      Map.entry("vstoken.actions.githubusercontent.com", "sub"),
      Map.entry("oidc-configuration.audit-log.githubusercontent.com", "sub"),
      Map.entry("gitlab.com", "sub"),
      Map.entry("app.terraform.io", "sub"),
      Map.entry("agent.buildkite.com", "sub"),
      Map.entry("oidc.codefresh.io", "sub"),
      Map.entry("studio.datachain.ai/api", "sub"),
      Map.entry("scalr.io", "sub"),
      Map.entry("tokens.cloud.shisho.dev", "sub"),
      Map.entry("proidc.upbound.io", "sub"),
      Map.entry("oidc.vercel.com", "aud"),
      Map.entry("api.pulumi.com/oidc", "aud"),
      Map.entry("sandboxes.cloud", "aud"),
      Map.entry("cognito-identity.amazonaws.com", "aud"));

  private static final Set<ConditionOperator.Base> CHECKING = Set.of(
      ConditionOperator.Base.STRING_EQUALS, ConditionOperator.Base.STRING_LIKE,
      ConditionOperator.Base.STRING_EQUALS_IGNORE_CASE);

  private SharedIssuers() {}

  /** Returns the claim IAM requires for a provider host/path, if it is a shared issuer. */
  static Optional<String> requiredClaim(String provider) {
    String p = provider.toLowerCase(Locale.ROOT).replaceFirst("/$", "");
    String claim = REQUIRED.get(p);
    if (claim == null && p.startsWith("token.actions.githubusercontent.com/")) {
      claim = "sub";
    }
    return Optional.ofNullable(claim);
  }

  /**
   * Returns IAM's refusal of a trust policy whose Allow statement trusts a shared issuer without
   * checking its required claim with StringEquals, StringLike or StringEqualsIgnoreCase, against
   * values that are not all {@code *}.
   */
  static Optional<AwsError> check(PolicyDocument doc) {
    for (Statement s : doc.statements()) {
      if (s.effect() != Effect.ALLOW || s.principal().isEmpty()) {
        continue;
      }
      for (String federated : s.principal().get().federated()) {
        int at = federated.indexOf(":oidc-provider/");
        String provider = at < 0 ? federated : federated.substring(at + ":oidc-provider/".length());
        Optional<String> claim = requiredClaim(provider);
        if (claim.isEmpty()) {
          continue;
        }
        String key = provider.replaceFirst("/$", "") + ":" + claim.get();
        if (!checks(s.conditions(), key)) {
          return Optional.of(new AwsError("MalformedPolicyDocument", 400,
              "Trust policy with trusted principal " + federated + " must evaluate, using "
                  + "StringEquals, StringLike or StringEqualsIgnoreCase, " + key
                  + " which is not scoped to all."));
        }
      }
    }
    return Optional.empty();
  }

  private static boolean checks(List<Condition> conditions, String key) {
    for (Condition c : conditions) {
      if (!c.key().equalsIgnoreCase(key) || !CHECKING.contains(c.operator().base())
          || c.operator().ifExists()) {
        continue;
      }
      if (c.values().stream().anyMatch(v -> !v.isEmpty() && !v.chars().allMatch(ch -> ch == '*'))) {
        return true;
      }
    }
    return false;
  }
}
