package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeOidcIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The doctor per issuer profile, offline (trust policy given): it names the token's profile,
 * parses its sub, and names the documented trap with a fix in builder calls.
 */
class DoctorProfilesTest {
  private static final String ACCOUNT = "123456789012";
  private static final String ROLE = "arn:aws:iam::123456789012:role/ci-ecr-pull";
  private static FakeOidcIssuer issuer;

  @BeforeAll
  static void start() {
    issuer = FakeOidcIssuer.create().start();
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  private static DoctorFinding trust(String token, PolicyDocument policy) {
    DoctorReport report = Doctor.builder().token(token).roleArn(ROLE).trustPolicy(policy)
        .build().run();
    return report.findings().stream().filter(f -> f.id().equals(Doctor.TRUST_POLICY))
        .findFirst().orElseThrow();
  }

  @Test
  void github_environmentJob_againstBranchRule_namesTheEnvironmentTrap() {
    DoctorFinding f = trust(issuer.githubActions().environment("production").mint(),
        TrustPolicy.githubActions().account(ACCOUNT).repository("acme/app").branch("main")
            .build());

    assertThat(f.status()).isEqualTo(DoctorFinding.Status.FAIL);
    assertThat(f.reason()).contains("Issuer profile: GitHub Actions (github-actions)",
        "environment=production", "Trap: the job runs in the deployment environment");
    assertThat(f.fix().orElseThrow()).contains(
        "TrustPolicy.githubActions().repository(\"acme/app\").environment(\"production\")");
  }

  @Test
  void github_immutableSubjects_namesTheTrapWithTheIds() {
    DoctorFinding f = trust(issuer.githubActions().immutableIds(1234567, 890123456).mint(),
        TrustPolicy.githubActions().account(ACCOUNT).repository("acme/app").build());

    assertThat(f.reason()).contains("moved to immutable subjects");
    assertThat(f.fix().orElseThrow())
        .contains(".immutableIds(\"1234567\", \"890123456\")");
  }

  @Test
  void github_ownerCase_namesTheTrap() {
    DoctorFinding f = trust(issuer.githubActions().repository("Acme/App").mint(),
        TrustPolicy.githubActions().account(ACCOUNT).repository("acme/app").build());

    assertThat(f.reason()).contains("only when case is ignored");
    assertThat(f.fix().orElseThrow())
        .contains("TrustPolicy.githubActions().repository(\"Acme/App\")");
  }

  @Test
  void forAllValues_namesTheTrap() {
    PolicyDocument policy = PolicyDocument.parse("""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
         "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
         "Action":"sts:AssumeRoleWithWebIdentity",
         "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
          "ForAllValues:StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/lib:*"}}}]}
        """);
    DoctorFinding f = trust(issuer.githubActions().mint(), policy);

    assertThat(f.reason()).contains("ForAllValues:StringLike", "ForAllValues is for multivalued");
  }

  @Test
  void gitlab_refsHeads_namesTheTrap() {
    PolicyDocument policy = TrustPolicy.gitlab().account(ACCOUNT).audience("sts.amazonaws.com")
        .subjectPattern("project_path:acme/app:ref_type:branch:ref:refs/heads/main").build();
    DoctorFinding f = trust(issuer.gitlab().branch("main").mint(), policy);

    assertThat(f.reason()).contains("Issuer profile: GitLab", "refs/heads/");
    assertThat(f.fix().orElseThrow())
        .contains("TrustPolicy.gitlab().project(\"acme/app\").branch(\"main\")");
  }

  @Test
  void ona_v3TokenAgainstV2Policy_namesTheSwitch() {
    String org = "0191e223-1c3c-7607-badf-303c98b52d2f";
    String project = "019527e4-75d5-704d-a5a4-a2b52cf56198";
    DoctorFinding f = trust(issuer.ona().mint(), TrustPolicy.ona().account(ACCOUNT)
        .organization(org).project(project).tokenVersion(2).build());

    assertThat(f.reason()).contains("now issues V3 tokens");
    assertThat(f.fix().orElseThrow()).contains("TrustPolicy.ona().organization(\"" + org
        + "\").project(\"" + project + "\")");
  }

  @Test
  void circleci_defaultAudience_namesTheTrap() {
    String org = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
    DoctorFinding f = trust(issuer.circleci().mint(), TrustPolicy.circleci(org).account(ACCOUNT)
        .audience("sts.amazonaws.com").project("2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d").build());

    assertThat(f.reason()).contains("default audience " + org);
    assertThat(f.fix().orElseThrow()).contains("audience(\"" + org + "\")",
        "circleci run oidc get");
  }

  @Test
  void eks_otherServiceAccount_givesTheServiceAccountRule() {
    String iss = "https://oidc.eks.eu-west-1.amazonaws.com/id/5E5D7BAA84911ACC36EE4D978F209DD7";
    DoctorFinding f = trust(issuer.eks().serviceAccount("ci", "other").mint(),
        TrustPolicy.eks(iss).account(ACCOUNT).serviceAccount("ci", "puller").build());

    assertThat(f.reason()).contains("Issuer profile: Amazon EKS (eks)", "service_account=other");
    assertThat(f.fix().orElseThrow()).contains(".serviceAccount(\"ci\", \"other\")");
  }
}
