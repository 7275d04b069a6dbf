package dev.oidcecr.policies.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.IssuerProfile.Verdict;
import dev.oidcecr.policies.PolicyException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Detection, subjects and pattern verdicts of every issuer profile, from the public API. */
class IssuerProfileTest {

  static final String ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String PRJ = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  static final String ENV = "019527e4-75d5-704d-a5a4-a2b52cf56196";
  static final String CIRCLE_ORG = "6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41";
  static final String CIRCLE_PRJ = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
  static final String REPO_UUID = "{2a4b6c8d-0e1f-4a2b-8c3d-4e5f6a7b8c9d}";

  @ParameterizedTest
  @CsvSource({
      "https://services.gitpod.example.com/idp, gitpod",
      "https://api.gitpod.io/idp, gitpod",
      "https://app.gitpod.io, ona",
      "https://app.gitpod.io/, ona",
      "https://token.actions.githubusercontent.com, github-actions",
      "https://token.actions.githubusercontent.com/acme-corp, github-actions",
      "https://token.actions.acme.ghe.com, github-actions",
      "https://github.acme.example/_services/token, github-actions",
      "https://gitlab.com, gitlab",
      "https://gitlab.acme.example, gitlab",
      "https://oidc.circleci.com/org/6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41, circleci",
      "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc, bitbucket",
      "https://agent.buildkite.com, buildkite",
      "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE, eks",
      "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC123, eks",
      "https://idp.example.com, generic",
      "https://app.terraform.io, generic",
      "token.actions.githubusercontent.com, github-actions"})
  void detect_findsTheProfileOfAnIssuer(String issuer, String id) {
    assertThat(IssuerProfile.detect(issuer).id()).isEqualTo(id);
  }

  @Test
  void everyProfile_isFoundByIdAndDetectsItsOwnExampleIssuer() {
    assertThat(IssuerProfile.all()).extracting(IssuerProfile::id).containsExactly("gitpod", "ona",
        "github-actions", "gitlab", "circleci", "bitbucket", "buildkite", "eks", "generic");
    for (IssuerProfile p : IssuerProfile.all()) {
      assertThat(IssuerProfile.byId(p.id())).containsSame(p);
      assertThat(IssuerProfile.detect(p.exampleIssuer())).as(p.id()).isSameAs(p);
      assertThat(p.parseSubject(p.exampleSubject())).as(p.id()).isPresent();
      assertThat(p.check(p.exampleSubject(), false).verdict()).as(p.id()).isEqualTo(Verdict.OK);
      assertThat(p.conditionKeyClaims()).as(p.id()).contains("aud", "sub");
    }
    assertThat(IssuerProfile.byId("travis")).isEmpty();
  }

