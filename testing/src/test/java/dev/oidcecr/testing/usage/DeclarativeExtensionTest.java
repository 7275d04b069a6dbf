package dev.oidcecr.testing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** Uses only the public API, from outside the package, as a user would. */
@WithFakeAws(region = "us-east-1", accountId = "210987654321")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeclarativeExtensionTest {
  private static FakeAws first;

  static EcrClient ecr(FakeAws aws) {
    return EcrClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey())))
        .build();
  }

  @Test
  @Order(1)
  void injectsRunningFakeWithAnnotationSettings(FakeAws aws, FakeOidcIssuer issuer) {
    first = aws;
    assertThat(aws.region()).isEqualTo("us-east-1");
    assertThat(aws.accountId()).isEqualTo("210987654321");
    assertThat(issuer).isSameAs(aws.issuer());
    try (EcrClient ecr = ecr(aws)) {
      ecr.createRepository(r -> r.repositoryName("app"));
      assertThat(ecr.describeRepositories().repositories()).hasSize(1);
    }
  }

  @Test
  @Order(2)
  void sameFakeAcrossTests_stateResetBetween(FakeAws aws) {
    assertThat(aws).isSameAs(first);
    try (EcrClient ecr = ecr(aws)) {
      assertThat(ecr.describeRepositories().repositories()).isEmpty();
    }
  }
}
