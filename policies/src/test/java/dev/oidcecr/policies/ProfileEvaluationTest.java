package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real-shaped tokens of each issuer against each typed builder's policy: the token it was
 * written for is allowed, a sibling's is refused, as STS would decide.
 */
class ProfileEvaluationTest {

  static final String ACCOUNT = ProfileGoldenPolicyTest.ACCOUNT;
  static final String ONA_ORG = ProfileGoldenPolicyTest.ONA_ORG;
  static final String ONA_PRJ = ProfileGoldenPolicyTest.ONA_PROJECT;
  static final String OTHER_PRJ = "019527e4-75d5-704d-a5a4-a2b52cf56199";
  static final String CIRCLE_ORG = ProfileGoldenPolicyTest.CIRCLE_ORG;
  static final String CIRCLE_PRJ = ProfileGoldenPolicyTest.CIRCLE_PROJECT;
  static final String BB_WS = ProfileGoldenPolicyTest.BB_WORKSPACE;
  static final String BB_REPO = ProfileGoldenPolicyTest.BB_REPO;
  static final String EKS = ProfileGoldenPolicyTest.EKS;

  record Case(String policy, String issuer, Map<String, Object> allowed,
      Map<String, Object> sibling) {
    @Override
    public String toString() {
      return policy;
    }
  }

