package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.iam.model.IamException;

class FaultsAndJournalTest extends SharedFakeTest {

  @Test
  void failNext_throttling_isRetriedBySdkThenSucceeds() {
    fake.failNext("GetAuthorizationToken", 2, "ThrottlingException", 400);
    assertThat(clients.adminEcr.getAuthorizationToken().authorizationData()).hasSize(1);
    assertThat(fake.requests()).extracting(c -> c.errorCode().orElse(""))
        .containsExactly("ThrottlingException", "ThrottlingException", "");
  }

  @Test
  void failNext_moreThanRetries_surfacesError() {
    fake.failNext("GetAuthorizationToken", 4, "ThrottlingException", 400);
    Throwable t = catchThrowable(() -> clients.adminEcr.getAuthorizationToken());
    assertThat(t).isInstanceOf(EcrException.class);
    assertThat(((EcrException) t).awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
  }

  @Test
  void failNext_500_inXmlForIam() {
    fake.failNext("ListOpenIDConnectProviders", 4, "ServiceFailure", 500);
    Throwable t = catchThrowable(() -> clients.iam.listOpenIDConnectProviders());
    assertThat(t).isInstanceOf(IamException.class);
    assertThat(((IamException) t).statusCode()).isEqualTo(500);
    assertThat(((IamException) t).awsErrorDetails().errorCode()).isEqualTo("ServiceFailure");
  }

  @Test
  void addLatency_delaysCalls() {
    fake.addLatency("*", Duration.ofMillis(300));
    long start = System.nanoTime();
    clients.iam.listOpenIDConnectProviders();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(
        Duration.ofMillis(300));
  }

  @Test
  void journal_recordsOperationsWithoutSecrets() {
    clients.iam.listOpenIDConnectProviders();
    clients.adminEcr.getAuthorizationToken();
    assertThat(fake.requests()).extracting(RecordedCall::service, RecordedCall::operation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("iam", "ListOpenIDConnectProviders"),
            org.assertj.core.groups.Tuple.tuple("ecr", "GetAuthorizationToken"));
    assertThat(fake.requests().get(1).accessKeyId()).contains(fake.accessKeyId());
    assertThat(fake.requests().toString()).doesNotContain(fake.secretAccessKey());
  }

  @Test
  void journal_isCapped() throws Exception {
    // Plain registry probes: cheaper than 1,005 signed SDK calls, recorded all the same.
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest probe = java.net.http.HttpRequest.newBuilder(
        fake.registryEndpoint()).timeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < 1004; i++) {
      http.send(probe, java.net.http.HttpResponse.BodyHandlers.discarding());
    }
    clients.adminSts.getCallerIdentity();
    assertThat(fake.requests()).hasSize(1000);
    assertThat(fake.requests().get(999).operation()).isEqualTo("GetCallerIdentity");
    assertThat(fake.requests().get(0).service()).isEqualTo("registry");
  }

  @Test
  void reset_forgetsState() {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    fake.reset();
    assertThat(clients.adminEcr.describeRepositories().repositories()).isEmpty();
  }
}
