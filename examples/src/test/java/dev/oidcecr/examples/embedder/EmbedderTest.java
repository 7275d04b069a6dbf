package dev.oidcecr.examples.embedder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.StsAuthenticationException;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * What an embedder writes with the published artifacts only (policies, core, testing): a tool's
 * JUnit test against the fake, and policies built, linted and explained from Java. The README
 * shows these regions.
 */
// tag::junit-published[]
@WithFakeAws
class EmbedderTest {
  @BeforeEach
  void platformTeamSetsUpAws(FakeAws aws) {
    try (EcrClient ecr = aws.configure(EcrClient.builder()).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    try (AwsSetup setup = AwsSetup.builder()
        .endpoint(aws.endpoint()).region(aws.region())
        .credentialsProvider(aws.credentialsProvider())
        .issuerUrl(aws.issuer().issuer())
        .accountId(aws.accountId())
        .roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app")
        .repositories("acme/app")
        .build()) {
      setup.apply();
    }
  }

  private static OidcEcrAuthenticator authenticator(FakeAws aws, String token) {
    return OidcEcrAuthenticator.builder()
        .roleArn(aws.roleArn("gitpod-ecr-pull"))
        .registry(aws.registryHost())
        .tokenSource(TokenSource.of(token))
        .endpoint(aws.endpoint())
        .build();
  }

  @Test
  void workspaceOfTheAllowedRepository_logsIn(FakeAws aws, FakeOidcIssuer issuer) {
    String token = issuer.token().repository("https://github.com/acme/app").mint();
    try (OidcEcrAuthenticator auth = authenticator(aws, token)) {
      DockerAuth login = auth.authenticate();
      assertThat(login.registryHost()).isEqualTo(aws.registryHost());
    }
  }

  @Test
  void workspaceOfAnotherRepository_isRefusedWithTheReason(FakeAws aws, FakeOidcIssuer issuer) {
    String token = issuer.token().repository("https://github.com/acme/website").mint();
    try (OidcEcrAuthenticator auth = authenticator(aws, token)) {
      assertThatThrownBy(auth::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .hasMessageContaining("sub=https://github.com/acme/website");
      assertThat(aws.lastDenial()).get()
          .satisfies(d -> assertThat(d.explanation()).contains(":sub"));
    }
  }
  // end::junit-published[]

  @Test
  void policiesFromJava() {
    // tag::policies-from-java[]
    PolicyDocument trust = TrustPolicy.builder()
        .issuer("https://services.gitpod.example.com/idp")
        .account("123456789012")
        .repository("https://github.com/acme/app")
        .build();
    System.out.println(trust.toJson());

    List<Finding> findings = PolicyLinter.create().lint(trust, PolicyKind.TRUST);
    for (Finding f : findings) {
      System.out.println(f.severity() + " " + f.id() + " at " + f.location() + ": "
          + f.message() + " Fix: " + f.fix());
    }

    Evaluation refused = PolicyEvaluator.of(trust).evaluateWebIdentity(
        "https://services.gitpod.example.com/idp", "123456789012",
        Map.of("sub", "https://github.com/acme/website", "aud", "sts.amazonaws.com"));
    System.out.println(refused.decision() + ": " + refused.explanation());
    // end::policies-from-java[]

    assertThat(Finding.hasErrors(findings)).as(findings.toString()).isFalse();
    assertThat(refused.isAllowed()).isFalse();
    assertThat(refused.explanation()).contains("services.gitpod.example.com/idp:sub");
  }
}
