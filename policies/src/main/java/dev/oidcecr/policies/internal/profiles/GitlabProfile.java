package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.anyExcept;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.chars;

import dev.oidcecr.policies.internal.Arns;
import dev.oidcecr.policies.internal.profiles.SubGrammar.AltBuilder;
import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.Optional;
import java.util.Set;

/**
 * GitLab CI/CD ID tokens: issuer {@code https://gitlab.com} or a self-managed URL.
 *
 * <p>Subject (https://docs.gitlab.com/ci/secrets/id_token_authentication): {@code
 * project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME}; {@code ref} is the bare branch or tag
 * name ({@code main}), not {@code refs/heads/main}. A project can drop or reorder the {@code
 * ref_type} and {@code ref} components. There is no default audience: it is whatever the job's
 * {@code id_tokens:} sets. gitlab.com is shared by every customer; a self-managed instance is
 * one customer's. Self-managed instances are detected only when the host starts with
 * {@code gitlab.}; use {@code IssuerProfile.byId("gitlab")} for others.
 */
final class GitlabProfile extends GrammarProfile {

  GitlabProfile() {
    super("gitlab", "GitLab", SubGrammar.of(
        base().lit(":ref_type:").field(chars("ref_type", Role.NONE, "a-z", ""))
            .lit(":ref:").field(anyExcept("ref", Role.NONE, ": ", 1)).build(),
        base().lit(":ref:").field(anyExcept("ref", Role.NONE, ": ", 1))
            .lit(":ref_type:").field(chars("ref_type", Role.NONE, "a-z", "")).build(),
        base().lit(":ref_type:").field(chars("ref_type", Role.NONE, "a-z", "")).build(),
        base().lit(":ref:").field(anyExcept("ref", Role.NONE, ": ", 1)).build(),
        base().build()), Set.of());
  }

  private static AltBuilder base() {
    return alt("default").lit("project_path:")
        .field(chars("namespace", Role.TENANT, "A-Za-z0-9._/-", "/")).lit("/")
        .field(chars("project", Role.SCOPE, "A-Za-z0-9._-", ""));
  }

  @Override
  Optional<String> neverMatchesBecause(String pattern) {
    int ref = pattern.indexOf(":ref:refs/");
    if (ref >= 0) {
      return Optional.of("\"" + pattern + "\" can never match a GitLab sub: GitLab's ref is the"
          + " bare branch or tag name (:ref:main), not " + pattern.substring(ref + 5)
          + " as on GitHub");
    }
    return Optional.empty();
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return hostPath.equals("gitlab.com")
        || (hostPath.startsWith("gitlab.") && hostPath.indexOf('/') < 0);
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.empty();
  }

  @Override
  public boolean iamRequiresSubCondition(String issuerUrl) {
    return Arns.issuerHostPath(issuerUrl).equals("gitlab.com");
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return Arns.issuerHostPath(issuerUrl).equals("gitlab.com");
  }

  @Override
  public String exampleIssuer() {
    return "https://gitlab.com";
  }

  @Override
  public String exampleSubject() {
    return "project_path:acme/app:ref_type:branch:ref:main";
  }

  @Override
  public String subjectShape() {
    return "project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH";
  }

  @Override
  public java.util.List<String> conditionKeyClaims() {
    return java.util.List.of("aud", "sub", "amr");
  }

  @Override
  String tenantWord() {
    return "group";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.gitlab().project(\"acme/app\").branch(\"main\") (project_path:acme/app:ref_type:branch:ref:main)";
  }
}
