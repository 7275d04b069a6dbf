package dev.oidcecr.core;

import static dev.oidcecr.core.TokenSourceTest.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token sources of the CI systems and workspaces, and the chain that picks among them. */
class CiTokenSourcesTest {
  private static final String TOKEN_A = TestTokens.gitpod(Instant.parse("2030-01-01T00:00:00Z"));
  private static final String TOKEN_B = TestTokens.gitpod(Instant.parse("2031-01-01T00:00:00Z"));
  private static final String REQUEST_TOKEN = "ghs_request-token-secret";

  @TempDir Path dir;
  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  // --- the one-method plug-in and firstOf ---

  @Test
  void aLambdaIsATokenSource_firstOfSkipsEmptyAndStopsAtTheFirstToken() {
    AtomicInteger laterCalls = new AtomicInteger();
    TokenSource none = () -> Optional.empty();
    TokenSource mine = () -> Optional.of(WebIdentityToken.parse(TOKEN_A));
    TokenSource later = () -> {
      laterCalls.incrementAndGet();
      return Optional.of(WebIdentityToken.parse(TOKEN_B));
    };
    assertThat(TokenSource.firstOf(none, mine, later).fetch().value()).isEqualTo(TOKEN_A);
    assertThat(laterCalls).hasValue(0);
    assertThat(mine.describe()).isEqualTo("custom token source");
  }

  @Test
  void firstOf_aBrokenSourceStopsTheChain() {
    TokenSource broken = () -> {
      throw new TokenSourceException("vault is sealed");
    };
    TokenSource later = () -> Optional.of(WebIdentityToken.parse(TOKEN_B));
    assertThatThrownBy(() -> TokenSource.firstOf(broken, later).fetch())
        .isInstanceOf(TokenSourceException.class).hasMessage("vault is sealed");
  }

