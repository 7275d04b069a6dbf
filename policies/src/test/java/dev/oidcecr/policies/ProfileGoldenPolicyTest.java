package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each profile's typed trust builder, byte for byte as checked in under golden/trust-*.json. */
class ProfileGoldenPolicyTest {

  static final String ACCOUNT = "123456789012";
  static final String ONA_ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String ONA_PROJECT = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  static final String CIRCLE_ORG = "6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41";
  static final String CIRCLE_PROJECT = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
  static final String BB_WORKSPACE = "7e3f2a1b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
  static final String BB_REPO = "2a4b6c8d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
  static final String EKS = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  /** The builder calls of each golden file, by name. */
  static Map<String, Supplier<PolicyDocument>> policies() {
    Map<String, Supplier<PolicyDocument>> m = new LinkedHashMap<>();
    m.put("gitpod", () -> TrustPolicy.gitpod().gitpodDomain("gitpod.example.com")
        .account(ACCOUNT).repository("https://github.com/acme/app").build());
    m.put("ona", () -> TrustPolicy.ona().account(ACCOUNT).organization(ONA_ORG)
        .project(ONA_PROJECT).build());
    m.put("ona-v2", () -> TrustPolicy.ona().account(ACCOUNT).tokenVersion(2)
        .organization(ONA_ORG).project(ONA_PROJECT).build());
    m.put("github-actions", () -> TrustPolicy.githubActions().account(ACCOUNT)
        .repository("acme/app").branch("main").build());
    m.put("github-actions-repository", () -> TrustPolicy.githubActions().account(ACCOUNT)
        .repository("acme/app").build());
    m.put("github-actions-immutable", () -> TrustPolicy.githubActions().account(ACCOUNT)
        .repository("acme/app").immutableIds("1342004", "892104551").environment("prod")
        .pullRequests().build());
    m.put("gitlab", () -> TrustPolicy.gitlab().account(ACCOUNT).audience("https://gitlab.com")
        .project("acme/app").branch("main").build());
    m.put("circleci", () -> TrustPolicy.circleci(CIRCLE_ORG).account(ACCOUNT)
        .project(CIRCLE_PROJECT).build());
    m.put("bitbucket", () -> TrustPolicy.bitbucket("acme").account(ACCOUNT)
        .workspaceUuid("{" + BB_WORKSPACE + "}").repository(BB_REPO).build());
    m.put("buildkite", () -> TrustPolicy.buildkite().account(ACCOUNT).organization("acme")
        .pipeline("app").branch("main").build());
    m.put("eks", () -> TrustPolicy.eks(EKS).account(ACCOUNT).serviceAccount("ci", "puller")
        .build());
    return m;
  }

  static Iterable<String> names() {
    return policies().keySet();
  }

  @ParameterizedTest
  @MethodSource("names")
  void builderOutput_matchesGoldenFileAndParsesBack(String name) throws IOException {
    PolicyDocument built = policies().get(name).get();
    String golden = golden("trust-" + name + ".json");
    assertThat(built.toPrettyJson()).isEqualTo(golden);
    assertThat(PolicyDocument.parse(golden)).isEqualTo(built);
  }

  @Test
  void builders_withoutSubjectRules_sayWhatToCall() {
    assertThatThrownBy(() -> TrustPolicy.githubActions().account(ACCOUNT).build())
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("repository(\"acme/app\")").hasMessageContaining("IAM refuses");
    assertThatThrownBy(() -> TrustPolicy.ona().account(ACCOUNT).organization(ONA_ORG).build())
        .hasMessageContaining("project(id)").hasMessageContaining("allProjects()");
    assertThatThrownBy(() -> TrustPolicy.gitlab().account(ACCOUNT).project("acme/app").build())
        .hasMessageContaining("no default audience").hasMessageContaining("audience(");
    assertThatThrownBy(() -> TrustPolicy.bitbucket("acme").account(ACCOUNT)
        .repository(BB_REPO).build()).hasMessageContaining("workspaceUuid(");
    assertThatThrownBy(() -> TrustPolicy.eks(EKS).account(ACCOUNT).build())
        .hasMessageContaining("serviceAccount(");
    assertThatThrownBy(() -> TrustPolicy.githubActions().branch("main"))
        .hasMessageContaining("repository(\"acme/app\") first");
  }

  @Test
  void builders_rejectWildcardsUrlsAndWrongShapes() {
    assertThatThrownBy(() -> TrustPolicy.githubActions().repository("https://github.com/acme/app"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("OWNER/REPO");
    assertThatThrownBy(() -> TrustPolicy.githubActions().repository("acme/app*"))
        .hasMessageContaining("no wildcards");
    assertThatThrownBy(() -> TrustPolicy.githubActions().repository("acme/app").branch("rel*"))
        .hasMessageContaining("without *");
    assertThatThrownBy(() -> TrustPolicy.gitlab().project("acme/app").branch("refs/heads/main"))
        .hasMessageContaining("bare branch (main)");
    assertThatThrownBy(() -> TrustPolicy.ona().organization(ONA_ORG.toUpperCase()))
        .hasMessageContaining("lower-case UUID");
    assertThatThrownBy(() -> TrustPolicy.ona().tokenVersion(4)).hasMessageContaining("3");
    assertThatThrownBy(() -> TrustPolicy.eks("https://gitlab.com"))
        .hasMessageContaining("not an EKS cluster");
  }

  @Test
  void builders_keepTheSharedOptions() {
    PolicyDocument enterprise = TrustPolicy.githubActions().enterprise("acme-corp")
        .partition("aws-us-gov").account(ACCOUNT).sid("CiPull").audience("sts.amazonaws.com")
        .repository("acme/app").tag("v1.2.0").build();
    Statement s = enterprise.statements().get(0);
    assertThat(s.sid()).contains("CiPull");
    assertThat(s.principal().get().federated()).containsExactly("arn:aws-us-gov:iam::"
        + ACCOUNT + ":oidc-provider/token.actions.githubusercontent.com/acme-corp");
    assertThat(s.conditions()).anySatisfy(c -> {
      assertThat(c.operator()).isEqualTo(ConditionOperator.STRING_EQUALS);
      assertThat(c.key()).isEqualTo("token.actions.githubusercontent.com/acme-corp:sub");
      assertThat(c.values()).containsExactly("repo:acme/app:ref:refs/tags/v1.2.0");
    });
    PolicyDocument byArn = TrustPolicy.ona().providerArn(
        "arn:aws:iam::" + ACCOUNT + ":oidc-provider/app.gitpod.io").organization(ONA_ORG)
        .allProjects().build();
    assertThat(byArn.statements().get(0).conditions()).anySatisfy(c ->
        assertThat(c.values()).containsExactly("organization_id:" + ONA_ORG + ":*"));
  }

  static String golden(String name) throws IOException {
    try (InputStream in = ProfileGoldenPolicyTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("resource /golden/" + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
    }
  }
}
