package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.testing.Fault;
import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lean login path (STS and ECR over {@code HttpURLConnection}, SigV4 signed by
 * {@code SigV4Signer}) against the SDK clients' path: each case runs both against the same fake
 * (which checks SigV4 signatures with the session's secret) or the same scripted server, and
 * compares what a caller sees: the login, or the exception's class, message, AWS error code and
 * cause class; and the calls made and retries slept.
 */
class LeanLoginParityTest {
  private static final MutableClock CLOCK = new MutableClock(Instant.now());
  private static FakeAws fake;
  private static AwsFixture aws;

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

  /** What one path gave: a login or a failure, the calls it made and the retries it slept. */
  private record Outcome(String login, String failure, Map<String, Long> calls, int sleeps) {}

  private Outcome run(boolean lean, String token, URI endpoint,
      Consumer<OidcEcrAuthenticator.Builder> more, Runnable arrange) {
    aws.setUp();
    arrange.run();
    List<Duration> sleeps = new ArrayList<>();
    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder()
        .roleArn(aws.roleArn())
        .registry(aws.registry())
        .tokenSource(TokenSource.of(token))
        .endpoint(endpoint)
        .environment(Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d"))
        .clock(CLOCK)
        .sleeper(sleeps::add)
        .lean(lean);
    more.accept(b);
    String login = null;
    String failure = null;
    try (OidcEcrAuthenticator a = b.build()) {
      DockerAuth auth = a.authenticate();
      // A second call is a cache hit on either path: no more calls.
      assertThat(a.authenticate()).isEqualTo(auth);
      login = auth.registryHost() + " " + auth.username() + " expires "
          + auth.expiresAt().map(i -> i.getEpochSecond() / 60).orElse(null) + " password "
          + (auth.password().length() > 100);
    } catch (OidcEcrException e) {
      failure = e.getClass().getSimpleName() + ": " + e.getMessage() + " [code "
          + e.awsErrorCode().orElse(null) + ", request id " + e.requestId().isPresent()
          + ", cause " + (e.getCause() == null ? null : e.getCause().getClass().getName()) + "]";
    }
    Map<String, Long> calls = Map.of(
        "sts", aws.calls("AssumeRoleWithWebIdentity"),
        "ecr", aws.calls("GetAuthorizationToken"));
    return new Outcome(login, failure, calls, sleeps.size());
  }

  private void assertSame(String token, URI endpoint,
      Consumer<OidcEcrAuthenticator.Builder> more, Runnable arrange) {
    Outcome sdk = run(false, token, endpoint, more, arrange);
    Outcome lean = run(true, token, endpoint, more, arrange);
    assertThat(lean).isEqualTo(sdk);
  }

  private void assertSame(String token, Runnable arrange) {
    assertSame(token, fake.endpoint(), b -> { }, arrange);
  }

  @Test
  void allowedToken_sameLogin_oneCallEach_signatureCheckedByTheFake() {
    Outcome sdk = run(false, aws.allowedToken(), fake.endpoint(), b -> { }, () -> { });
    Outcome lean = run(true, aws.allowedToken(), fake.endpoint(), b -> { }, () -> { });
    assertThat(sdk.login()).isNotNull();
    assertThat(lean).isEqualTo(sdk);
    assertThat(lean.calls()).isEqualTo(Map.of("sts", 1L, "ecr", 1L));
  }

  @Test
  void leanLogin_isAcceptedByTheFakesRegistry() throws Exception {
    aws.setUp();
    try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder().roleArn(aws.roleArn())
        .registry(aws.registry()).tokenSource(TokenSource.of(aws.allowedToken()))
        .endpoint(fake.endpoint()).environment(Map.of()).clock(CLOCK).lean(true).build()) {
      DockerAuth auth = a.authenticate();
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(URI.create("http://" + fake.registryAddress()
              + "/v2/" + AwsFixture.REPOSITORY + "/manifests/latest"))
              .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                  (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)))
              .header("Accept", "application/vnd.oci.image.manifest.v1+json,"
                  + "application/vnd.docker.distribution.manifest.v2+json")
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void stsRefusals_sameExceptionsAndMessages() {
    assertSame(fake.issuer().token().repository("https://github.com/acme/app-evil").mint(),
        () -> { });
    assertSame(fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL)
        .audience("my-app").mint(), () -> { });
    assertSame(fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL).expired().mint(),
        () -> { });
    assertSame(aws.allowedToken(), () -> aws.iam.deleteOpenIDConnectProvider(
        r -> r.openIDConnectProviderArn(fake.providerArn())));
  }

  @Test
  void ecrRefusal_sameAccessDenied() {
    String token = aws.allowedToken();
    assertSame(token, fake.endpoint(), b -> { }, () -> aws.setUp(PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:BatchGetImage")
            .addResources(fake.repositoryArn(AwsFixture.REPOSITORY)))
        .build()));
  }

  @Test
  void throttlingAndIdpErrors_retriedAlike() {
    assertSame(aws.allowedToken(), () -> {
      fake.failNext("AssumeRoleWithWebIdentity", 2, "IDPCommunicationError", 400);
      fake.failNext("GetAuthorizationToken", 1, "ThrottlingException", 400);
    });
    assertSame(aws.allowedToken(), () -> {
      fake.failNext("AssumeRoleWithWebIdentity", 1, "Throttling", 400);
      fake.failNext("GetAuthorizationToken", 2, "ServerException", 500);
    });
  }

  @Test
  void connectionResetAndTruncatedBody_retriedAlike() {
    assertSame(aws.allowedToken(), () -> {
      fake.failNext("AssumeRoleWithWebIdentity", 1, Fault.connectionReset());
      fake.failNext("GetAuthorizationToken", 1, Fault.connectionReset());
    });
  }

  @Test
  void serverErrorsUntilTheDeadline_sameLastError() {
    // Both give up at the deadline; how many attempts fit depends on timing, not on the path.
    for (boolean lean : new boolean[] {false, true}) {
      Outcome o = run(lean, aws.allowedToken(), fake.endpoint(),
          b -> b.retryDeadline(Duration.ofSeconds(1)),
          () -> fake.failNext("AssumeRoleWithWebIdentity", 100, "InternalFailure", 500));
      assertThat(o.failure()).as("lean " + lean).startsWith("StsAuthenticationException: STS"
          + " failed to assume " + aws.roleArn() + " with code InternalFailure (Injected fault")
          .endsWith("[code InternalFailure, request id true,"
              + " cause software.amazon.awssdk.services.sts.model.StsException]");
    }
  }

  @Test
  void hangingServer_cutOffAtTheDeadline_alike() {
    String token = aws.allowedToken();
    Consumer<OidcEcrAuthenticator.Builder> twoSeconds = b -> b.retryDeadline(Duration.ofSeconds(2));
    for (String op : List.of("AssumeRoleWithWebIdentity", "GetAuthorizationToken")) {
      Outcome sdk = run(false, token, fake.endpoint(), twoSeconds,
          () -> fake.failNext(op, 1, Fault.hang()));
      long start = System.nanoTime();
      Outcome lean = run(true, token, fake.endpoint(), twoSeconds,
          () -> fake.failNext(op, 1, Fault.hang()));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(lean).isEqualTo(sdk);
      assertThat(lean.failure()).contains("cut off").contains("2 s");
    }
  }

  @Test
  void dripFeedingServer_cutOffAtTheDeadline_alike() throws Exception {
    try (ServerSocket drip = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!drip.isClosed()) {
          try {
            Socket s = drip.accept();
            Thread d = new Thread(() -> drip(s));
            d.setDaemon(true);
            d.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      URI endpoint = URI.create("http://127.0.0.1:" + drip.getLocalPort());
      assertSame(aws.allowedToken(), endpoint, b -> b.retryDeadline(Duration.ofSeconds(2)),
          () -> { });
    }
  }

  /** Sends the status line and headers one byte every 300 ms, so no read ever times out. */
  private static void drip(Socket s) {
    try (s; OutputStream out = s.getOutputStream()) {
      s.getInputStream().read(new byte[65536]);
      for (byte b : "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII)) {
        out.write(b);
        out.flush();
        Thread.sleep(300);
      }
    } catch (IOException | InterruptedException e) {
      // The client hung up.
    }
  }

  @Test
  void unreachableEndpoint_sameNetworkError() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    URI closed = URI.create("http://127.0.0.1:" + closedPort);
    Consumer<OidcEcrAuthenticator.Builder> oneSecond = b -> b.retryDeadline(Duration.ofSeconds(1));
    Outcome sdk = run(false, aws.allowedToken(), closed, oneSecond, () -> { });
    Outcome lean = run(true, aws.allowedToken(), closed, oneSecond, () -> { });
    // Both retry until the deadline; how many attempts fit depends on each attempt's speed.
    assertThat(lean.failure()).isEqualTo(sdk.failure()).contains("Connection refused");
    assertThat(lean.sleeps()).isPositive();
    assertThat(sdk.sleeps()).isPositive();
  }

  @Test
  void nonAwsAnswers_sameMessages() throws Exception {
    AtomicReference<String[]> sts = new AtomicReference<>();
    AtomicReference<String[]> ecr = new AtomicReference<>();
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      boolean isEcr = ex.getRequestHeaders().containsKey("X-amz-target");
      String[] answer = isEcr ? ecr.get() : sts.get();
      byte[] body = answer[2].getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", answer[1]);
      ex.sendResponseHeaders(Integer.parseInt(answer[0]), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/proxy");
      Instant expires = Instant.now().plus(Duration.ofHours(1));
      String[] stsOk = {"200", "text/xml", "<AssumeRoleWithWebIdentityResponse xmlns=\""
          + "https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>"
          + "<Credentials><AccessKeyId>ASIAFAKE</AccessKeyId><SecretAccessKey>s3cr3t"
          + "</SecretAccessKey><SessionToken>sess</SessionToken><Expiration>" + expires
          + "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:"
          + "assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleWithWebIdentityResult>"
          + "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
          + "</AssumeRoleWithWebIdentityResponse>"};
      String html = "<html><body>Access denied by proxy</body></html>";
      List<String[][]> cases = List.of(
          new String[][] {{"403", "text/html", html}, null},
          new String[][] {{"407", "text/html", html}, null},
          new String[][] {{"404", "text/plain", "not found"}, null},
          new String[][] {{"302", "text/html", ""}, null},
          new String[][] {{"200", "text/xml", "<AssumeRoleWithWebIdentityResponse>"
              + "<AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResult>"
              + "</AssumeRoleWithWebIdentityResponse>"}, null},
          new String[][] {{"200", "text/html", "<html><body>Sign in to the Wi-Fi"}, null},
          new String[][] {stsOk, {"200", "text/html", "<html><body>Sign in to the Wi-Fi"}},
          new String[][] {{"400", "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>"
              + "ValidationError</Code><Message>1 validation error</Message></Error>"
              + "<RequestId>r2</RequestId></ErrorResponse>"}, null},
          new String[][] {stsOk, {"200", "application/x-amz-json-1.1", "{}"}},
          new String[][] {stsOk, {"200", "application/x-amz-json-1.1",
              "{\"authorizationData\":[{\"proxyEndpoint\":\"https://x\"}]}"}},
          new String[][] {stsOk, {"200", "application/x-amz-json-1.1",
              "{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\","
                  + "\"expiresAt\":1000000000.5}]}"}},
          new String[][] {stsOk, {"403", "text/html", html}},
          new String[][] {stsOk, {"400", "application/x-amz-json-1.1",
              "{\"__type\":\"com.amazonaws.ecr#AccessDeniedException\",\"message\":\"no\"}"}},
          new String[][] {stsOk, {"200", "application/x-amz-json-1.1",
              "{\"authorizationData\":[{\"authorizationToken\":\"QVdTOnB3\",\"expiresAt\":"
                  + (expires.getEpochSecond() + 0.25) + ",\"proxyEndpoint\":\"https://x\"}]}"}});
      for (String[][] c : cases) {
        sts.set(c[0]);
        ecr.set(c[1]);
        // Retried answers (an unreadable body is retried as I/O) make all 8 attempts within
        // 30 s of the test's sleeper, which does not really wait: the outcome is not timing's.
        Outcome sdk = run(false, aws.allowedToken(), base,
            b -> b.retryDeadline(Duration.ofSeconds(30)), () -> { });
        Outcome lean = run(true, aws.allowedToken(), base,
            b -> b.retryDeadline(Duration.ofSeconds(30)), () -> { });
        assertThat(lean).as(c[0][0] + " " + (c[1] == null ? "" : c[1][0] + " " + c[1][2]))
            .isEqualTo(sdk);
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void givenSdkClientOrLeanOff_usesTheSdkClients() {
    // The SDK path's own clients record a User-Agent of the SDK; the lean path's is "oidc-ecr".
    for (Map<String, String> env : List.of(Map.of("OIDC_ECR_LEAN", "off"), Map.<String, String>of())) {
      aws.setUp();
      try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder().roleArn(aws.roleArn())
          .registry(aws.registry()).tokenSource(TokenSource.of(aws.allowedToken()))
          .endpoint(fake.endpoint()).environment(env).clock(CLOCK).build()) {
        a.authenticate();
      }
      String agent = fake.requests().stream()
          .filter(c -> c.operation().equals("AssumeRoleWithWebIdentity")).findFirst()
          .orElseThrow().header("user-agent").orElse("");
      assertThat(agent).as(env.toString())
          .startsWith(env.isEmpty() ? "oidc-ecr" : "aws-sdk-java");
    }
  }
}
