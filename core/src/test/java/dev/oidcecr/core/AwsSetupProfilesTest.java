package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;

/** {@link AwsSetup.Builder#trust} with the typed builders of other issuers, against the fake. */
class AwsSetupProfilesTest {
  private static FakeAws fake;
  private static AwsFixture aws;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
    aws = new AwsFixture(fake);
  }

  @AfterAll
  static void stop() {
    aws.close();
    fake.close();
  }

  @BeforeEach
  void repository() {
    fake.reset();
    aws.ecr.createRepository(r -> r.repositoryName("acme/app"));
  }

  private AwsSetup.Builder setup() {
    return AwsSetup.builder().iamClient(aws.iam).ecrClient(aws.ecr).accountId(fake.accountId())
        .roleName("ci-ecr-pull").repositories("acme/app");
  }

  @Test
  void trust_githubActions_createsProviderWithoutThumbprintAndTheRole_thenNothing() {
    AwsSetup setup = setup()
        .trust(TrustPolicy.githubActions().repository("acme/app").branch("main"))
        .build();

    assertThat(setup.issuerUrl()).isEqualTo("https://token.actions.githubusercontent.com");
    assertThat(setup.trustPolicy().toJson())
        .contains("\"token.actions.githubusercontent.com:sub\":\"repo:acme/app:ref:refs/heads/main\"")
        .contains("\"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\"");
    SetupResult result = setup.apply();
    assertThat(result.changes()).extracting(SetupChange::kind)
        .contains(SetupChange.Kind.CREATE_PROVIDER, SetupChange.Kind.CREATE_ROLE);
    GetOpenIdConnectProviderResponse provider = aws.iam.getOpenIDConnectProvider(
        r -> r.openIDConnectProviderArn(result.providerArn()));
    assertThat(provider.thumbprintList()).isEmpty();
    assertThat(provider.clientIDList()).containsExactly("sts.amazonaws.com");
    assertThat(result.nextSteps().get(0)).contains("GitHub Actions jobs");
    assertThat(setup.apply().changes()).isEmpty();
  }

  @Test
  void trust_circleci_usesTheOrganizationIdAsDefaultAudienceAndClientId() {
    String org = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
    AwsSetup setup = setup()
        .trust(TrustPolicy.circleci(org).project("2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d"))
        .build();

    assertThat(setup.trustPolicy().toJson()).contains(":aud\":\"" + org + "\"");
    assertThat(setup.plan().changes().get(0).summary()).contains("client id " + org);
  }

  @Test
  void trust_gitlab_withoutAudience_saysToCallAudience() {
    assertThatThrownBy(() -> setup().trust(TrustPolicy.gitlab().project("acme/app")).build())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("GitLab tokens have no default audience")
        .hasMessageContaining("audience(");
  }

  @Test
  void sharedIssuerWithoutSubRule_isRefusedAtBuild_inJavaWords() {
    assertThatThrownBy(() -> setup().trust(TrustPolicy.githubActions().subjectPattern("*"))
        .build())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("IAM would refuse the trust policy of role ci-ecr-pull")
        .hasMessageContaining("TrustPolicy.githubActions().repository(\"acme/app\")");
    assertThat(fake.requests()).as("no IAM call").allMatch(c -> c.service().equals("ecr"));
  }

  @Test
  void allowSubject_isAddedToTheTypedRules() {
    AwsSetup setup = setup()
        .trust(TrustPolicy.githubActions().repository("acme/app").branch("main"))
        .allowSubject("repo:acme/app:environment:production")
        .build();

    assertThat(setup.trustPolicy().toJson()).contains("repo:acme/app:ref:refs/heads/main",
        "repo:acme/app:environment:production");
  }

  @Test
  void trustAndAllowRepository_together_areRefused() {
    assertThatThrownBy(() -> setup().trust(TrustPolicy.githubActions().repository("acme/app"))
        .allowRepository("https://github.com/acme/app").build())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("give one of them");
  }
}
