package dev.oidcecr.examples.launcher;

import static dev.oidcecr.examples.launcher.Launcher.assertOneSentence;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.oidcecr.examples.launcher.Launcher.Result;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 through the built launchers: every fault and bad input ends in one sentence, the
 * documented exit code and no secret.
 */
@WithFakeAws
class LauncherHardeningTest {
  private static final String ROLE = "arn:aws:iam::123456789012:role/gitpod-ecr-pull";
  private static final String HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  @TempDir Path dir;

  private Launcher launcher() throws IOException {
    return new Launcher(Launcher.BUILT, dir);
  }

  private Path token(String text) throws IOException {
    return Files.writeString(dir.resolve("token-" + text.length()), text);
  }

  @Test
  void credentialHelper_answersEveryActionAsTheProtocolDoes() throws Exception {
    Launcher l = launcher();
    Result bogus = l.helper("", "bogus");
    assertThat(bogus.code()).as(bogus.all()).isEqualTo(1);
    assertThat(bogus.out()).isEqualTo("Unknown credential action `bogus`\n");
    assertThat(bogus.err()).isEmpty();
    Result store = l.helper("{\"ServerURL\":\"" + HOST + "\",\"Username\":\"AWS\",\"Secret\":\"s\"}",
        "store");
    assertThat(store.code()).as(store.all()).isEqualTo(1);
    assertThat(store.out()).isEqualTo("not implemented\n");
    Result erase = l.helper("", "erase");
    assertThat(erase.code()).isEqualTo(1);
    assertThat(erase.out()).isEqualTo("no credentials server URL\n");
    Result list = l.helper("", "list");
    assertThat(list.code()).as(list.all()).isZero();
    assertThat(new ObjectMapper().readTree(list.out()).isObject()).isTrue();
    Result none = l.helper("");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.out()).startsWith("Usage: docker-credential-oidc-ecr <store|get|erase|list|version>");
  }

  @Test
  void everyCommand_withBadInput_exitsAsHelpSaysWithOneSentence() throws Exception {
    Launcher l = launcher();
    Path tok = token("x.y.z");
    record Case(int code, Map<String, String> env, List<String> args) {}
    List<Case> cases = List.of(
        new Case(2, Map.of(), List.of()),
        new Case(2, Map.of(), List.of("bogus")),
        new Case(2, Map.of(), List.of("login", "--bogus")),
        new Case(2, Map.of(), List.of("login", "--role-arn", "foo", "--registry", HOST)),
        new Case(2, Map.of("OIDC_ECR_ROLE_ARN", "arn:aws:iam::12:role/x"),
            List.of("login", "--registry", HOST)),
        new Case(2, Map.of(), List.of("login", "--role-arn", ROLE, "--registry", "docker.io")),
        new Case(2, Map.of("OIDC_ECR_REGISTRY", "not a registry"),
            List.of("login", "--role-arn", ROLE)),
        new Case(2, Map.of(), List.of("login", "--role-arn", ROLE, "--registry", HOST,
            "--duration", "5")),
        new Case(2, Map.of(), List.of("login", "--role-arn", ROLE, "--registry", HOST,
            "--session-name", "a b")),
        new Case(2, Map.of("OIDC_ECR_TIMEOUT", "soon"),
            List.of("login", "--role-arn", ROLE, "--registry", HOST)),
        new Case(2, Map.of(), List.of("setup", "--gitpod-domain", "gitpod.example.com")),
        new Case(2, Map.of(), List.of("doctor", "--role-arn", "arn:aws:iam::123:user/x")),
        new Case(1, Map.of(), List.of("login", "--role-arn", ROLE, "--registry", HOST,
            "--token-file", tok.toString())));
    for (Case c : cases) {
      l.env.keySet().removeIf(k -> k.startsWith("OIDC_ECR_"));
      l.env.putAll(c.env());
      Result r = l.oidcEcr(c.args().toArray(String[]::new));
      assertThat(r.code()).as(c + "\n" + r.all()).isEqualTo(c.code());
      assertThat(r.out()).as(c + "\n" + r.all()).isEmpty();
      assertOneSentence(r);
    }
    // A stack trace only with --debug.
    l.env.keySet().removeIf(k -> k.startsWith("OIDC_ECR_"));
    Result debug = l.oidcEcr("login", "--debug", "--role-arn", "foo", "--registry", HOST);
    assertThat(debug.code()).isEqualTo(2);
    assertThat(debug.err()).contains("\tat ");
  }

  @Test
  void nonAwsAnswers_becomeErrorsNamingEndpointStatusAndWhatToCheck() throws Exception {
    java.util.concurrent.atomic.AtomicInteger answer = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      int status = answer.get();
      byte[] body = status == 200
          ? ("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResult>"
              + "</AssumeRoleWithWebIdentityResponse>").getBytes(StandardCharsets.UTF_8)
          : "<html><body>Access denied by proxy</body></html>".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", status == 200 ? "text/xml" : "text/html");
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      Launcher l = launcher();
      Path tok = token(FakeOidcIssuer.create().start().mint("https://github.com/acme/app"));
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      for (String path : List.of("/s403", "/s404", "/s407", "/ok200")) {
        answer.set(path.startsWith("/s") ? Integer.parseInt(path.substring(2)) : 200);
        Result r = l.oidcEcr("login", "--role-arn", ROLE, "--registry", HOST, "--token-file",
            tok.toString(), "--endpoint-url", base + path, "--print");
        assertThat(r.code()).as(r.all()).isEqualTo(1);
        assertOneSentence(r);
        assertThat(r.err()).as(r.all()).contains(base + path)
            .doesNotContain("NullPointerException");
        if (path.startsWith("/s")) {
          assertThat(r.err()).contains("HTTP " + path.substring(2, 5));
        } else {
          assertThat(r.err()).contains("HTTP 200 without credentials");
        }
        assertThat(r.err()).contains(path.equals("/s407") ? "HTTPS_PROXY" : "AWS_ENDPOINT_URL");
      }
      // The helper answers the same on stdout, as the protocol wants.
      l.env.putAll(Map.of("OIDC_ECR_ROLE_ARN", ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE",
          tok.toString(), "AWS_ENDPOINT_URL", base + "/s403",
          "OIDC_ECR_CACHE_DIR", dir.resolve("cache").toString()));
      answer.set(403);
      Result get = l.helper(HOST + "\n", "get");
      assertThat(get.code()).isEqualTo(1);
      assertThat(get.out()).as(get.all()).contains("HTTP 403").doesNotContain("unexpected");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aDrippingServer_isCutOffByTheDeadline_namingTheCall() throws Exception {
    try (ServerSocket drip = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!drip.isClosed()) {
          try {
            Socket s = drip.accept();
            Thread d = new Thread(() -> dripInto(s));
            d.setDaemon(true);
            d.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      Launcher l = launcher();
      l.env.put("OIDC_ECR_TIMEOUT", "3");
      Path tok = token(FakeOidcIssuer.create().start().mint("https://github.com/acme/app"));
      Result r = l.oidcEcr("login", "--role-arn", ROLE, "--registry", HOST, "--token-file",
          tok.toString(), "--endpoint-url", "http://127.0.0.1:" + drip.getLocalPort(), "--print");
      assertThat(r.code()).as(r.all()).isEqualTo(1);
      assertOneSentence(r);
      assertThat(r.err()).contains("STS AssumeRoleWithWebIdentity").contains("cut off")
          .contains("3 s").contains("OIDC_ECR_TIMEOUT");
      // 3 s of deadline plus the JVM's start on a busy machine; the drip alone lasts minutes.
      assertThat(r.millis()).isLessThan(30_000);
    }
  }

  private static void dripInto(Socket s) {
    try (s; OutputStream out = s.getOutputStream()) {
      s.getInputStream().read(new byte[65536]);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 100; i++) {
        out.write(' ');
        out.flush();
        Thread.sleep(1000);
      }
    } catch (IOException | InterruptedException e) {
      // The client hung up: done.
    }
  }

  @Test
  void inputsAreBounded_withASizeMessage() throws Exception {
    Launcher l = launcher();
    Result zero = l.oidcEcr("login", "--role-arn", ROLE, "--registry", HOST, "--token-file",
        "/dev/zero", "--print");
    assertThat(zero.code()).as(zero.all()).isEqualTo(1);
    assertOneSentence(zero);
    assertThat(zero.err()).contains("more than 64 KiB");
    Path big = token("a".repeat(100_000));
    Result file = l.oidcEcr("login", "--role-arn", ROLE, "--registry", HOST, "--token-file",
        big.toString(), "--print");
    assertThat(file.code()).isEqualTo(1);
    assertThat(file.err()).as(file.all()).contains("more than 64 KiB");
    l.env.put("OIDC_ECR_TOKEN", "e".repeat(30_000));
    Result env = l.oidcEcr("login", "--role-arn", ROLE, "--registry", HOST, "--print");
    assertThat(env.code()).isEqualTo(1);
    assertOneSentence(env);
    assertThat(env.err()).as(env.all()).contains("30000 characters long").contains("20000");
  }

  @Test
  void debugLogging_atEveryLevel_neverPrintsASecret(FakeAws aws, FakeOidcIssuer issuer)
      throws Exception {
    String role = Launcher.setUpRole(aws, issuer);
    String jwt = issuer.token().repository("https://github.com/acme/app").mint();
    Path tok = token(jwt);
    Launcher l = launcher();
    l.env.putAll(Map.of("OIDC_ECR_ROLE_ARN", role, "AWS_WEB_IDENTITY_TOKEN_FILE", tok.toString(),
        "AWS_ENDPOINT_URL", aws.endpoint().toString()));
    String everything = "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace"
        + " -Dorg.slf4j.simpleLogger.log.software.amazon.awssdk=trace"
        + " -Dorg.slf4j.simpleLogger.log.software.amazon.awssdk.request=trace";
    List<Map<String, String>> switches = List.of(Map.of("OIDC_ECR_DEBUG", "1"),
        Map.of("OIDC_ECR_JAVA_OPTS", everything), Map.of());
    int n = 0;
    for (Map<String, String> on : switches) {
      l.env.keySet().removeAll(List.of("OIDC_ECR_DEBUG", "OIDC_ECR_JAVA_OPTS"));
      l.env.putAll(on);
      l.env.put("OIDC_ECR_CACHE_DIR", dir.resolve("cache" + n++).toString());
      Result get = l.helper(Launcher.host(aws) + "\n", "get");
      assertThat(get.code()).as(get.all()).isZero();
      String password = new ObjectMapper().readTree(get.out()).path("Secret").asText();
      assertThat(password).isNotEmpty();
      Result login = l.oidcEcr("login", "--debug", "--registry", Launcher.host(aws), "--print");
      assertThat(login.code()).as(login.all()).isZero();
      for (Result r : List.of(get, login)) {
        assertThat(r.err()).as(on.toString())
            .doesNotContain(jwt).doesNotContain(jwt.substring(jwt.lastIndexOf('.') + 1))
            .doesNotContain(password)
            .doesNotContain("IQoJb3JpZ2luX2VjEFAKE") // the fake's session tokens
            .doesNotContainPattern("(?i)x-amz-security-token[:=]\\s*[A-Za-z0-9]");
      }
      assertThat(login.err()).as("--debug logs the story of the login")
          .contains("Assuming role");
      if (!on.isEmpty()) {
        assertThat(get.err()).contains("Assuming role");
      }
    }
  }

  @Test
  void dockerConfig_asLargeAsDockerAccepts_isKept(FakeAws aws, FakeOidcIssuer issuer)
      throws Exception {
    String role = Launcher.setUpRole(aws, issuer);
    Path tok = token(issuer.token().repository("https://github.com/acme/app").mint());
    Path docker = Files.createDirectories(dir.resolve("docker"));
    String nested = "[".repeat(3000) + "]".repeat(3000);
    String big = "b".repeat(25 * 1024 * 1024);
    Files.writeString(docker.resolve("config.json"),
        "{\"deep\": " + nested + ", \"big\": \"" + big + "\"}");
    Launcher l = launcher();
    Result r = l.oidcEcr("login", "--role-arn", role, "--registry", Launcher.host(aws),
        "--token-file", tok.toString(), "--docker-config", docker.toString(),
        "--endpoint-url", aws.endpoint().toString());
    assertThat(r.code()).as(r.all()).isZero();
    String written = Files.readString(docker.resolve("config.json"));
    assertThat(written).contains(big).contains(Launcher.host(aws));
  }

  @Test
  void login_writesUnderDollarHome_asDocker(FakeAws aws, FakeOidcIssuer issuer) throws Exception {
    String role = Launcher.setUpRole(aws, issuer);
    Path tok = token(issuer.token().repository("https://github.com/acme/app").mint());
    Launcher l = launcher();
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    l.env.put("HOME", elsewhere.toString());
    Result r = l.oidcEcr("login", "--role-arn", role, "--registry", Launcher.host(aws),
        "--token-file", tok.toString(), "--endpoint-url", aws.endpoint().toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(elsewhere.resolve(".docker/config.json")).content()
        .contains(Launcher.host(aws));
  }
}
