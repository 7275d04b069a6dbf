package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.RecordedCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link AuthCache} shared by the authenticators of many callers, as a build service or an
 * image scanner embedding the library would share it: each caller gets only its own answer, and a
 * caller whose token STS refuses gets STS's refusal, never another caller's cached login. Public
 * API only, real SDK clients, the fake's journal as the witness.
 */
class AuthCacheMultiTenantTest {
  private static final MutableClock CLOCK = new MutableClock(Instant.now());
  private static final String OTHER_ISSUER = "https://services.other.example.com/idp";
  private static final String LIB_URL = "https://github.com/acme/lib";
  private static FakeOidcIssuer otherIssuer;
  private static FakeAws fake;
  private static AwsFixture aws;

  @BeforeAll
  static void start() {
    otherIssuer = FakeOidcIssuer.builder().issuer(OTHER_ISSUER).clock(CLOCK).build();
    fake = FakeAws.builder().clock(CLOCK).additionalIssuer(otherIssuer).build().start();
    aws = new AwsFixture(fake);
  }

  @AfterAll
  static void stop() {
    aws.close();
    fake.close();
    otherIssuer.close();
  }

  @BeforeEach
  void setUp() {
    aws.setUp();
  }

  private static OidcEcrAuthenticator authenticator(String token, AuthCache cache, URI endpoint) {
    return OidcEcrAuthenticator.builder()
        .roleArn(aws.roleArn())
        .registry(aws.registry())
        .tokenSource(TokenSource.of(token))
        .sessionName("tenant")
        .endpoint(endpoint)
        .clock(CLOCK)
        .cache(cache)
        .build();
  }

  private static OidcEcrAuthenticator authenticator(String token, AuthCache cache) {
    return authenticator(token, cache, fake.endpoint());
  }

  private static List<RecordedCall> calls(FakeAws on, String operation) {
    return on.requests().stream().filter(c -> c.operation().equals(operation)).toList();
  }

  @Test
  void refusedRepository_getsStsRefusal_neverTheCachedLogin() {
    AuthCache shared = AuthCache.create();
    try (OidcEcrAuthenticator app = authenticator(aws.allowedToken(), shared);
        OidcEcrAuthenticator website = authenticator(
            fake.issuer().token().repository("https://github.com/acme/website").mint(), shared)) {
      assertThat(app.authenticate().password()).isNotEmpty();

      StsAuthenticationException e =
          catchThrowableOfType(StsAuthenticationException.class, website::authenticate);

      assertThat(e).isNotNull();
      assertThat(e.awsErrorCode()).contains("AccessDenied");
      assertThat(e.getMessage()).contains("sub=https://github.com/acme/website");
    }
    List<RecordedCall> sts = calls(fake, "AssumeRoleWithWebIdentity");
    assertThat(sts).hasSize(2);
    assertThat(sts.get(1).errorCode()).contains("AccessDenied");
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(1);
    assertThat(shared.size()).isEqualTo(1);
  }

