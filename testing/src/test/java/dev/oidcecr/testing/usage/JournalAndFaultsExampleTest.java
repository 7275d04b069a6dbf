package dev.oidcecr.testing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.Fault;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.RecordedCall;
import dev.oidcecr.testing.WithFakeAws;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** The README's journal and fault examples, through the public API only. */
@WithFakeAws
class JournalAndFaultsExampleTest {

  static EcrClient ecr(FakeAws aws) {
    return EcrClient.builder().endpointOverride(aws.endpoint()).region(Region.of(aws.region()))
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey())))
        .build();
  }

  // tag::journal[]
  @Test
  void theJournalTellsWhoCalledWhat(FakeAws aws) {
    try (EcrClient ecr = ecr(aws)) {
      ecr.getAuthorizationToken();
    }
    RecordedCall call = aws.takeCall(Duration.ofSeconds(5)).orElseThrow();
    assertThat(call.qualifiedOperation()).isEqualTo("ecr:GetAuthorizationToken");
    assertThat(call.method() + " " + call.path()).isEqualTo("POST /");
    assertThat(call.identity()).contains(aws.accessKeyId());      // or a role session's ARN
    assertThat(call.header("Authorization")).get().asString()
        .endsWith("Signature=<redacted>");                       // secrets never in clear
  }
  // end::journal[]

  // tag::typed-fault[]
  @Test
  void aThrottledLoginIsRetriedByTheSdk(FakeAws aws) {
    aws.failNext("ecr:GetAuthorizationToken", 1, Fault.awsError("ThrottlingException", 400));
    try (EcrClient ecr = ecr(aws)) {
      assertThat(ecr.getAuthorizationToken().authorizationData()).hasSize(1);
    }
    assertThat(aws.requests()).extracting(RecordedCall::status).containsExactly(400, 200);
  }
  // end::typed-fault[]
}
