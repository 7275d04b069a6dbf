package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.uuid;

import dev.oidcecr.policies.internal.Arns;
import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CircleCI: issuer {@code https://oidc.circleci.com/org/<org-id>}, one per organization.
 *
 * <p>Subject (https://circleci.com/docs/openid-connect-tokens/): {@code
 * org/<org-id>/project/<project-id>/user/<user-id>}, all UUIDs; the default audience is the
 * organization id. V2 tokens keep this {@code sub} and add the VCS origin and ref as the claims
 * {@code oidc.circleci.com/vcs-origin} and {@code oidc.circleci.com/vcs-ref}.
 */
final class CircleciProfile extends GrammarProfile {

  private static final Pattern ISSUER = Pattern.compile("oidc\\.circleci\\.com/org/([^/]+)");

  CircleciProfile() {
    super("circleci", "CircleCI", SubGrammar.of(
        alt("default").lit("org/").field(uuid("org", Role.TENANT)).lit("/project/")
            .field(uuid("project", Role.SCOPE)).lit("/user/").field(uuid("user", Role.NONE))
            .build()), Set.of());
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return ISSUER.matcher(hostPath).matches();
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    Matcher m = ISSUER.matcher(Arns.issuerHostPath(issuerUrl));
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return false;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return List.of("aud", "sub", "amr");
  }

  @Override
  public String exampleIssuer() {
    return "https://oidc.circleci.com/org/6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41";
  }

  @Override
  public String exampleSubject() {
    return "org/6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41/project/0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
        + "/user/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
  }

  @Override
  public String subjectShape() {
    return "org/<org uuid>/project/<project uuid>/user/<user uuid>";
  }

  @Override
  String tenantWord() {
    return "organization";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.circleci(orgId).project(projectId) (org/<org>/project/<project>/user/*)";
  }
}
