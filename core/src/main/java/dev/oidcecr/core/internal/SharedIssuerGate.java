package dev.oidcecr.core.internal;

import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.Effect;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.Statement;
import java.util.Optional;
import java.util.Set;

/**
 * What IAM refuses in a trust policy for an issuer many customers share: an Allow statement
 * trusting it must check {@code <provider>:sub} with StringEquals, StringLike or
 * StringEqualsIgnoreCase against a value that is not only {@code *}, or {@code CreateRole} and
 * {@code UpdateAssumeRolePolicy} fail with MalformedPolicyDocument ("... which is not scoped to
 * all"). Source: "Identity-provider controls for shared OIDC providers",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html.
 * Which issuers are shared is the profile's knowledge ({@link IssuerProfile#sharedIssuer}).
 */
public final class SharedIssuerGate {
  private static final Set<ConditionOperator.Base> CHECKING = Set.of(
      ConditionOperator.Base.STRING_EQUALS, ConditionOperator.Base.STRING_LIKE,
      ConditionOperator.Base.STRING_EQUALS_IGNORE_CASE);

  private SharedIssuerGate() {}

  /** Returns why IAM would refuse the trust policy, in Java words, if it would. */
  public static Optional<String> refusal(PolicyDocument trust) {
    for (Statement s : trust.statements()) {
      if (s.effect() != Effect.ALLOW || s.principal().isEmpty()) {
        continue;
      }
      for (String federated : s.principal().get().federated()) {
        int at = federated.indexOf(":oidc-provider/");
        if (at < 0) {
          continue;
        }
        String hostPath = federated.substring(at + ":oidc-provider/".length());
        IssuerProfile profile;
        try {
          profile = IssuerProfile.detect(hostPath);
        } catch (PolicyException e) {
          continue;
        }
        if (!profile.sharedIssuer("https://" + hostPath) || checksSub(s, hostPath + ":sub")) {
          continue;
        }
        return Optional.of(hostPath + " is an issuer every " + profile.displayName()
            + " customer shares, so the trust policy must check " + hostPath + ":sub (with"
            + " StringEquals or StringLike, not only \"*\"), or any " + profile.displayName()
            + " customer's token could assume the role. Add a rule: "
            + profile.builderHint() + ".");
      }
    }
    return Optional.empty();
  }

  private static boolean checksSub(Statement s, String key) {
    for (Condition c : s.conditions()) {
      if (c.key().equalsIgnoreCase(key) && CHECKING.contains(c.operator().base())
          && !c.operator().ifExists()
          && c.values().stream().anyMatch(v -> !v.isEmpty() && !v.chars().allMatch(ch -> ch == '*'))) {
        return true;
      }
    }
    return false;
  }
}