  @Test
  void detect_rejectsWhatIamRejects() {
    assertThatThrownBy(() -> IssuerProfile.detect("http://app.gitpod.io"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("https://");
  }

  @Test
  void sharedIssuers_areTheOnesManyCustomersUse() {
    assertThat(shared("https://token.actions.githubusercontent.com")).isTrue();
    assertThat(shared("https://token.actions.githubusercontent.com/acme-corp")).isFalse();
    assertThat(shared("https://gitlab.com")).isTrue();
    assertThat(shared("https://gitlab.acme.example")).isFalse();
    assertThat(shared("https://app.gitpod.io")).isTrue();
    assertThat(shared("https://agent.buildkite.com")).isTrue();
    assertThat(shared("https://services.gitpod.example.com/idp")).isFalse();
    assertThat(shared("https://oidc.circleci.com/org/" + CIRCLE_ORG)).isFalse();
  }

  private static boolean shared(String issuer) {
    return IssuerProfile.detect(issuer).sharedIssuer(issuer);
  }

  @Test
  void defaultAudiences_followEachIssuersDocs() {
    assertThat(IssuerProfile.detect("https://oidc.circleci.com/org/" + CIRCLE_ORG)
        .defaultAudience("https://oidc.circleci.com/org/" + CIRCLE_ORG)).contains(CIRCLE_ORG);
    assertThat(IssuerProfile.byId("gitlab").get().defaultAudience("https://gitlab.com")).isEmpty();
    assertThat(IssuerProfile.byId("github-actions").get()
        .defaultAudience("https://token.actions.githubusercontent.com"))
        .contains("sts.amazonaws.com");
    assertThat(IssuerProfile.byId("eks").get().conditionKeyPrefix(
        "https://OIDC.EKS.eu-west-1.amazonaws.com/id/ABC/"))
        .isEqualTo("oidc.eks.eu-west-1.amazonaws.com/id/ABC");
  }

  @Test
  void parseSubject_namesTheParts() {
    IssuerProfile gh = IssuerProfile.byId("github-actions").get();
    IssuerProfile.Subject s = gh.parseSubject("repo:Acme/app.web:ref:refs/heads/feat/x").get();
    assertThat(s.part("owner")).contains("Acme");
    assertThat(s.part("repository")).contains("app.web");
    assertThat(s.part("ref")).contains("heads/feat/x");
    assertThat(gh.parseSubject("repo:acme@123/app@456:environment:prod").get().parts())
        .containsEntry("owner_id", "123").containsEntry("repository_id", "456")
        .containsEntry("environment", "prod");
    assertThat(gh.parseSubject("https://github.com/acme/app")).isEmpty();

    IssuerProfile ona = IssuerProfile.byId("ona").get();
    assertThat(ona.parseSubject("organization_id:" + ORG + ":project_id:" + PRJ).get())
        .satisfies(v -> {
          assertThat(v.form()).isEqualTo("V3");
          assertThat(v.part("project_id")).contains(PRJ);
        });
    assertThat(ona.parseSubject("org:" + ORG + "/prj:" + PRJ + "/env:" + ENV).get().form())
        .isEqualTo("V2");
    assertThat(ona.parseSubject("organization_id:" + ORG + ":project_id:not-a-uuid")).isEmpty();

    assertThat(IssuerProfile.byId("gitlab").get()
        .parseSubject("project_path:acme/platform/app:ref_type:branch:ref:main").get().parts())
        .containsEntry("namespace", "acme/platform").containsEntry("project", "app")
        .containsEntry("ref", "main");
    assertThat(IssuerProfile.byId("eks").get()
        .parseSubject("system:serviceaccount:ci:puller").get().parts())
        .containsEntry("namespace", "ci").containsEntry("service_account", "puller");
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      // GitHub Actions
      "github-actions | repo:acme/app:ref:refs/heads/main | OK",
      "github-actions | repo:acme/app:* | OK",
      "github-actions | repo:acme@123/app@456:* | OK",
      "github-actions | repo:acme/app* | MATCHES_SIBLINGS",
      "github-actions | repo:acme/app-* | MATCHES_SIBLINGS",
      "github-actions | repo:acme/ap?:* | MATCHES_SIBLINGS",
      "github-actions | repo:acme*/app:* | MATCHES_SIBLINGS",
      "github-actions | repo:acme/*:* | TENANT_WIDE",
      "github-actions | repo:acme/* | TENANT_WIDE",
      "github-actions | repo:*/app:* | TOO_BROAD",
      "github-actions | repo:* | TOO_BROAD",
      "github-actions | https://github.com/acme/app | NEVER_MATCHES",
      "github-actions | https://github.com/acme/app/* | NEVER_MATCHES",
      "github-actions | repo:acme/app:ref:main | NEVER_MATCHES",
      // Ona
      "ona | organization_id:" + ORG + ":project_id:" + PRJ + " | OK",
      "ona | organization_id:" + ORG + ":project_id:" + PRJ + "* | OK",
      "ona | organization_id:" + ORG + ":project_id:" + PRJ + ":* | OK",
      "ona | organization_id:" + ORG + ":* | TENANT_WIDE",
      "ona | organization_id:* | TOO_BROAD",
      "ona | org:" + ORG + "/prj:" + PRJ + "/* | OTHER_FORM_ONLY",
      "ona | org:" + ORG + "/* | OTHER_FORM_ONLY",
      "ona | https://github.com/acme/app | NEVER_MATCHES",
      "ona | organization_id:0191E223-1C3C-7607-BADF-303C98B52D2F:* | NEVER_MATCHES",
      // GitLab
      "gitlab | project_path:acme/app:ref_type:branch:ref:main | OK",
      "gitlab | project_path:acme/app:* | OK",
      "gitlab | project_path:acme/app* | MATCHES_SIBLINGS",
      "gitlab | project_path:acme/* | TENANT_WIDE",
      "gitlab | project_path:* | TOO_BROAD",
      "gitlab | project_path:acme/app:ref_type:branch:ref:refs/heads/main | NEVER_MATCHES",
      // CircleCI
      "circleci | org/" + CIRCLE_ORG + "/project/" + CIRCLE_PRJ + "/user/* | OK",
      "circleci | org/" + CIRCLE_ORG + "/project/* | TENANT_WIDE",
      "circleci | org/" + CIRCLE_ORG + "/project/0b9a8c7d* | MATCHES_SIBLINGS",
      // Bitbucket
      "bitbucket | " + REPO_UUID + ":* | OK",
      "bitbucket | {2a4b6c8d* | MATCHES_SIBLINGS",
      "bitbucket | repo:acme/app:* | NEVER_MATCHES",
      // Buildkite
      "buildkite | organization:acme:pipeline:app:* | OK",
      "buildkite | organization:acme:pipeline:app:ref:refs/heads/main:* | OK",
      "buildkite | organization:acme:pipeline:app* | MATCHES_SIBLINGS",
      "buildkite | organization:acme:* | TENANT_WIDE",
      "buildkite | organization:* | TOO_BROAD",
      // EKS
      "eks | system:serviceaccount:ci:puller | OK",
      "eks | system:serviceaccount:ci:* | TENANT_WIDE",
      "eks | system:serviceaccount:ci:pull* | MATCHES_SIBLINGS",
      "eks | system:serviceaccount:* | TOO_BROAD",
      // generic
      "generic | anything:at-all* | OK",
      "generic | * | TOO_BROAD"})
  void check_judgesPatternsByTheIssuersGrammar(String id, String pattern, Verdict verdict) {
    IssuerProfile.PatternCheck c = IssuerProfile.byId(id).get().check(pattern, false);
    assertThat(c.verdict()).as(c.reason()).isEqualTo(verdict);
  }

  @Test
  void check_explainsWithAnExample() {
    IssuerProfile gh = IssuerProfile.byId("github-actions").get();
    IssuerProfile.PatternCheck sibling = gh.check("repo:acme/app*", false);
    assertThat(sibling.example()).hasValueSatisfying(e -> {
      assertThat(e).startsWith("repo:acme/app").doesNotStartWith("repo:acme/app:");
      assertThat(gh.parseSubject(e)).isPresent();
    });
    assertThat(sibling.reason()).contains("repository name", "siblings");
    assertThat(gh.matchesSibling("repo:acme/app*")).isPresent();
    assertThat(gh.matchesSibling("repo:acme/app:*")).isEmpty();
    assertThat(gh.canMatch("https://github.com/acme/app")).isFalse();
    assertThat(gh.check("https://github.com/acme/app", false).reason())
        .contains("repo:OWNER/REPO", "URL");
    assertThat(gh.tooBroad("repo:*")).hasValueSatisfying(r -> assertThat(r).contains("owner"));

    IssuerProfile ona = IssuerProfile.byId("ona").get();
    assertThat(ona.check("org:" + ORG + "/*", false).reason()).contains("V2", "V3");
    assertThat(ona.check("organization_id:" + ORG.toUpperCase() + ":*", false).reason())
        .contains("lower-case");
    assertThat(IssuerProfile.byId("gitlab").get()
        .check("project_path:acme/app:ref_type:branch:ref:refs/heads/main", false).reason())
        .contains(":ref:main");
  }

  @Test
  void check_ignoreCaseOperatorsMatchOtherCase() {
    IssuerProfile ona = IssuerProfile.byId("ona").get();
    String upper = "organization_id:" + ORG.toUpperCase() + ":*";
    assertThat(ona.check(upper, true).verdict()).isEqualTo(Verdict.TENANT_WIDE);
    assertThat(List.of(ona.check(upper, false).verdict())).containsExactly(Verdict.NEVER_MATCHES);
  }
}
