package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * {@code oidc-ecr login} as the build produced it ({@code core/target/oidc-ecr/bin/oidc-ecr}),
 * run with nothing but the variables one CI system or workspace sets: each finds its token
 * without a token flag and logs in against the fake. Command sources are stub executables on a
 * temporary {@code PATH}; GitHub's token service is a local HTTP server.
 */
class TokenSourcesLauncherTest {
  static final Path LAUNCHER =
      Path.of("..", "core", "target", "oidc-ecr", "bin", "oidc-ecr").toAbsolutePath();
  private static final String REQUEST_TOKEN = "ghs_launcher-request-token";
  private static FakeAws fake;
  private static String roleArn;
  private static String host;

  @TempDir Path dir;
  private String token;
  private HttpServer gitHub;
  private final List<String> gitHubRequests = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
    var admin = fake.credentialsProvider();
    try (EcrClient ecr = fake.configure(EcrClient.builder()).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    roleArn = AwsSetup.builder()
        .endpoint(fake.endpoint()).region(fake.region()).credentialsProvider(admin)
        .issuerUrl(fake.issuer().issuer()).accountId(fake.accountId()).roleName("ci-ecr-pull")
        .allowRepository("https://github.com/acme/app").repositories("acme/app")
        .build().apply().roleArn();
    host = fake.accountId() + ".dkr.ecr." + fake.region() + ".amazonaws.com";
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @BeforeEach
  void mint() {
    assertThat(LAUNCHER).as("built by the core module's package phase").isExecutable();
    token = fake.issuer().token().repository("https://github.com/acme/app").mint();
  }

  @AfterEach
  void stopGitHub() {
    if (gitHub != null) {
      gitHub.stop(0);
    }
  }

  private record Run(int status, String out, String err) {}

  /** Runs the launcher with exactly {@code ci} plus what any machine has, and {@code args}. */
  private Run login(Map<String, String> ci, Path stubs, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "login"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(Map.of(
        "PATH", (stubs == null ? "" : stubs + ":") + "/usr/local/bin:/usr/bin:/bin",
        "JAVA_HOME", System.getProperty("java.home"),
        "HOME", Files.createDirectories(dir.resolve("home")).toString(),
        "AWS_ENDPOINT_URL", fake.endpoint().toString(),
        "OIDC_ECR_ROLE_ARN", roleArn,
        "OIDC_ECR_REGISTRY", host,
        "DOCKER_CONFIG", dir.resolve("docker").toString()));
    pb.environment().putAll(ci);
    pb.redirectError(dir.resolve("stderr.txt").toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(dir.resolve("stderr.txt")));
  }

  private void assertLoggedIn(Run r) throws IOException {
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).startsWith("Login Succeeded: " + host);
    assertThat(new ObjectMapper().readTree(dir.resolve("docker/config.json").toFile())
        .path("auths").path(host).path("auth").asText()).isNotBlank();
    assertThat(r.out() + r.err()).doesNotContain(token);
  }

  /** A stub that prints the token when called with exactly {@code expectedArgs}. */
  private Path stub(String name, String expectedArgs) throws IOException {
    return TokenServiceStubs.command(dir.resolve("stubs"), name, expectedArgs, token);
  }

  @Test
  void eks_projectedTokenFile() throws Exception {
    Path file = Files.writeString(dir.resolve("eks-token"), token);
    assertLoggedIn(login(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", file.toString()), null));
  }

  @Test
  void oidcEcrTokenVariable() throws Exception {
    assertLoggedIn(login(Map.of("OIDC_ECR_TOKEN", token), null));
  }

  @Test
  void tokenFileFlag_andTokenEnvFlag() throws Exception {
    Path file = Files.writeString(dir.resolve("t"), token);
    assertLoggedIn(login(Map.of(), null, "--token-file", file.toString()));
    assertLoggedIn(login(Map.of("MY_JWT", token), null, "--token-env", "MY_JWT"));
  }

  @Test
  void gitHubActions_requestsTheTokenWithTheBearerAndAudience() throws Exception {
    gitHub = TokenServiceStubs.gitHub(REQUEST_TOKEN, "api-version=2.0&audience=sts.amazonaws.com",
        () -> token, gitHubRequests);
    String url = TokenServiceStubs.gitHubRequestUrl(gitHub);
    assertLoggedIn(login(Map.of("GITHUB_ACTIONS", "true", "ACTIONS_ID_TOKEN_REQUEST_URL", url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN), null));
    assertThat(gitHubRequests).containsExactly("api-version=2.0&audience=sts.amazonaws.com");
  }

  @Test
  void gitHubActions_withoutIdTokenPermission_exitsOneSayingWhatToAdd() throws Exception {
    Run r = login(Map.of("GITHUB_ACTIONS", "true"), null);
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("permissions: id-token: write").doesNotContain("Exception");
  }

  @Test
  void gitLabCi_idTokensVariable() throws Exception {
    assertLoggedIn(login(Map.of("GITLAB_CI", "true", "GITLAB_OIDC_TOKEN", token), null));
  }

  @Test
  void gitLabCi_tokenEnvNotDeclared_saysToDeclareIt() throws Exception {
    Run r = login(Map.of("GITLAB_CI", "true"), null, "--token-env", "AWS_JWT");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("--token-env AWS_JWT").contains("id_tokens:");
  }

  @Test
  void circleCi() throws Exception {
    assertLoggedIn(login(Map.of("CIRCLECI", "true", "CIRCLE_OIDC_TOKEN_V2", token), null));
  }

  @Test
  void bitbucketPipelines() throws Exception {
    assertLoggedIn(login(Map.of("BITBUCKET_BUILD_NUMBER", "12",
        "BITBUCKET_STEP_OIDC_TOKEN", token), null));
  }

  @Test
  void buildkite_agentGetsTheAudienceFlag() throws Exception {
    Path stubs = stub("buildkite-agent", "oidc request-token --audience my-audience");
    assertLoggedIn(login(Map.of("BUILDKITE", "true"), stubs, "--audience", "my-audience"));
  }

  @Test
  void ona_runsOnaIdpToken() throws Exception {
    Path stubs = stub("ona", "idp token --audience sts.amazonaws.com");
    assertLoggedIn(login(Map.of("GITPOD_ENVIRONMENT_ID", "0199abcd-env"), stubs));
  }

  @Test
  void ona_fallsBackToTheGitpodCli() throws Exception {
    Path stubs = stub("gitpod", "idp token --audience sts.amazonaws.com");
    assertLoggedIn(login(Map.of("GITPOD_ENVIRONMENT_ID", "0199abcd-env"), stubs));
  }

  @Test
  void gitpodClassic_runsGp() throws Exception {
    Path stubs = stub("gp", "idp token --audience sts.amazonaws.com");
    assertLoggedIn(login(Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d"), stubs));
  }

  @Test
  void nothingHere_listsEverySourceTried() throws Exception {
    Run r = login(new HashMap<>(), null);
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        .contains("GITLAB_CI is not true").contains("GITPOD_WORKSPACE_ID is not set");
  }
}
