package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.anyExcept;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.uuid;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.Optional;
import java.util.Set;

/**
 * Ona (formerly Gitpod Flex), issuer {@code https://app.gitpod.io}.
 *
 * <p>V3 tokens (https://ona.com/docs/ona/configuration/oidc, "Enable V3 tokens"): {@code sub} is
 * {@code organization_id:<org>:project_id:<proj>} for an environment of a project, or
 * {@code organization_id:<org>:environment_id:<env>} without one; an organization may configure
 * extra sub fields, appended as further {@code :key:value} pairs; {@code aud} is an array. V2
 * tokens (https://ona.com/docs/ona/integrations/aws, still supported): {@code org:<org>/prj:<proj>
 * /env:<env>}, {@code org:<org>/env:<env>}, {@code org:<org>/user:<user>},
 * {@code org:<org>/rnr:<runner>}. Switching V2 to V3 changes {@code sub}. Ids are lower-case
 * UUIDs. Every Ona organization shares the issuer, so only {@code sub} tells them apart.
 */
final class OnaProfile extends GrammarProfile {

  static final String V3 = "V3";
  static final String V2 = "V2";

  OnaProfile() {
    super("ona", "Ona", SubGrammar.of(
        alt(V3).lit("organization_id:").field(uuid("organization_id", Role.TENANT))
            .lit(":project_id:").field(uuid("project_id", Role.SCOPE)).build(),
        alt(V3).lit("organization_id:").field(uuid("organization_id", Role.TENANT))
            .lit(":project_id:").field(uuid("project_id", Role.SCOPE)).lit(":")
            .field(anyExcept("extra", Role.NONE, "", 1)).build(),
        alt(V3).lit("organization_id:").field(uuid("organization_id", Role.TENANT))
            .lit(":environment_id:").field(uuid("environment_id", Role.SCOPE)).build(),
        alt(V3).lit("organization_id:").field(uuid("organization_id", Role.TENANT))
            .lit(":environment_id:").field(uuid("environment_id", Role.SCOPE)).lit(":")
            .field(anyExcept("extra", Role.NONE, "", 1)).build(),
        alt(V2).lit("org:").field(uuid("org", Role.TENANT)).lit("/prj:")
            .field(uuid("prj", Role.SCOPE)).lit("/env:").field(uuid("env", Role.NONE)).build(),
        alt(V2).lit("org:").field(uuid("org", Role.TENANT)).lit("/env:")
            .field(uuid("env", Role.SCOPE)).build(),
        alt(V2).lit("org:").field(uuid("org", Role.TENANT)).lit("/user:")
            .field(uuid("user", Role.SCOPE)).build(),
        alt(V2).lit("org:").field(uuid("org", Role.TENANT)).lit("/rnr:")
            .field(uuid("rnr", Role.SCOPE)).build()), Set.of(V2));
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return hostPath.equals("app.gitpod.io");
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");  // ona idp token --audience sts.amazonaws.com
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return true;
  }

  @Override
  public String exampleIssuer() {
    return "https://app.gitpod.io";
  }

  @Override
  public String exampleSubject() {
    return "organization_id:0191e223-1c3c-7607-badf-303c98b52d2f"
        + ":project_id:019527e4-75d5-704d-a5a4-a2b52cf56198";
  }

  @Override
  public String subjectShape() {
    return "organization_id:<org uuid>:project_id:<project uuid> (V3; V2 tokens send"
        + " org:<org uuid>/prj:<project uuid>/env:<env uuid>)";
  }

  @Override
  String hintForNever(String pattern) {
    if (!pattern.toLowerCase(java.util.Locale.ROOT).equals(pattern)) {
      return ". Ona ids are lower-case UUIDs and IAM compares them case-sensitively.";
    }
    return super.hintForNever(pattern);
  }

  @Override
  String tenantWord() {
    return "organization";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.ona().organization(orgId).project(projectId) (organization_id:<org>:project_id:<project>)";
  }
}
