package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Field;
import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bitbucket Pipelines: issuer {@code
 * https://api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc}, one per
 * workspace (https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/).
 *
 * <p>Subject, as the repository's OpenID Connect settings page shows it: {@code
 * {REPOSITORY_UUID}:{STEP_UUID}}, or {@code {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}} for a
 * deployment step; UUIDs are written in braces. The default audience is {@code
 * ari:cloud:bitbucket::workspace/<workspace uuid>}, which the URL does not carry.
 */
final class BitbucketProfile extends GrammarProfile {

  private static final Pattern ISSUER =
      Pattern.compile("api\\.bitbucket\\.org/2\\.0/workspaces/[^/]+/pipelines-config/identity/oidc");

  BitbucketProfile() {
    super("bitbucket", "Bitbucket Pipelines", SubGrammar.of(
        alt("step").field(braced("repository", Role.SCOPE)).lit(":")
            .field(braced("step", Role.NONE)).build(),
        alt("deployment").field(braced("repository", Role.SCOPE)).lit(":")
            .field(braced("environment", Role.NONE)).lit(":").field(braced("step", Role.NONE))
            .build()), Set.of());
  }

  /** A UUID in braces, as Bitbucket writes them: 38 characters. */
  static Field braced(String name, Role role) {
    return new Field(name, role, (o, c) -> o == 0 ? c == '{' : o == 37 ? c == '}'
        : SubGrammar.uuidChar(o - 1, c), 38, 38, "", "{}0a-");
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return ISSUER.matcher(hostPath).matches();
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.empty();
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
    return "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";
  }

  @Override
  public String exampleSubject() {
    return "{2a4b6c8d-0e1f-4a2b-8c3d-4e5f6a7b8c9d}:{9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}";
  }

  @Override
  public String subjectShape() {
    return "{REPOSITORY_UUID}:{STEP_UUID} or {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}";
  }

  @Override
  String tenantWord() {
    return "workspace";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.bitbucket(\"acme\").repository(repositoryUuid) ({<repository uuid>}:*)";
  }
}
