package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * An Ona organization switched from V2 to V3 tokens (or back) changes every {@code sub}: V3
 * {@code organization_id:<org>:project_id:<proj>}, V2 {@code org:<org>/prj:<proj>/env:<env>}.
 * Source: Ona docs, "OIDC" (token versions) and "AWS OIDC".
 */
final class OnaTokenVersionTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("ona");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    boolean tokenV3 = c.sub().startsWith("organization_id:");
    boolean policyV2 = c.values("sub").stream().anyMatch(v -> v.startsWith("org:"));
    boolean policyV3 = c.values("sub").stream().anyMatch(v -> v.startsWith("organization_id:"));
    var s = c.subject();
    if (tokenV3 && policyV2 && !policyV3) {
      return Optional.of("Trap: the organization now issues V3 tokens (sub " + c.sub() + "),"
          + " but the trust policy still has V2 subjects (org:<org>/prj:<project>/...). Fix:"
          + " TrustPolicy.ona().organization(\"" + s.flatMap(p -> p.part("organization_id"))
              .orElse("ORG_ID") + "\").project(\"" + s.flatMap(p -> p.part("project_id"))
              .orElse("PROJECT_ID") + "\") (V3 is the default).");
    }
    if (!tokenV3 && c.sub().startsWith("org:") && policyV3 && !policyV2) {
      return Optional.of("Trap: the organization issues V2 tokens (sub " + c.sub() + "), but"
          + " the trust policy has V3 subjects (organization_id:...). Fix:"
          + " TrustPolicy.ona().organization(\"" + s.flatMap(p -> p.part("org")).orElse("ORG_ID")
          + "\").project(\"" + s.flatMap(p -> p.part("prj")).orElse("PROJECT_ID")
          + "\").tokenVersion(2), or switch the organization to V3 tokens.");
    }
    return Optional.empty();
  }
}
