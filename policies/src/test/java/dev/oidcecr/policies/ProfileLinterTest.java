package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.policies.Finding.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The linter reads the issuer profile from the Federated principal and judges sub by it. */
class ProfileLinterTest {

  static final String ONA_ORG = ProfileGoldenPolicyTest.ONA_ORG;
  static final String ONA_PRJ = ProfileGoldenPolicyTest.ONA_PROJECT;

  private final PolicyLinter linter = PolicyLinter.create();

  /** A trust policy for the provider host/path with the sub values under the operator. */
  static String trust(String hostPath, String aud, String operator, String subValues) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/%1$s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            %3$s}}]}
        """.formatted(hostPath, aud, operator.equals("StringEquals")
            ? "\"StringEquals\": {\"%s:aud\": \"%s\", \"%s:sub\": %s}".formatted(hostPath, aud,
                hostPath, subValues)
            : "\"StringEquals\": {\"%s:aud\": \"%s\"}, \"%s\": {\"%s:sub\": %s}".formatted(
                hostPath, aud, operator, hostPath, subValues));
  }

  private List<Finding> lint(String hostPath, String operator, String sub) {
    return linter.lint(trust(hostPath, "sts.amazonaws.com", operator, "\"" + sub + "\""),
        PolicyKind.TRUST);
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "token.actions.githubusercontent.com | StringEquals | repo:acme/app:ref:refs/heads/main | -",
      "token.actions.githubusercontent.com | StringLike | repo:acme/app:* | -",
      "token.actions.githubusercontent.com | StringLike | repo:acme@1/app@2:environment:prod | -",
      "token.actions.githubusercontent.com | StringLike | repo:acme/app* | TRUST_SUB_MATCHES_SIBLINGS",
      "token.actions.githubusercontent.com | StringLike | repo:acme/app-* | TRUST_SUB_MATCHES_SIBLINGS",
      "token.actions.githubusercontent.com | StringLike | repo:acme/* | TRUST_SUB_ORG_WIDE",
      "token.actions.githubusercontent.com | StringLike | repo:* | TRUST_SUB_TOO_BROAD",
      "token.actions.githubusercontent.com | StringLike | * | TRUST_SUB_WILDCARD_ALL",
      "token.actions.githubusercontent.com | StringLike | https://github.com/acme/app/* | TRUST_SUB_NEVER_MATCHES",
      "token.actions.githubusercontent.com | StringEquals | repo:acme/app | TRUST_SUB_NEVER_MATCHES",
      "token.actions.githubusercontent.com | StringEquals | repo:Acme/app:pull_request | TRUST_SUB_CASE_SENSITIVE",
      "token.actions.githubusercontent.com | StringEqualsIgnoreCase | repo:Acme/app:pull_request | -",
      "token.actions.githubusercontent.com | StringEquals | repository_owner_id:1342004:workflow:ci | -",
      "app.gitpod.io | StringLike | organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ + "* | -",
      "app.gitpod.io | StringEquals | organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ + " | -",
      "app.gitpod.io | StringLike | organization_id:" + ONA_ORG + ":* | TRUST_SUB_ORG_WIDE",
      "app.gitpod.io | StringLike | org:" + ONA_ORG + "/prj:" + ONA_PRJ + "/* | TRUST_SUB_OTHER_TOKEN_VERSION",
      "app.gitpod.io | StringLike | https://github.com/acme/app/* | TRUST_SUB_NEVER_MATCHES",
      "gitlab.com | StringEquals | project_path:acme/app:ref_type:branch:ref:main | -",
      "gitlab.com | StringEquals | project_path:acme/app:ref_type:branch:ref:refs/heads/main | TRUST_SUB_NEVER_MATCHES",
      "gitlab.com | StringLike | project_path:acme/app* | TRUST_SUB_MATCHES_SIBLINGS",
      "gitlab.com | StringLike | project_path:acme/* | TRUST_SUB_ORG_WIDE",
      "agent.buildkite.com | StringLike | organization:acme:pipeline:app:* | -",
      "agent.buildkite.com | StringLike | organization:acme:pipeline:app* | TRUST_SUB_MATCHES_SIBLINGS",
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC | StringEquals | system:serviceaccount:ci:puller | -",
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC | StringLike | system:serviceaccount:* | TRUST_SUB_TOO_BROAD",
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC | StringLike | repo:acme/app:* | TRUST_SUB_NEVER_MATCHES"})
  void subPatterns_areJudgedByTheProvidersGrammar(String hostPath, String operator, String sub,
      String rule) {
    List<Finding> findings = lint(hostPath, operator, sub);
    if (rule == null) {
      assertThat(findings).isEmpty();
    } else {
      assertThat(findings).extracting(Finding::id).containsExactly(rule);
    }
  }

  @Test
  void onaDocumentedPolicy_lintsClean_andV2PatternsSayWhichVersion() {
    assertThat(lint("app.gitpod.io", "StringLike",
        "organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ + "*")).isEmpty();
    Finding v2 = lint("app.gitpod.io", "StringLike", "org:" + ONA_ORG + "/*").get(0);
    assertThat(v2.severity()).isEqualTo(Severity.WARNING);
    assertThat(v2.message()).contains("only V2 subjects", "V3 tokens", "organization_id:");
    assertThat(v2.message()).doesNotContain("can never match");
  }

  @Test
  void siblingFinding_namesASibling() {
    Finding f = lint("token.actions.githubusercontent.com", "StringLike", "repo:acme/app*")
        .get(0);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.message()).contains("repository name", "siblings such as repo:acme/app");
    assertThat(f.fix()).contains("repo:acme/app:*");
  }

  @Test
  void urlPatternOnGithub_saysItIsAGitpodContextUrl() {
    Finding f = lint("token.actions.githubusercontent.com", "StringLike",
        "https://github.com/acme/app/*").get(0);
    assertThat(f.message()).contains("can never match", "repo:OWNER/REPO", "Gitpod Classic");
    assertThat(f.fix()).contains("TrustPolicy.githubActions()");
  }

  @ParameterizedTest
  @CsvSource({"token.actions.githubusercontent.com, GitHub Actions", "gitlab.com, GitLab",
      "token.actions.githubusercontent.com/acme-enterprise, GitHub Actions",
      "agent.buildkite.com, Buildkite"})
  void missingSub_onASharedIssuer_saysIamRefusesThePolicy(String hostPath, String name) {
    String noSub = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/%1$s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%1$s:aud": "sts.amazonaws.com"}}}]}
        """.formatted(hostPath);
    assertThat(linter.lint(noSub, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_NO_SUB_CONDITION");
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("IAM refuses this policy").contains(name);
    });
  }

  @Test
  void missingSub_onOna_isAnErrorNamingTheSharedIssuer_butNotAnIamRefusal() {
    // app.gitpod.io is shared by every Ona organization but is not on AWS's list of shared
    // providers, so IAM accepts the policy: the finding must not claim otherwise.
    String noSub = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/app.gitpod.io"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"app.gitpod.io:aud": "sts.amazonaws.com"}}}]}
        """;
    assertThat(linter.lint(noSub, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_NO_SUB_CONDITION");
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).doesNotContain("IAM refuses").contains("Ona customer shares");
    });
  }

  @Test
  void missingSub_onAPrivateIssuer_isStillAnErrorWithoutTheIamClaim() {
    String eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    String noSub = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/%1$s"},
          "Action": "sts:AssumeRoleWithWebIdentity"}]}
        """.formatted(eks);
    List<Finding> findings = linter.lint(noSub, PolicyKind.TRUST);
    assertThat(findings).extracting(Finding::id)
        .containsExactly("TRUST_NO_SUB_CONDITION", "TRUST_NO_AUD_CONDITION");
    assertThat(findings.get(0).message()).doesNotContain("IAM refuses");
    assertThat(findings.get(0).fix()).contains("serviceAccount(");
  }

  @Test
  void forAllValuesOnAud_isAnError() {
    String policy = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/app.gitpod.io"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            "ForAllValues:StringEquals": {"app.gitpod.io:aud": "sts.amazonaws.com"},
            "StringEquals": {"app.gitpod.io:sub":
              "organization_id:%s:project_id:%s"}}}]}
        """.formatted(ONA_ORG, ONA_PRJ);
    assertThat(linter.lint(policy, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_FOR_ALL_VALUES_ON_CLAIM");
      assertThat(f.fix()).contains("StringEquals");
    });
  }

  static Iterable<String> builders() {
    List<String> names = new java.util.ArrayList<>();
    ProfileGoldenPolicyTest.names().forEach(names::add);
    names.remove("ona-v2");  // on purpose a V2 policy: see onaV2Builder_warnsOnlyAboutTheVersion
    return names;
  }

  @Test
  void onaV2Builder_warnsOnlyAboutTheVersion() {
    assertThat(linter.lint(ProfileGoldenPolicyTest.policies().get("ona-v2").get(),
        PolicyKind.TRUST)).extracting(Finding::id)
        .containsExactly("TRUST_SUB_OTHER_TOKEN_VERSION");
  }

  @ParameterizedTest
  @MethodSource("builders")
  void everyBuildersOutput_lintsClean(String name) {
    assertThat(linter.lint(ProfileGoldenPolicyTest.policies().get(name).get(), PolicyKind.TRUST))
        .isEmpty();
  }

  @Test
  void onaAllProjects_isReportedAsOrganizationWideOnPurpose() {
    PolicyDocument all = TrustPolicy.ona().account("123456789012").organization(ONA_ORG)
        .allProjects().build();
    assertThat(linter.lint(all, PolicyKind.TRUST)).extracting(Finding::id)
        .containsExactly("TRUST_SUB_ORG_WIDE");
  }
}