  @Test
  void firstOf_noToken_namesEverySourceTried_includingNestedChainsAndNamedLambdas() {
    TokenSource vault = TokenSource.named("Vault", () -> Optional.empty());
    TokenSource chain = TokenSource.firstOf(vault, TokenSource.defaultChain(Map.of()));
    assertThat(chain.find()).isEmpty();
    TokenSourceException e = catchThrowableOfType(TokenSourceException.class, chain::fetch);
    assertThat(e.getMessage())
        .contains("Vault had no token")
        .contains("AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        .contains("OIDC_ECR_TOKEN is not set")
        .contains("ACTIONS_ID_TOKEN_REQUEST_URL")
        .contains("GITLAB_CI is not true")
        .contains("CIRCLE_OIDC_TOKEN_V2")
        .contains("BITBUCKET_STEP_OIDC_TOKEN")
        .contains("BUILDKITE is not true")
        .contains("GITPOD_ENVIRONMENT_ID is not set")
        .contains("GITPOD_WORKSPACE_ID is not set");
    assertThat(TokenSource.named("Vault", () -> Optional.empty()).describe()).isEqualTo("Vault");
  }

  @Test
  void embedders_putTheirSourceInFrontOfTheDefaultChain() {
    Map<String, String> env = Map.of("OIDC_ECR_TOKEN", TOKEN_B);
    TokenSource mine = TokenSource.named("mine", () -> Optional.of(WebIdentityToken.parse(TOKEN_A)));
    assertThat(TokenSource.firstOf(mine, TokenSource.defaultChain(env)).fetch().value())
        .isEqualTo(TOKEN_A);
    TokenSource absent = TokenSource.named("mine", () -> Optional.empty());
    assertThat(TokenSource.firstOf(absent, TokenSource.defaultChain(env)).fetch().value())
        .isEqualTo(TOKEN_B);
  }

  @Test
  void fromEnvironment_unset_isNotHereRatherThanBroken() {
    assertThat(TokenSource.fromEnvironment("MY_TOKEN", Map.of()).find()).isEmpty();
    assertThat(TokenSource.fromEnvironment("MY_TOKEN", Map.of("MY_TOKEN", TOKEN_A)).find())
        .get().extracting(WebIdentityToken::value).isEqualTo(TOKEN_A);
  }

  // --- EKS / IRSA: the token file is re-read on every fetch ---

  @Test
  void webIdentityTokenFile_isReReadOnEveryFetch_asEksRotatesIt() throws IOException {
    Path f = Files.writeString(dir.resolve("token"), TOKEN_A);
    TokenSource chain = TokenSource.defaultChain(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString()));
    assertThat(chain.fetch().value()).isEqualTo(TOKEN_A);
    Files.writeString(f, TOKEN_B);
    assertThat(chain.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(TokenSource.fromWebIdentityTokenFile(Map.of()).find()).isEmpty();
  }

  // --- GitHub Actions ---

  private String startGitHub(String path) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String query = exchange.getRequestURI().getRawQuery();
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + "?"
          + query);
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      String audience = null;
      for (String pair : query == null ? new String[0] : query.split("&")) {
        if (pair.startsWith("audience=")) {
          audience = URLDecoder.decode(pair.substring(9), StandardCharsets.UTF_8);
        }
      }
      int status;
      String body;
      if (!("Bearer " + REQUEST_TOKEN).equals(auth)) {
        status = 401;
        body = "{\"message\":\"Bad credentials\"}";
      } else if (audience == null) {
        status = 400;
        body = "{\"message\":\"audience missing\"}";
      } else {
        status = 200;
        body = "{\"count\":1,\"value\":\"" + (audience.equals("sts.amazonaws.com") ? TOKEN_A
            : TOKEN_B) + "\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static Map<String, String> gitHubEnv(String url, String requestToken) {
    return Map.of("GITHUB_ACTIONS", "true", "ACTIONS_ID_TOKEN_REQUEST_URL", url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", requestToken);
  }

  @Test
  void gitHub_getsTheTokenWithTheBearerAndTheAudience_urlWithAQuery() throws IOException {
    String url = startGitHub("/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/idtoken"
        + "?api-version=2.0");
    TokenSource s = TokenSource.defaultChain(gitHubEnv(url, REQUEST_TOKEN));
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(requests).containsExactly("GET /_apis/distributedtask/hubs/build/plans/p1/jobs/j1"
        + "/idtoken?api-version=2.0&audience=sts.amazonaws.com");
    assertThat(s.describe()).contains("GitHub Actions").doesNotContain(REQUEST_TOKEN);
  }

  @Test
  void gitHub_urlWithoutAQuery_andAnotherAudience_isUrlEncoded() throws IOException {
    String url = startGitHub("/idtoken");
    TokenSource s = TokenSource.fromGitHubActions(gitHubEnv(url, REQUEST_TOKEN), "api://my-app?x=1&y",
        Duration.ofSeconds(10));
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(requests).containsExactly("GET /idtoken?audience=api%3A%2F%2Fmy-app%3Fx%3D1%26y");
  }

  @Test
  void gitHub_refusedRequestToken_saysSoWithoutEchoingIt() throws IOException {
    String url = startGitHub("/idtoken");
    TokenSourceException e = catchThrowableOfType(TokenSourceException.class,
        () -> TokenSource.fromGitHubActions(gitHubEnv(url, "wrong-request-token")).fetch());
    assertThat(e).hasMessageContaining("HTTP 401").hasMessageContaining("id-token: write");
    assertNoSecret(e, "wrong-request-token");
  }

  @Test
  void gitHub_unreachable_failsWithinTheTimeoutNamingTheService() throws IOException {
    String url = startGitHub("/idtoken");
    server.stop(0);
    server = null;
    TokenSourceException e = catchThrowableOfType(TokenSourceException.class,
        () -> TokenSource.fromGitHubActions(gitHubEnv(url, REQUEST_TOKEN), "sts.amazonaws.com",
            Duration.ofSeconds(5)).fetch());
    assertThat(e).hasMessageContaining("GitHub's ID token service at http://127.0.0.1:");
    assertNoSecret(e, REQUEST_TOKEN);
  }

  @Test
  void gitHub_jobWithoutIdTokenPermission_saysWhatToAdd() {
    TokenSource s = TokenSource.defaultChain(Map.of("GITHUB_ACTIONS", "true"));
    assertThat(s.find()).isEmpty();
    assertThat(catchThrowableOfType(TokenSourceException.class, s::fetch).getMessage())
        .startsWith("No web identity token found. This is a GitHub Actions job")
        .contains("permissions: id-token: write");
  }

  // --- GitLab, CircleCI, Bitbucket: variables ---

  @Test
  void gitLab_readsTheDefaultNames_onlyInGitLabCi() {
    assertThat(TokenSource.defaultChain(Map.of("GITLAB_CI", "true", "GITLAB_OIDC_TOKEN", TOKEN_A))
        .fetch().value()).isEqualTo(TOKEN_A);
    assertThat(TokenSource.fromGitLab(Map.of("ID_TOKEN", TOKEN_A)).find()).isEmpty();
    assertThat(TokenSource.fromGitLab(Map.of("GITLAB_CI", "true", "MY_JWT", TOKEN_B), "MY_JWT")
        .fetch().value()).isEqualTo(TOKEN_B);
  }

  @Test
  void gitLab_withoutIdTokens_saysToDeclareThem() {
    TokenSource s = TokenSource.defaultChain(Map.of("GITLAB_CI", "true"));
    assertThat(catchThrowableOfType(TokenSourceException.class, s::fetch).getMessage())
        .contains("This is a GitLab CI job").contains("id_tokens:")
        .contains("aud: sts.amazonaws.com");
  }

  @Test
  void circleCi_prefersV2() {
    Map<String, String> env = Map.of("CIRCLECI", "true", "CIRCLE_OIDC_TOKEN", TOKEN_A,
        "CIRCLE_OIDC_TOKEN_V2", TOKEN_B);
    TokenSource s = TokenSource.defaultChain(env);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(s.describe()).contains("CIRCLE_OIDC_TOKEN_V2");
    assertThat(TokenSource.fromCircleCi(Map.of("CIRCLE_OIDC_TOKEN", TOKEN_A)).fetch().value())
        .isEqualTo(TOKEN_A);
  }

  @Test
  void bitbucket_readsTheStepToken_orSaysToEnableOidc() {
    assertThat(TokenSource.defaultChain(Map.of("BITBUCKET_BUILD_NUMBER", "7",
        "BITBUCKET_STEP_OIDC_TOKEN", TOKEN_A)).fetch().value()).isEqualTo(TOKEN_A);
    assertThat(catchThrowableOfType(TokenSourceException.class,
        () -> TokenSource.defaultChain(Map.of("BITBUCKET_BUILD_NUMBER", "7")).fetch()))
        .hasMessageContaining("oidc: true");
  }

  // --- Buildkite, Ona, Gitpod: commands, with stub executables on PATH ---

  /** Writes a stub that prints {@code token} when called with exactly {@code expectedArgs}. */
  private Path stub(String folder, String name, String expectedArgs, String token)
      throws IOException {
    Path bin = Files.createDirectories(dir.resolve(folder));
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/bin/sh\n"
        + "[ \"$*\" = '" + expectedArgs + "' ] || { echo \"" + name + ": bad args: $*\" >&2; exit 9; }\n"
        + "printf '%s\\n' '" + token + "'\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void buildkite_runsTheAgentWithTheAudience() throws IOException {
    Path bin = stub("bk", "buildkite-agent", "oidc request-token --audience my-aud", TOKEN_A);
    Map<String, String> env = Map.of("BUILDKITE", "true", "PATH", bin.toString());
    TokenSource s = TokenSource.defaultChain(env, "my-aud", ProcessRunner.system(env));
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).contains("buildkite-agent oidc request-token --audience my-aud");
  }