  static Map<String, Object> claims(String iss, Object aud, String sub, Object... more) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("iss", iss);
    m.put("aud", aud);
    m.put("sub", sub);
    m.put("exp", 1_900_000_000L);
    for (int i = 0; i < more.length; i += 2) {
      m.put((String) more[i], more[i + 1]);
    }
    return m;
  }

  static Stream<Case> cases() {
    String gh = "https://token.actions.githubusercontent.com";
    String ona = "https://app.gitpod.io";
    String circle = "https://oidc.circleci.com/org/" + CIRCLE_ORG;
    String bb = "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";
    String bk = "https://agent.buildkite.com";
    String bbAud = "ari:cloud:bitbucket::workspace/" + BB_WS;
    return Stream.of(
        new Case("gitpod", "https://services.gitpod.example.com/idp",
            claims("https://services.gitpod.example.com/idp", "sts.amazonaws.com",
                "https://github.com/acme/app/pull/7", "email", "dev@acme.example"),
            claims("https://services.gitpod.example.com/idp", "sts.amazonaws.com",
                "https://github.com/acme/app-fork/pull/7")),
        new Case("ona", ona,
            claims(ona, List.of("sts.amazonaws.com"),
                "organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ,
                "organization_id", ONA_ORG, "project_id", ONA_PRJ),
            claims(ona, List.of("sts.amazonaws.com"),
                "organization_id:" + ONA_ORG + ":project_id:" + OTHER_PRJ)),
        new Case("ona", ona,
            claims(ona, List.of("sts.amazonaws.com"),
                "organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ + ":environment_id:e1"),
            claims(ona, List.of("sts.amazonaws.com"),
                "org:" + ONA_ORG + "/prj:" + ONA_PRJ + "/env:" + OTHER_PRJ)),
        new Case("ona-v2", ona,
            claims(ona, "sts.amazonaws.com",
                "org:" + ONA_ORG + "/prj:" + ONA_PRJ + "/env:" + OTHER_PRJ),
            claims(ona, "sts.amazonaws.com",
                "org:" + ONA_ORG + "/prj:" + OTHER_PRJ + "/env:" + OTHER_PRJ)),
        new Case("github-actions", gh,
            claims(gh, "sts.amazonaws.com", "repo:acme/app:ref:refs/heads/main",
                "repository", "acme/app", "ref", "refs/heads/main"),
            claims(gh, "sts.amazonaws.com", "repo:acme/app:ref:refs/heads/main-evil")),
        new Case("github-actions-repository", gh,
            claims(gh, "sts.amazonaws.com", "repo:acme/app:pull_request"),
            claims(gh, "sts.amazonaws.com", "repo:acme/app-fork:pull_request")),
        new Case("github-actions-immutable", gh,
            claims(gh, "sts.amazonaws.com", "repo:acme@1342004/app@892104551:environment:prod"),
            claims(gh, "sts.amazonaws.com", "repo:acme@1342004/app@892104552:environment:prod")),
        new Case("gitlab", "https://gitlab.com",
            claims("https://gitlab.com", "https://gitlab.com",
                "project_path:acme/app:ref_type:branch:ref:main"),
            claims("https://gitlab.com", "https://gitlab.com",
                "project_path:acme/app2:ref_type:branch:ref:main")),
        new Case("circleci", circle,
            claims(circle, CIRCLE_ORG, "org/" + CIRCLE_ORG + "/project/" + CIRCLE_PRJ
                + "/user/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"),
            claims(circle, CIRCLE_ORG, "org/" + CIRCLE_ORG + "/project/" + OTHER_PRJ
                + "/user/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a")),
        new Case("bitbucket", bb,
            claims(bb, bbAud, "{" + BB_REPO + "}:{9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}"),
            claims(bb, bbAud, "{" + OTHER_PRJ + "}:{9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}")),
        new Case("buildkite", bk,
            claims(bk, "sts.amazonaws.com", "organization:acme:pipeline:app:ref:refs/heads/main"
                + ":commit:9f3182061f1e2cca4702c368cbc039b7dc9d4485:step:build"),
            claims(bk, "sts.amazonaws.com", "organization:acme:pipeline:app-evil:ref:refs/heads"
                + "/main:commit:9f3182061f1e2cca4702c368cbc039b7dc9d4485:step:build")),
        new Case("eks", EKS,
            claims(EKS, "sts.amazonaws.com", "system:serviceaccount:ci:puller"),
            claims(EKS, "sts.amazonaws.com", "system:serviceaccount:ci:puller2")));
  }

  private static Evaluation evaluate(String policy, String issuer, Map<String, Object> claims) {
    return PolicyEvaluator.of(ProfileGoldenPolicyTest.policies().get(policy).get())
        .evaluate(EvaluationRequest.webIdentity(issuer, ACCOUNT, claims));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tokenTheBuilderWasWrittenFor_isAllowed(Case c) {
    Evaluation e = evaluate(c.policy(), c.issuer(), c.allowed());
    assertThat(e.isAllowed()).as(e.explanation()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void siblingsToken_isRefused(Case c) {
    Evaluation e = evaluate(c.policy(), c.issuer(), c.sibling());
    assertThat(e.isAllowed()).as(e.explanation()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tokenForAnotherAudience_isRefused(Case c) {
    Map<String, Object> other = new LinkedHashMap<>(c.allowed());
    other.put("aud", "https://vault.example.com");
    assertThat(evaluate(c.policy(), c.issuer(), other).isAllowed()).isFalse();
  }

  @Test
  void githubClaimKeys_areInTheContext_soJobWorkflowRefConditionsGetAwsAnswer() {
    String gh = "https://token.actions.githubusercontent.com";
    Map<String, Object> token = claims(gh, "sts.amazonaws.com",
        "repo:acme/app:ref:refs/heads/main", "job_workflow_ref",
        "acme/shared/.github/workflows/deploy.yml@refs/heads/main", "repository_id", 892104551,
        "repository_owner", "acme", "actor", "octocat", "runner_environment", "github-hosted");
    EvaluationRequest r = EvaluationRequest.webIdentity(gh, ACCOUNT, token);
    String p = "token.actions.githubusercontent.com:";
    assertThat(r.context()).containsOnlyKeys(p + "aud", p + "sub", p + "job_workflow_ref",
        p + "repository_id", p + "actor", "aws:federatedprovider");
    assertThat(r.contextValues(p + "repository_id")).containsExactly("892104551");

    PolicyDocument workflowPinned = PolicyDocument.parse("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated":
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
            "token.actions.githubusercontent.com:job_workflow_ref":
              "acme/shared/.github/workflows/deploy.yml@refs/heads/main"}}}]}
        """);
    assertThat(PolicyEvaluator.of(workflowPinned).evaluate(r).isAllowed()).isTrue();
    Map<String, Object> otherWorkflow = new LinkedHashMap<>(token);
    otherWorkflow.put("job_workflow_ref", "acme/app/.github/workflows/evil.yml@refs/heads/main");
    assertThat(PolicyEvaluator.of(workflowPinned)
        .evaluate(EvaluationRequest.webIdentity(gh, ACCOUNT, otherWorkflow)).isAllowed())
        .isFalse();

    // repository_owner is a claim, but not a condition key STS accepts: the key is missing.
    PolicyDocument ownerPinned = PolicyDocument.parse(workflowPinned.toJson().replace(
        "job_workflow_ref\":\"acme/shared/.github/workflows/deploy.yml@refs/heads/main",
        "repository_owner\":\"acme"));
    assertThat(ownerPinned.toJson()).contains("repository_owner");
    assertThat(PolicyEvaluator.of(ownerPinned).evaluate(r).isAllowed()).isFalse();
  }

  @Test
  void otherIssuers_getOnlyTheStandardKeys() {
    String ona = "https://app.gitpod.io";
    EvaluationRequest r = EvaluationRequest.webIdentity(ona, ACCOUNT,
        claims(ona, List.of("sts.amazonaws.com"), "organization_id:" + ONA_ORG + ":project_id:"
            + ONA_PRJ, "organization_id", ONA_ORG, "project_id", ONA_PRJ, "email", "a@b.c",
            "job_workflow_ref", "x"));
    assertThat(r.context()).containsOnlyKeys("app.gitpod.io:aud", "app.gitpod.io:sub",
        "aws:federatedprovider");
  }

  @Test
  void plainOperatorOnAnAudArray_holdsWhenAnyAudienceMatches_negatedWhenNoneDoes() {
    String ona = "https://app.gitpod.io";
    Map<String, Object> twoAudiences = claims(ona, List.of("https://vault.example.com",
        "sts.amazonaws.com"), "organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ);
    assertThat(evaluate("ona", ona, twoAudiences).isAllowed()).isTrue();

    PolicyDocument notVault = PolicyDocument.parse("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/app.gitpod.io"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringNotEquals": {"app.gitpod.io:aud": "https://vault.example.com"}}}]}
        """);
    EvaluationRequest r = EvaluationRequest.webIdentity(ona, ACCOUNT, twoAudiences);
    assertThat(PolicyEvaluator.of(notVault).evaluate(r).isAllowed()).isFalse();
    Map<String, Object> onlySts = new LinkedHashMap<>(twoAudiences);
    onlySts.put("aud", List.of("sts.amazonaws.com"));
    assertThat(PolicyEvaluator.of(notVault)
        .evaluate(EvaluationRequest.webIdentity(ona, ACCOUNT, onlySts)).isAllowed()).isTrue();
  }
}
