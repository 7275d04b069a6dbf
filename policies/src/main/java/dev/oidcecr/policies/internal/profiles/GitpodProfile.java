package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.anyExcept;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.chars;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.Optional;
import java.util.Set;

/**
 * Gitpod Classic (Enterprise, Dedicated and the retired gitpod.io): issuer
 * {@code https://services.<domain>/idp} (older {@code https://api.<domain>/idp}); {@code sub} is
 * the workspace's normalized context URL, or {@code no-context}.
 */
final class GitpodProfile extends GrammarProfile {

  GitpodProfile() {
    super("gitpod", "Gitpod", SubGrammar.of(
        alt("repository").lit("https://").field(chars("host", Role.TENANT, "a-z0-9.-", "."))
            .lit("/").field(anyExcept("owner", Role.TENANT, "/", 1)).lit("/")
            .field(anyExcept("repository", Role.SCOPE, "/", 1)).build(),
        alt("context").lit("https://").field(chars("host", Role.TENANT, "a-z0-9.-", "."))
            .lit("/").field(anyExcept("owner", Role.TENANT, "/", 1)).lit("/")
            .field(anyExcept("repository", Role.SCOPE, "/", 1)).lit("/")
            .field(anyExcept("path", Role.NONE, "", 1)).build(),
        alt("no-context").lit("no-context").build()), Set.of());
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    int slash = hostPath.indexOf('/');
    return slash > 0 && hostPath.substring(slash).equals("/idp");
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");  // gp idp token --audience sts.amazonaws.com
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    // One issuer per installation; gitpod.io (retired) was shared but is gone.
    return false;
  }

  @Override
  public java.util.List<String> conditionKeyClaims() {
    return LEGACY_CLAIMS;
  }

  @Override
  public String exampleIssuer() {
    return "https://services.gitpod.example.com/idp";
  }

  @Override
  public String exampleSubject() {
    return "https://github.com/acme/app/tree/main";
  }

  @Override
  public String subjectShape() {
    return "https://github.com/OWNER/REPO[/...] (the context URL) or no-context";
  }

  @Override
  String tenantWord() {
    return "owner";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.gitpod().repository(\"https://github.com/acme/app\") (subjects https://github.com/acme/app and https://github.com/acme/app/*)";
  }
}
