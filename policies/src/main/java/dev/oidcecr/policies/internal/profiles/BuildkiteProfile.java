package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.anyExcept;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.chars;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Buildkite agents: issuer {@code https://agent.buildkite.com}, shared by every Buildkite
 * organization (https://buildkite.com/docs/pipelines/security/oidc/aws).
 *
 * <p>Subject: {@code organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:STEP}, with the
 * organization and pipeline slugs (https://buildkite.com/docs/apis/workload-identity-federation/buildkite-agents
 * shows {@code organization:acme-inc:pipeline:<slug>:ref:refs/heads/main:commit:*:step:*}). The
 * step key may be empty. Buildkite's AWS guide also documents session tags ({@code
 * sts:TagSession}).
 */
final class BuildkiteProfile extends GrammarProfile {

  BuildkiteProfile() {
    super("buildkite", "Buildkite", SubGrammar.of(
        alt("default").lit("organization:").field(chars("organization", Role.TENANT, "a-z0-9-", ""))
            .lit(":pipeline:").field(chars("pipeline", Role.SCOPE, "a-z0-9-", ""))
            .lit(":ref:").field(anyExcept("ref", Role.NONE, ": ", 1))
            .lit(":commit:").field(anyExcept("commit", Role.NONE, ": ", 1))
            .lit(":step:").field(anyExcept("step", Role.NONE, ":", 0)).build()), Set.of());
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return hostPath.equals("agent.buildkite.com");
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");  // buildkite-agent oidc request-token --audience
  }

  @Override
  public boolean iamRequiresSubCondition(String issuerUrl) {
    return true;
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return true;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return List.of("aud", "sub", "amr");
  }

  @Override
  public String exampleIssuer() {
    return "https://agent.buildkite.com";
  }

  @Override
  public String exampleSubject() {
    return "organization:acme:pipeline:app:ref:refs/heads/main"
        + ":commit:9f3182061f1e2cca4702c368cbc039b7dc9d4485:step:build";
  }

  @Override
  public String subjectShape() {
    return "organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:STEP";
  }

  @Override
  String tenantWord() {
    return "organization";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.buildkite().organization(\"acme\").pipeline(\"app\") (organization:acme:pipeline:app:*)";
  }
}