  @Test
  void buildkite_withoutTheAgent_saysItIsNotOnPath() {
    Map<String, String> env = Map.of("BUILDKITE", "true", "PATH", dir.toString());
    assertThat(catchThrowableOfType(TokenSourceException.class,
        () -> TokenSource.fromBuildkite(env, "sts.amazonaws.com").fetch()))
        .hasMessageContaining("`buildkite-agent` is not on PATH");
  }

  @Test
  void ona_runsOna_orFallsBackToTheGitpodCli() throws IOException {
    Path ona = stub("ona", "ona", "idp token --audience sts.amazonaws.com", TOKEN_A);
    Path gitpod = stub("gitpod", "gitpod", "idp token --audience sts.amazonaws.com", TOKEN_B);
    Map<String, String> both = Map.of("GITPOD_ENVIRONMENT_ID", "01990000-env",
        "PATH", ona + ":" + gitpod);
    assertThat(TokenSource.defaultChain(both).fetch().value()).isEqualTo(TOKEN_A);
    Map<String, String> old = Map.of("GITPOD_ENVIRONMENT_ID", "01990000-env",
        "PATH", gitpod.toString());
    TokenSource s = TokenSource.defaultChain(old);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(s.describe()).contains("gitpod idp token --audience sts.amazonaws.com");
  }

  @Test
  void gitpodClassic_runsGp_withTheAudience() throws IOException {
    Path bin = stub("gp", "gp", "idp token --audience other-aud", TOKEN_B);
    Map<String, String> env = Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d",
        "PATH", bin.toString());
    assertThat(TokenSource.fromGitpod(env, "other-aud").fetch().value()).isEqualTo(TOKEN_B);
  }

  @Test
  void commandFailure_namesTheSystemAndTheCommand() throws IOException {
    Path bin = stub("gp2", "gp", "not what we pass", TOKEN_B);
    Map<String, String> env = Map.of("GITPOD_WORKSPACE_ID", "ws", "PATH", bin.toString());
    assertThat(catchThrowableOfType(TokenSourceException.class,
        () -> TokenSource.defaultChain(env).fetch()))
        .hasMessageContaining("Gitpod command `" + bin.resolve("gp"))
        .hasMessageContaining("exit code 9").hasMessageContaining("bad args");
  }

  // --- order ---

  @Test
  void order_fileAndVariableBeforeCiServices_firstMatchWins() throws IOException {
    Path f = Files.writeString(dir.resolve("token"), TOKEN_A);
    Map<String, String> env = new HashMap<>(Map.of("GITLAB_CI", "true", "ID_TOKEN", TOKEN_B,
        "CIRCLE_OIDC_TOKEN", TOKEN_B, "BITBUCKET_STEP_OIDC_TOKEN", TOKEN_B));
    assertThat(TokenSource.defaultChain(env).fetch().value()).isEqualTo(TOKEN_B);
    env.put("OIDC_ECR_TOKEN", TOKEN_A);
    assertThat(TokenSource.defaultChain(env).describe()).contains("OIDC_ECR_TOKEN");
    env.remove("OIDC_ECR_TOKEN");
    env.put("AWS_WEB_IDENTITY_TOKEN_FILE", f.toString());
    assertThat(TokenSource.defaultChain(env).fetch().value()).isEqualTo(TOKEN_A);
  }

  @Test
  void audience_mustBePrintableWithoutSpaces() {
    assertThatThrownBy(() -> TokenSource.fromGitpod(Map.of(), "two words"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sts.amazonaws.com");
  }
}
