package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.testing.FakeAws;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;

class OidcEcrAuthenticatorTest {
  private static final MutableClock CLOCK = new MutableClock(Instant.now());
  private static FakeAws fake;
  private static AwsFixture aws;

  private final List<Duration> sleeps = new ArrayList<>();

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().clock(CLOCK).build().start();
    aws = new AwsFixture(fake);
  }

  @AfterAll
  static void stop() {
    aws.close();
    fake.close();
  }

  @BeforeEach
  void setUp() {
    aws.setUp();
  }

  /** A token source that mints a fresh allowed token at each fetch, and counts fetches. */
  private static final class MintingSource implements TokenSource {
    final AtomicInteger fetches = new AtomicInteger();
    final Supplier<String> mint;

    MintingSource(Supplier<String> mint) {
      this.mint = mint;
    }

    @Override
    public Optional<WebIdentityToken> find() {
      fetches.incrementAndGet();
      return Optional.of(WebIdentityToken.parse(mint.get()));
    }

    @Override
    public String describe() {
      return "test minter";
    }
  }

  private OidcEcrAuthenticator.Builder authenticator(TokenSource tokens) {
    return OidcEcrAuthenticator.builder()
        .roleArn(aws.roleArn())
        .registry(aws.registry())
        .tokenSource(tokens)
        .endpoint(fake.endpoint())
        .environment(Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d"))
        .clock(CLOCK)
        .sleeper(sleeps::add);
  }

  private OidcEcrAuthenticator authenticator(String token) {
    return authenticator(TokenSource.of(token)).build();
  }

  @Test
  void authenticate_allowedToken_returnsLoginThatPullsFromTheRegistry() throws Exception {
    DockerAuth auth;
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      auth = a.authenticate();
    }

    assertThat(auth.registryHost()).isEqualTo(aws.registry().host());
    assertThat(auth.username()).isEqualTo("AWS");
    assertThat(Duration.between(CLOCK.instant(), auth.expiresAt().orElseThrow()))
        .isBetween(Duration.ofHours(12).minusSeconds(1), Duration.ofHours(12).plusSeconds(1));
    // The login really opens the registry: pull the seeded manifest with it.
    HttpResponse<String> manifest = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(fake.endpoint().resolve("/v2/acme/app/manifests/latest"))
            .header("Authorization", auth.authorizationHeader())
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.body()).contains("schemaVersion");
  }

  @Test
  void authenticate_sessionNameComesFromTheWorkspaceId() {
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      assertThat(a.sessionName())
          .isEqualTo("acme-app-0a1b2c3d-" + CLOCK.instant().getEpochSecond());
    }
  }

  @Test
  void authenticate_twice_secondCallIsServedFromCache() {
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      DockerAuth first = a.authenticate();
      DockerAuth second = a.authenticate();
      assertThat(second).isSameAs(first);
    }
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
    assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(1);
  }

  @Test
  void authenticate_ecrTokenKeptUntilHalfItsLife_thenRefreshedWithANewSession() {
    MintingSource tokens = new MintingSource(aws::allowedToken);
    try (OidcEcrAuthenticator a = authenticator(tokens).build()) {
      DockerAuth first = a.authenticate();
      CLOCK.advance(Duration.ofHours(6).minusSeconds(1));
      // A fresh token of the same caller: STS judges it once, then the cached login serves it.
      assertThat(a.authenticate()).isSameAs(first);
      assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(1);
      assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);

      CLOCK.advance(Duration.ofSeconds(2));
      DockerAuth second = a.authenticate();
      assertThat(second.password()).isNotEqualTo(first.password());
      // Past half its life: a new session (with the token read for this call) and a new login.
      assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(3);
      assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(2);
      // One token read per authenticate(), hit or miss.
      assertThat(tokens.fetches).hasValue(3);
    }
  }

  @Test
  void authenticate_sessionReusedUntilFiveMinutesBeforeItExpires() {
    // One token for the hour: a new token would be judged by STS (see AuthCache).
    TokenSource tokens = TokenSource.of(aws.allowedToken());
    AuthCache cache = AuthCache.create();
    try (OidcEcrAuthenticator a = authenticator(tokens).cache(cache).build()) {
      a.authenticate();
      // Another registry needs another ECR call, but the session is still good.
      CLOCK.advance(Duration.ofMinutes(54));
      a.authenticate(EcrRegistry.of("210987654321", fake.region()));
      assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
      assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(2);

      // Within five minutes of the session's end: a new session first.
      CLOCK.advance(Duration.ofMinutes(2));
      a.authenticate(EcrRegistry.of("310987654321", fake.region()));
      assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
      assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(3);
      assertThat(cache.size()).isEqualTo(3);
    }
  }

  @Test
  void authenticate_cacheSharedBetweenAuthenticators_ofTheSameCallerAndToken() {
    AuthCache cache = AuthCache.create();
    try (OidcEcrAuthenticator a = authenticator(TokenSource.of(aws.allowedToken()))
            .cache(cache).build();
        OidcEcrAuthenticator b = authenticator(TokenSource.of(aws.allowedToken()))
            .cache(cache).build()) {
      assertThat(b.authenticate()).isSameAs(a.authenticate());
    }
    assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(1);
  }

  @Test
  void authenticate_neverReturnsAnExpiredLogin() {
    try (OidcEcrAuthenticator a = authenticator(new MintingSource(aws::allowedToken)).build()) {
      DockerAuth first = a.authenticate();
      CLOCK.advance(Duration.ofHours(13));
      DockerAuth later = a.authenticate();
      assertThat(later.isExpired(CLOCK)).isFalse();
      assertThat(later).isNotSameAs(first);
    }
  }

  @Test
  void authenticate_sixteenThreadsAtOnce_oneStsAndOneEcrCall() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<DockerAuth>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> {
          go.await(10, TimeUnit.SECONDS);
          return a.authenticate();
        }));
      }
      go.countDown();
      DockerAuth first = results.get(0).get(30, TimeUnit.SECONDS);
      for (Future<DockerAuth> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
    assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(1);
  }

  @Test
  void authenticate_tokenForAnotherRepository_accessDeniedNamesSubAndTrustPolicy() {
    String token = fake.issuer().token().repository("https://github.com/acme/app-evil").mint();
    StsAuthenticationException e;
    try (OidcEcrAuthenticator a = authenticator(token)) {
      e = catchThrowableOfType(StsAuthenticationException.class, a::authenticate);
    }
    assertThat(e.awsErrorCode()).contains("AccessDenied");
    assertThat(e.requestId()).isPresent();
    assertThat(e.getMessage())
        .contains("trust policy")
        .contains("sub=https://github.com/acme/app-evil")
        .contains("services.gitpod.example.com/idp:sub")
        .contains(aws.roleArn())
        .doesNotContain(token);
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).as("not retried").isEqualTo(1);
  }

  @Test
  void authenticate_wrongAudience_saysToAddItToTheProviderClientIds() {
    String token = fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL)
        .audience("my-app").mint();
    try (OidcEcrAuthenticator a = authenticator(token)) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .hasMessageContaining("audience [my-app]")
          .hasMessageContaining("client IDs")
          .satisfies(t -> assertThat(((OidcEcrException) t).awsErrorCode())
              .contains("InvalidIdentityToken"));
    }
  }

  @Test
  void authenticate_noProviderForIssuer_namesTheIssuerUrl() {
    aws.iam.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(fake.providerArn()));
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .hasMessageContaining("no IAM OIDC provider for issuer "
              + fake.issuer().issuer())
          .satisfies(t -> assertThat(((OidcEcrException) t).awsErrorCode())
              .contains("InvalidIdentityToken"));
    }
  }

  @Test
  void authenticate_expiredToken_pointsAtTheClockAndAFreshToken() {
    String token = fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL).expired().mint();
    try (OidcEcrAuthenticator a = authenticator(token)) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .hasMessageContaining("expired")
          .hasMessageContaining("clock")
          .hasMessageContaining("gp idp token")
          .satisfies(t -> assertThat(((OidcEcrException) t).awsErrorCode())
              .contains("ExpiredTokenException"));
    }
  }

  @Test
  void authenticate_permissionPolicyWithoutGetAuthorizationToken_accessDeniedNamesPolicy() {
    aws.setUp(PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:BatchGetImage")
            .addResources(fake.repositoryArn(AwsFixture.REPOSITORY)))
        .build());
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("ecr:GetAuthorizationToken")
          .hasMessageContaining("permission policy")
          .satisfies(t -> assertThat(((OidcEcrException) t).awsErrorCode())
              .contains("AccessDeniedException"));
    }
  }

  @Test
  void authenticate_idpCommunicationErrorAndThrottling_retriedWithBackoff() {
    fake.failNext("AssumeRoleWithWebIdentity", 2, "IDPCommunicationError", 400);
    fake.failNext("GetAuthorizationToken", 1, "ThrottlingException", 400);
    try (OidcEcrAuthenticator a = authenticator(aws.allowedToken())) {
      assertThat(a.authenticate().password()).isNotEmpty();
    }
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(3);
    assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(2);
    assertThat(sleeps).hasSize(3);
    assertThat(sleeps.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void authenticate_serverErrorsBeyondTheDeadline_giveUpWithTheLastError() {
    fake.failNext("AssumeRoleWithWebIdentity", 100, "InternalFailure", 500);
    try (OidcEcrAuthenticator a = authenticator(TokenSource.of(aws.allowedToken()))
        .retryDeadline(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .satisfies(t -> assertThat(((OidcEcrException) t).awsErrorCode())
              .contains("InternalFailure"));
    }
    long calls = aws.calls("AssumeRoleWithWebIdentity");
    assertThat(calls).isBetween(2L, 8L);
    assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus))
        .isLessThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void credentialsProvider_givesSessionCredentialsForOtherClients_freshTokenPerRefresh() {
    MintingSource tokens = new MintingSource(aws::allowedToken);
    try (OidcEcrAuthenticator a = authenticator(tokens).build();
        StsAssumeRoleWithWebIdentityCredentialsProvider provider = a.credentialsProvider();
        EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
            .region(Region.of(fake.region())).httpClient(aws.http)
            .credentialsProvider(provider).build()) {
      AwsCredentials credentials = provider.resolveCredentials();
      assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
      assertThat(credentials.accessKeyId()).startsWith("ASIA");
      // A pull action the role's permission policy grants, signed with the session.
      assertThat(ecr.batchGetImage(r -> r.repositoryName(AwsFixture.REPOSITORY)
          .imageIds(i -> i.imageTag("latest"))).images()).hasSize(1);
      assertThat(tokens.fetches).hasValue(1);
    }
  }

  @Test
  void builder_requiresRoleAndRegistry_withHelpfulMessages() {
    assertThatThrownBy(() -> OidcEcrAuthenticator.builder().registry(aws.registry()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("roleArn(...) is required");
    assertThatThrownBy(() -> OidcEcrAuthenticator.builder().roleArn(aws.roleArn()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("registry(...)");
    assertThatThrownBy(() -> OidcEcrAuthenticator.builder()
        .roleArn("arn:aws:iam::123456789012:user/alice"))
        .isInstanceOf(InvalidRoleArnException.class);
    assertThatThrownBy(() -> OidcEcrAuthenticator.builder().duration(Duration.ofMinutes(5)))
        .hasMessageContaining("PT15M to PT12H");
    assertThatThrownBy(() -> OidcEcrAuthenticator.builder().sessionName("a b"))
        .hasMessageContaining("2-64");
  }

  @Test
  void builder_honoursAwsEndpointUrlFromTheEnvironment() {
    try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder()
        .roleArn(aws.roleArn())
        .registry(aws.registry().host())
        .tokenSource(TokenSource.of(aws.allowedToken()))
        .environment(Map.of("AWS_ENDPOINT_URL", fake.endpoint().toString()))
        .clock(CLOCK)
        .build()) {
      assertThat(a.authenticate().registryHost()).isEqualTo(aws.registry().host());
    }
  }

  @Test
  void toString_namesRoleAndRegistryButNoToken() {
    String token = aws.allowedToken();
    try (OidcEcrAuthenticator a = authenticator(token)) {
      DockerAuth auth = a.authenticate();
      assertThat(a.toString()).contains(aws.roleArn()).contains(aws.registry().host())
          .doesNotContain(token);
      assertThat(auth.toString()).doesNotContain(auth.password());
    }
  }

  @Test
  void endpointOverride_unreachable_failsWithNetworkHintAfterRetries() {
    try (OidcEcrAuthenticator a = authenticator(TokenSource.of(aws.allowedToken()))
        .endpoint(URI.create("http://127.0.0.1:9")).retryDeadline(Duration.ofSeconds(1))
        .build()) {
      assertThatThrownBy(a::authenticate)
          .isInstanceOf(StsAuthenticationException.class)
          .hasMessageContaining("Could not reach STS")
          .hasMessageContaining("network");
    }
  }
}
