package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The journal's request details and {@link FakeAws#takeCall}, and the typed {@link Fault}s on
 * STS, ECR and the registry, through real SDK clients and a plain HTTP client for the registry.
 */
class TypedFaultsAndJournalTest extends SharedFakeTest {
  // HTTP/1.1 as Docker clients speak it (the JDK client would otherwise upgrade to h2c, where
  // one reset connection carries every stream and a short body is not an error).
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  int setUpCalls;

  @BeforeEach
  void roleAndImage() {
    Fixtures.providerAndRole(fake, clients.iam, 3600);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "app")));
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    fake.seedImage("app", "latest");
    drain();
    setUpCalls = fake.requests().size();
  }

  /** The journal without the set-up's calls. */
  private List<RecordedCall> journal() {
    List<RecordedCall> all = fake.requests();
    return all.subList(setUpCalls, all.size());
  }

  private void drain() {
    while (fake.takeCall(Duration.ZERO).isPresent()) {
      // calls of the set-up
    }
  }

  private Credentials assume(String token) {
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
        .roleSessionName("ws-1").webIdentityToken(token)).credentials();
  }

  private String basicAuth(EcrClient ecr) {
    return "Basic " + ecr.getAuthorizationToken().authorizationData().get(0)
        .authorizationToken();
  }

  private HttpResponse<String> getManifest(String authorization, Duration timeout)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(fake.registryEndpoint().resolve("app/manifests/latest"))
        .header("Authorization", authorization)
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
  }

  private RecordedCall take() {
    return fake.takeCall(Duration.ofSeconds(10)).orElseThrow();
  }

  @Test
  void journal_namesMethodPathOperationAndCaller_withSecretsRedacted() throws Exception {
    String webIdentityToken = fake.issuer().mint(Fixtures.APP);
    Credentials session = assume(webIdentityToken);
    String basic;
    try (EcrClient ecr = clients.ecr(Clients.session(session))) {
      basic = basicAuth(ecr);
    }
    assertThat(getManifest(basic, Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
    clients.adminEcr.describeRepositories();

    String sessionArn = "arn:aws:sts::" + fake.accountId() + ":assumed-role/ci/ws-1";
    RecordedCall assumeCall = take();
    assertThat(assumeCall.qualifiedOperation()).isEqualTo("sts:AssumeRoleWithWebIdentity");
    assertThat(assumeCall.operation()).isEqualTo("AssumeRoleWithWebIdentity");
    assertThat(assumeCall.method()).isEqualTo("POST");
    assertThat(assumeCall.path()).isEqualTo("/");
    assertThat(assumeCall.status()).isEqualTo(200);
    assertThat(assumeCall.identity()).contains(sessionArn);
    assertThat(assumeCall.fault()).isEmpty();

    RecordedCall login = take();
    assertThat(login.qualifiedOperation()).isEqualTo("ecr:GetAuthorizationToken");
    assertThat(login.identity()).contains(sessionArn);
    assertThat(login.accessKeyId()).contains(session.accessKeyId());
    assertThat(login.header("Authorization")).get().asString()
        .startsWith("AWS4-HMAC-SHA256 Credential=" + session.accessKeyId() + "/")
        .contains("SignedHeaders=")
        .endsWith("Signature=" + RecordedCall.REDACTED);
    assertThat(login.header("X-Amz-Security-Token")).contains(RecordedCall.REDACTED);
    assertThat(login.header("x-amz-target")).contains(
        "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");

    RecordedCall pull = take();
    assertThat(pull.qualifiedOperation()).isEqualTo("registry:GET manifest");
    assertThat(pull.method()).isEqualTo("GET");
    assertThat(pull.path()).isEqualTo("/v2/app/manifests/latest");
    assertThat(pull.identity()).contains(sessionArn);
    assertThat(pull.header("authorization")).contains("Basic " + RecordedCall.REDACTED);

    RecordedCall admin = take();
    assertThat(admin.qualifiedOperation()).isEqualTo("ecr:DescribeRepositories");
    assertThat(admin.identity()).contains(fake.accessKeyId());

    assertThat(fake.takeCall(Duration.ofMillis(50))).isEmpty();
    // Taking consumes; the journal keeps all four.
    assertThat(journal()).hasSize(4);
    String everything = journal().toString() + journal().stream()
        .map(RecordedCall::headers).toList();
    String password = new String(Base64.getDecoder().decode(basic.substring(6)),
        StandardCharsets.UTF_8).substring(4);
    assertThat(everything).doesNotContain(session.secretAccessKey(), session.sessionToken(),
        password, webIdentityToken, fake.secretAccessKey(), basic.substring(6), "Signature=0",
        "Signature=1", "Signature=2", "Signature=3", "Signature=4", "Signature=5", "Signature=6",
        "Signature=7", "Signature=8", "Signature=9", "Signature=a", "Signature=b", "Signature=c",
        "Signature=d", "Signature=e", "Signature=f");
  }

  @Test
  void takeCall_waitsForTheNextCall_andIsEmptyAfterTheTimeout() {
    CompletableFuture<?> later = CompletableFuture.runAsync(() -> {
      sleep(300);
      clients.adminSts.getCallerIdentity();
    });
    Optional<RecordedCall> call = fake.takeCall(Duration.ofSeconds(20));
    assertThat(call).get().extracting(RecordedCall::qualifiedOperation)
        .isEqualTo("sts:GetCallerIdentity");
    later.join();
    assertThat(fake.takeCall(Duration.ofMillis(100))).isEmpty();
    assertThatThrownBy(() -> fake.takeCall(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero or more");
  }

  @Test
  void awsErrorFault_onTheRegistry_isADockerError() throws Exception {
    String basic = basicAuth(clients.adminEcr);
    fake.failNext("registry:GET manifest", 1,
        Fault.awsError("TOOMANYREQUESTS", 429, "Rate exceeded"));

    HttpResponse<String> refused = getManifest(basic, Duration.ofSeconds(10));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("\"code\":\"TOOMANYREQUESTS\"", "Rate exceeded");
    assertThat(refused.headers().firstValue("Docker-Distribution-API-Version"))
        .contains("registry/2.0");
    assertThat(getManifest(basic, Duration.ofSeconds(10)).statusCode()).isEqualTo(200);

    List<RecordedCall> pulls = fake.requests().stream()
        .filter(c -> c.service().equals("registry")).toList();
    assertThat(pulls).extracting(RecordedCall::status).containsExactly(429, 200);
    assertThat(pulls.get(0).errorCode()).contains("TOOMANYREQUESTS");
    assertThat(pulls.get(0).fault()).contains(
        Fault.awsError("TOOMANYREQUESTS", 429, "Rate exceeded"));
    assertThat(pulls.get(1).fault()).isEmpty();
  }

  @Test
  void awsErrorFault_onSts_reachesTheSdkWithItsCode() {
    fake.failNext("sts:AssumeRoleWithWebIdentity", 1,
        Fault.awsError("IDPCommunicationError", 400));
    Throwable t = catchThrowable(() -> assume(fake.issuer().mint(Fixtures.APP)));
    assertAws(t, software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException.class,
        "IDPCommunicationError", 400, "Injected");
    assertThat(assume(fake.issuer().mint(Fixtures.APP)).accessKeyId()).startsWith("ASIA");
  }

  @Test
  void connectionReset_isRetriedBySdk_andFailsAPlainClient() throws Exception {
    fake.failNext("GetCallerIdentity", 1, Fault.connectionReset());
    assertThat(clients.adminSts.getCallerIdentity().account()).isEqualTo(fake.accountId());
    assertThat(journal()).extracting(RecordedCall::status).containsExactly(0, 200);
    assertThat(journal().get(0).fault()).containsInstanceOf(Fault.ConnectionReset.class);

    String basic = basicAuth(clients.adminEcr);
    // The JDK client itself retries an idempotent request once after a reset.
    fake.failNext("registry:*", 2, Fault.connectionReset());
    assertThatThrownBy(() -> getManifest(basic, Duration.ofSeconds(10)))
        .isInstanceOf(IOException.class);
    assertThat(getManifest(basic, Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
  }

  @Test
  void truncatedBody_breaksTheSdkParse_andThePlainClientsRead() throws Exception {
    fake.failNext("ecr:GetAuthorizationToken", 1, Fault.truncatedBody());
    try (EcrClient noRetries = software.amazon.awssdk.services.ecr.EcrClient.builder()
        .endpointOverride(fake.endpoint())
        .region(software.amazon.awssdk.regions.Region.of(fake.region()))
        .credentialsProvider(clients.admin())
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(
            software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
        .build()) {
      assertThatThrownBy(noRetries::getAuthorizationToken)
          .isInstanceOf(SdkClientException.class);
    }
    RecordedCall cut = journal().get(0);
    assertThat(cut.status()).isEqualTo(200);
    assertThat(cut.fault()).containsInstanceOf(Fault.TruncatedBody.class);

    String basic = basicAuth(clients.adminEcr);
    fake.failNext("registry:GET manifest", 1, Fault.truncatedBody());
    assertThatThrownBy(() -> getManifest(basic, Duration.ofSeconds(10)))
        .isInstanceOf(IOException.class);
    assertThat(getManifest(basic, Duration.ofSeconds(10)).body()).contains("schemaVersion");
  }

  @Test
  void hang_holdsTheCallUntilTheClientGivesUp_resetReleasesIt() throws Exception {
    String basic = basicAuth(clients.adminEcr);
    drain();
    fake.failNext("registry:GET manifest", 1, Fault.hang());
    CompletableFuture<HttpResponse<String>> pull = HTTP.sendAsync(HttpRequest.newBuilder(
        fake.registryEndpoint().resolve("app/manifests/latest")).header("Authorization", basic)
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    // The fake has the call, and holds it until the client gives up.
    RecordedCall hung = take();
    assertThat(hung.qualifiedOperation()).isEqualTo("registry:GET manifest");
    assertThat(hung.status()).isZero();
    assertThat(hung.fault()).contains(Fault.hang());
    Throwable gaveUp = catchThrowable(() -> pull.get(20, TimeUnit.SECONDS));
    assertThat(gaveUp).hasCauseInstanceOf(HttpTimeoutException.class);
    fake.reset();
    // The next calls are answered as usual.
    assertThat(HTTP.send(HttpRequest.newBuilder(fake.registryEndpoint()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
  }

  @Test
  void latencyFault_delaysTheNextRegistryCallOnly() throws Exception {
    fake.failNext("registry:GET /v2/", 1, Fault.latency(Duration.ofMillis(400)));
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      long start = System.nanoTime();
      HTTP.send(HttpRequest.newBuilder(fake.registryEndpoint()).build(),
          HttpResponse.BodyHandlers.discarding());
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
    assertThat(millis.get(0)).isGreaterThanOrEqualTo(400);
    assertThat(journal()).extracting(c -> c.fault().isPresent())
        .containsExactly(true, false);
  }

  @Test
  void addFault_appliesToEveryCallUntilReset() throws Exception {
    fake.addFault("registry:GET /v2/", Fault.awsError("UNAVAILABLE", 503));
    for (int i = 0; i < 2; i++) {
      assertThat(HTTP.send(HttpRequest.newBuilder(fake.registryEndpoint()).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(503);
    }
    fake.reset();
    assertThat(HTTP.send(HttpRequest.newBuilder(fake.registryEndpoint()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
  }

  @Test
  void badFaultArguments_areRefusedWithTheFix() {
    assertThatThrownBy(() -> fake.failNext("regsitry:GET manifest", 1, Fault.hang()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("regsitry:GET manifest").hasMessageContaining("registry");
    assertThatThrownBy(() -> fake.failNext("*", 0, Fault.hang()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("times >= 1");
    assertThatThrownBy(() -> Fault.awsError("Throttling", 200))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("400-599");
    assertThatThrownBy(() -> Fault.latency(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