  @Test
  void forgedTokenWithTheAllowedClaims_getsStsRefusal_neverTheCachedLogin() {
    AuthCache shared = AuthCache.create();
    String forged = fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL)
        .workspaceId("acme-app-0a1b2c3d").badSignature().mint();
    try (OidcEcrAuthenticator app = authenticator(aws.allowedToken(), shared);
        OidcEcrAuthenticator forger = authenticator(forged, shared)) {
      app.authenticate();
      // Same issuer, subject, audience and claims as the cached caller: only STS can tell.
      StsAuthenticationException e =
          catchThrowableOfType(StsAuthenticationException.class, forger::authenticate);
      assertThat(e).isNotNull();
      assertThat(e.awsErrorCode()).contains("InvalidIdentityToken");
    }
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(2);
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(1);
  }

  @Test
  void expiredTokenOfTheAllowedRepository_getsStsRefusal_neverTheCachedLogin() {
    AuthCache shared = AuthCache.create();
    String expired = fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL)
        .workspaceId("acme-app-0a1b2c3d").expired().mint();
    try (OidcEcrAuthenticator app = authenticator(aws.allowedToken(), shared);
        OidcEcrAuthenticator late = authenticator(expired, shared)) {
      app.authenticate();
      StsAuthenticationException e =
          catchThrowableOfType(StsAuthenticationException.class, late::authenticate);
      assertThat(e).isNotNull();
      assertThat(e.awsErrorCode()).contains("ExpiredTokenException");
    }
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(1);
  }

  @Test
  void allowedRepositoriesOfTwoIssuers_eachGetTheirOwnSessionAndLogin() {
    aws.iam.createOpenIDConnectProvider(r -> r.url(OTHER_ISSUER).clientIDList("sts.amazonaws.com"));
    aws.iam.updateAssumeRolePolicy(r -> r.roleName(AwsFixture.ROLE).policyDocument(
        trustBoth(fake.issuer(), AwsFixture.ALLOWED_REPO_URL, otherIssuer, LIB_URL)));
    AuthCache shared = AuthCache.create();
    DockerAuth first;
    DockerAuth second;
    try (OidcEcrAuthenticator app = authenticator(aws.allowedToken(), shared);
        OidcEcrAuthenticator lib = authenticator(otherIssuer.token().repository(LIB_URL).mint(),
            shared)) {
      first = app.authenticate();
      second = lib.authenticate();
      assertThat(app.authenticate()).isSameAs(first);
      assertThat(lib.authenticate()).isSameAs(second);
    }
    assertThat(second.password()).isNotEqualTo(first.password());
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(2)
        .allSatisfy(c -> assertThat(c.errorCode()).isEmpty());
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(2);
    assertThat(shared.size()).isEqualTo(2);
  }

  private static String trustBoth(FakeOidcIssuer a, String subA, FakeOidcIssuer b, String subB) {
    String statement = """
        {"Effect":"Allow","Principal":{"Federated":"%s"},
         "Action":"sts:AssumeRoleWithWebIdentity",
         "Condition":{"StringEquals":{"%s:aud":"sts.amazonaws.com","%s:sub":"%s"}}}""";
    return "{\"Version\":\"2012-10-17\",\"Statement\":["
        + statement.formatted(a.providerArn(fake.accountId()), a.conditionKeyPrefix(),
            a.conditionKeyPrefix(), subA)
        + ","
        + statement.formatted(b.providerArn(fake.accountId()), b.conditionKeyPrefix(),
            b.conditionKeyPrefix(), subB)
        + "]}";
  }

  @Test
  void sameTokenAgainstASecondEndpoint_getsThatEndpointsOwnLogin() throws Exception {
    // A second AWS (same account, region, role name and issuer): only the endpoint differs.
    try (FakeAws second = FakeAws.builder().clock(CLOCK).issuer(fake.issuer()).build().start();
        AwsFixture secondAws = new AwsFixture(second)) {
      secondAws.setUp();
      assertThat(secondAws.roleArn()).isEqualTo(aws.roleArn());
      AuthCache shared = AuthCache.create();
      String token = aws.allowedToken();
      DockerAuth fromFirst;
      DockerAuth fromSecond;
      try (OidcEcrAuthenticator one = authenticator(token, shared);
          OidcEcrAuthenticator two = authenticator(token, shared, second.endpoint())) {
        fromFirst = one.authenticate();
        fromSecond = two.authenticate();
      }
      assertThat(fromSecond.password()).isNotEqualTo(fromFirst.password());
      assertThat(calls(second, "AssumeRoleWithWebIdentity")).hasSize(1);
      assertThat(calls(second, "GetAuthorizationToken")).hasSize(1);
      assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(1);
      // Each login opens its own endpoint's registry.
      HttpResponse<String> pull = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(second.endpoint().resolve("/v2/acme/app/manifests/latest"))
              .header("Authorization", fromSecond.authorizationHeader())
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(pull.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void sixteenThreadsOfOneIdentity_oneStsCall() throws Exception {
    AuthCache shared = AuthCache.create();
    String token = aws.allowedToken();
    List<OidcEcrAuthenticator> tenants = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tenants.add(authenticator(token, shared));
    }
    List<DockerAuth> answers = concurrently(tenants);
    tenants.forEach(OidcEcrAuthenticator::close);

    assertThat(answers).allSatisfy(a -> assertThat(a).isSameAs(answers.get(0)));
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(1);
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(1);
  }

  @Test
  void sixteenThreadsOfSixteenIdentities_sixteenStsCalls_noneServedAnothersAnswer()
      throws Exception {
    AuthCache shared = AuthCache.create();
    List<OidcEcrAuthenticator> tenants = new ArrayList<>();
    for (int i = 1; i <= 16; i++) {
      // Sixteen subjects the trust policy allows (https://github.com/acme/app/*).
      String sub = AwsFixture.ALLOWED_REPO_URL + "/pull/" + i;
      tenants.add(authenticator(fake.issuer().token().subject(sub).workspaceId("ws-" + i).mint(),
          shared));
    }
    List<DockerAuth> answers = concurrently(tenants);

    Set<String> passwords = new HashSet<>();
    answers.forEach(a -> passwords.add(a.password()));
    assertThat(passwords).hasSize(16);
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(16)
        .allSatisfy(c -> assertThat(c.errorCode()).isEmpty());
    assertThat(calls(fake, "GetAuthorizationToken")).hasSize(16);
    // Asked again, each tenant is served its own cached answer, with no further call.
    for (int i = 0; i < 16; i++) {
      assertThat(tenants.get(i).authenticate()).isSameAs(answers.get(i));
    }
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(16);
    tenants.forEach(OidcEcrAuthenticator::close);
  }

  /** Runs each authenticator's authenticate() on its own thread, all released at once. */
  private static List<DockerAuth> concurrently(List<OidcEcrAuthenticator> tenants)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tenants.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<DockerAuth>> futures = new ArrayList<>();
      for (OidcEcrAuthenticator t : tenants) {
        Callable<DockerAuth> call = () -> {
          go.await(10, TimeUnit.SECONDS);
          return t.authenticate();
        };
        futures.add(pool.submit(call));
      }
      go.countDown();
      List<DockerAuth> answers = new ArrayList<>();
      for (Future<DockerAuth> f : futures) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void keyDocumentedInAuthCacheJavadoc_holdsForAnEnvironmentEndpoint() {
    // AWS_ENDPOINT_URL from the environment is part of the key like endpoint(...): an
    // authenticator configured through the environment shares the entry with one configured
    // in code for the same endpoint, and only with it.
    AuthCache shared = AuthCache.create();
    String token = aws.allowedToken();
    try (OidcEcrAuthenticator inCode = authenticator(token, shared);
        OidcEcrAuthenticator fromEnv = OidcEcrAuthenticator.builder()
            .roleArn(aws.roleArn())
            .registry(aws.registry())
            .tokenSource(TokenSource.of(token))
            .sessionName("tenant")
            .environment(Map.of("AWS_ENDPOINT_URL", fake.endpoint().toString()))
            .clock(CLOCK)
            .cache(shared)
            .build()) {
      assertThat(fromEnv.authenticate()).isSameAs(inCode.authenticate());
    }
    assertThat(calls(fake, "AssumeRoleWithWebIdentity")).hasSize(1);
  }
}
