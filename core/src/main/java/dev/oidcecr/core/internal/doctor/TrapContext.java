package dev.oidcecr.core.internal.doctor;

import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.Effect;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a trap looks at: the token's profile, claims and parsed {@code sub}, and the role's
 * trust policy as far as it concerns the token's provider ({@code hostPath}, such as
 * {@code token.actions.githubusercontent.com}).
 */
public record TrapContext(IssuerProfile profile, Map<String, Object> claims,
    Optional<IssuerProfile.Subject> subject, PolicyDocument trust, String hostPath) {

  /** Returns the token's {@code sub}, or an empty text. */
  public String sub() {
    Object s = claims.get("sub");
    return s instanceof String text ? text : "";
  }

  /** Returns the token's audiences ({@code aud} is a string or an array). */
  public List<String> audiences() {
    Object a = claims.get("aud");
    if (a instanceof String s) {
      return List.of(s);
    }
    if (a instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  /** Returns the conditions of Allow statements on {@code <hostPath>:<claim>}. */
  public List<Condition> conditions(String claim) {
    String key = hostPath + ":" + claim;
    List<Condition> out = new ArrayList<>();
    for (Statement s : trust.statements()) {
      if (s.effect() != Effect.ALLOW) {
        continue;
      }
      for (Condition c : s.conditions()) {
        if (c.key().equalsIgnoreCase(key)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** Returns every value the Allow statements compare {@code <hostPath>:<claim>} with. */
  public List<String> values(String claim) {
    return conditions(claim).stream().flatMap(c -> c.values().stream()).toList();
  }
}
