package dev.oidcecr.examples.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** The example tool tested the way a tool's own integration tests would: with the fakes. */
// tag::fake-test[]
@WithFakeAws(region = "eu-west-1", accountId = "123456789012")
class ImageCheckerTest {
  static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:latest";

  @BeforeEach
  void platformTeamSetsUpAws(FakeAws aws) {
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    aws.seedImage("acme/app", "latest");
    AwsSetup.builder()
        .endpoint(aws.endpoint()).region(aws.region()).credentialsProvider(admin)
        .issuerUrl(aws.issuer().issuer())           // https://services.gitpod.example.com/idp
        .accountId(aws.accountId())
        .roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app")
        .repositories("acme/app")
        .build()
        .apply();
  }

  @Test
  void workspaceOfTheAllowedRepository_canPull(FakeAws aws, FakeOidcIssuer issuer) {
    String token = issuer.token().repository("https://github.com/acme/app").mint();
    try (ImageChecker checker = ImageChecker.create(aws.roleArn("gitpod-ecr-pull"), IMAGE,
        TokenSource.of(token), aws.endpoint(), aws.endpoint())) {
      ImageChecker.Result result = checker.check(IMAGE);
      assertThat(result.pullable()).as(result.detail()).isTrue();
      assertThat(result.digest()).get().asString().startsWith("sha256:");
    }
  }

  @Test
  void workspaceOfAnotherRepository_isRefusedWithTheReason(FakeAws aws, FakeOidcIssuer issuer) {
    String token = issuer.token().repository("https://github.com/acme/website").mint();
    try (ImageChecker checker = ImageChecker.create(aws.roleArn("gitpod-ecr-pull"), IMAGE,
        TokenSource.of(token), aws.endpoint(), aws.endpoint())) {
      ImageChecker.Result result = checker.check(IMAGE);
      assertThat(result.pullable()).isFalse();
      assertThat(result.detail()).contains("sub=https://github.com/acme/website");
      assertThat(aws.lastDenial()).get()
          .satisfies(d -> assertThat(d.explanation()).contains(":sub"));
    }
  }
  // end::fake-test[]

  @Test
  void missingImage_reportedAs404(FakeAws aws, FakeOidcIssuer issuer) {
    String token = issuer.token().repository("https://github.com/acme/app").mint();
    String missing = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:nope";
    try (ImageChecker checker = ImageChecker.create(aws.roleArn("gitpod-ecr-pull"), missing,
        TokenSource.of(token), aws.endpoint(), aws.endpoint())) {
      ImageChecker.Result result = checker.check(missing);
      assertThat(result.pullable()).isFalse();
      assertThat(result.detail()).contains("404");
    }
  }
}
