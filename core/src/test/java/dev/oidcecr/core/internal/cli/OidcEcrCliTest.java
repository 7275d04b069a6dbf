package dev.oidcecr.core.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;

/** The {@code oidc-ecr} command line against the fake, in-process and as separate processes. */
class OidcEcrCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAws fake;

  @TempDir Path dir;
  private Path home;
  private Path tokenFile;
  private String token;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    fake.reset();
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
    try (var http = UrlConnectionHttpClient.create();
        IamClient iam = IamClient.builder().endpointOverride(fake.endpoint())
            .region(Region.AWS_GLOBAL).httpClient(http).credentialsProvider(admin).build();
        EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
            .region(Region.of(fake.region())).httpClient(http).credentialsProvider(admin)
            .build()) {
      iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
          .clientIDList("sts.amazonaws.com"));
      iam.createRole(r -> r.roleName("gitpod-ecr-pull").assumeRolePolicyDocument(
          TrustPolicy.builder().issuer(fake.issuer().issuer()).account(fake.accountId())
              .repository("https://github.com/acme/app").build().toJson()));
      iam.putRolePolicy(r -> r.roleName("gitpod-ecr-pull").policyName("pull").policyDocument(
          PermissionPolicy.builder().repository(fake.accountId(), fake.region(), "acme/app")
              .build().toJson()));
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    home = Files.createDirectories(dir.resolve("home"));
    token = fake.issuer().mint("https://github.com/acme/app");
    tokenFile = Files.writeString(dir.resolve("token"), token);
  }

  private record Run(int status, String out, String err) {}

  private Run run(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = OidcEcrCli.run(List.of(args),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, home);
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private String registry() {
    return fake.accountId() + ".dkr.ecr." + fake.region() + ".amazonaws.com";
  }

  private long calls(String operation) {
    return fake.requests().stream().filter(c -> c.operation().equals(operation)).count();
  }

  @Test
  void login_writesDockerConfigWithTheEcrLogin() throws Exception {
    Path dockerDir = dir.resolve("docker");
    Run r = run(Map.of(), "", "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"),
        "--registry", registry() + "/acme/app:latest", "--token-file", tokenFile.toString(),
        "--docker-config", dockerDir.toString(), "--endpoint-url", fake.endpoint().toString());

    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Login Succeeded: " + registry() + " until ");
    Path config = dockerDir.resolve("config.json");
    JsonNode auth = JSON.readTree(config.toFile()).path("auths").path(registry()).path("auth");
    String decoded = new String(Base64.getDecoder().decode(auth.asText()),
        StandardCharsets.UTF_8);
    assertThat(decoded).startsWith("AWS:").hasSizeGreaterThan(10);
    assertThat(Files.getPosixFilePermissions(config))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    assertThat(r.out() + r.err()).doesNotContain(decoded.substring(4)).doesNotContain(token);
  }

  @Test
  void login_takesEverythingFromTheEnvironmentAsTheSdkDoes() throws Exception {
    Map<String, String> env = Map.of(
        "IDP_AWS_ROLE_ARN", fake.roleArn("gitpod-ecr-pull"),
        "OIDC_ECR_REGISTRY", registry(),
        "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString(),
        "AWS_ENDPOINT_URL_STS", fake.endpoint().toString(),
        "AWS_ENDPOINT_URL_ECR", fake.endpoint().toString(),
        "DOCKER_CONFIG", dir.resolve("dc").toString());
    Run r = run(env, "", "login");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(JSON.readTree(dir.resolve("dc/config.json").toFile()).path("auths")
        .has(registry())).isTrue();
  }

  @Test
  void login_refusedToken_exitsOneWithTheReason() throws Exception {
    Files.writeString(tokenFile, fake.issuer().mint("https://github.com/acme/other"));
    Run r = run(Map.of("AWS_ENDPOINT_URL", fake.endpoint().toString()), "", "login",
        "--role-arn", fake.roleArn("gitpod-ecr-pull"), "--registry", registry(),
        "--token-file", tokenFile.toString(), "--docker-config", dir.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("sub=https://github.com/acme/other").contains("trust policy");
    assertThat(dir.resolve("config.json")).doesNotExist();
  }

  @Test
  void login_tokenEnvFlag_readsThatVariable_andBadTokenFlagsAreUsageErrors() throws Exception {
    Path dockerDir = dir.resolve("docker-env");
    Run r = run(Map.of("AWS_ENDPOINT_URL", fake.endpoint().toString(), "MY_JWT", token), "",
        "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"), "--registry", registry(),
        "--token-env", "MY_JWT", "--docker-config", dockerDir.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(dockerDir.resolve("config.json")).exists();

    Run badName = run(Map.of(), "", "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"),
        "--registry", registry(), "--token-env", "1-BAD");
    assertThat(badName.status()).isEqualTo(2);
    assertThat(badName.err()).contains("--token-env \"1-BAD\" is not a variable name");
    Run badAudience = run(Map.of(), "", "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"),
        "--registry", registry(), "--audience", "two words");
    assertThat(badAudience.status()).isEqualTo(2);
    assertThat(badAudience.err()).contains("--audience");
    assertThat(run(Map.of(), "", "login", "--help").out()).contains("--token-env NAME")
        .contains("--audience AUD").contains("GitHub Actions");
  }

  @Test
  void usageErrors_exitTwoWithTheFix() {
    Run missingRole = run(Map.of(), "", "login", "--registry", registry());
    assertThat(missingRole.status()).isEqualTo(2);
    assertThat(missingRole.err()).contains("--role-arn is required");

    Run unknownOption = run(Map.of(), "", "login", "--rolearn", "x");
    assertThat(unknownOption.status()).isEqualTo(2);
    assertThat(unknownOption.err()).contains("unknown option --rolearn");

    Run unknownCommand = run(Map.of(), "", "pull");
    assertThat(unknownCommand.status()).isEqualTo(2);

    Run help = run(Map.of(), "", "login", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--token-file");
  }

  @Test
  void credentialHelperGet_inProcess_printsDockerCredentials() throws Exception {
    Run r = run(helperEnv(), registry() + "\n", "get");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    JsonNode creds = JSON.readTree(r.out());
    assertThat(creds.path("ServerURL").asText()).isEqualTo(registry());
    assertThat(creds.path("Username").asText()).isEqualTo("AWS");
    assertThat(creds.path("Secret").asText()).isNotBlank();
  }

  @Test
  void credentialHelperGet_nonEcrHost_notFoundExitOne() {
    Run r = run(helperEnv(), "registry-1.docker.io\n", "get");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).contains("credentials not found in native keychain");
  }

  @Test
  void credentialHelper_asDockerRunsIt_secondGetMakesNoAwsCall() throws Exception {
    Map<String, String> env = helperEnv();
    String first = helperProcess(env, "get", "https://" + registry());
    long sts = calls("AssumeRoleWithWebIdentity");
    long ecr = calls("GetAuthorizationToken");
    assertThat(sts).isEqualTo(1);
    assertThat(ecr).isEqualTo(1);

    String second = helperProcess(env, "get", "https://" + registry());

    assertThat(JSON.readTree(second).path("Secret").asText())
        .isEqualTo(JSON.readTree(first).path("Secret").asText());
    assertThat(calls("AssumeRoleWithWebIdentity")).isEqualTo(sts);
    assertThat(calls("GetAuthorizationToken")).isEqualTo(ecr);
    Path cacheDir = Path.of(env.get("OIDC_ECR_CACHE_DIR"));
    try (var files = Files.list(cacheDir)) {
      files.forEach(f -> {
        try {
          assertThat(Files.getPosixFilePermissions(f)).containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  @Test
  void login_registryAlias_writesTheAliasWithTheEcrCredentials() throws Exception {
    Path dockerDir = dir.resolve("docker");
    Run r = run(Map.of(), "", "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"),
        "--registry", registry(), "--token-file", tokenFile.toString(),
        "--registry-alias", "127.0.0.1:" + fake.port() + "=" + registry(),
        "--docker-config", dockerDir.toString(), "--endpoint-url", fake.endpoint().toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("Login Succeeded: 127.0.0.1:" + fake.port() + " (alias of "
        + registry() + ")");
    JsonNode auths = JSON.readTree(dockerDir.resolve("config.json").toFile()).path("auths");
    assertThat(auths.path("127.0.0.1:" + fake.port()).path("auth").asText())
        .isEqualTo(auths.path(registry()).path("auth").asText()).isNotEmpty();

    Run bad = run(Map.of(), "", "login", "--role-arn", fake.roleArn("gitpod-ecr-pull"),
        "--registry", registry(), "--registry-alias", "127.0.0.1:5000");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("--registry-alias: \"127.0.0.1:5000\" is not HOST=ECR_HOST");
  }

  @Test
  void credentialHelperGet_configuredAlias_answersWithTheEcrRegistryCredentials()
      throws Exception {
    Map<String, String> env = helperEnv();
    String alias = "127.0.0.1:" + fake.port();
    Run unconfigured = run(env, alias + "\n", "get");
    assertThat(unconfigured.status()).isEqualTo(1);
    assertThat(unconfigured.out()).contains("credentials not found in native keychain");

    env.put("OIDC_ECR_REGISTRY_ALIASES", "mirror.example.com=" + registry() + "," + alias + "="
        + registry());
    Run r = run(env, alias + "\n", "get");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    JsonNode creds = JSON.readTree(r.out());
    assertThat(creds.path("ServerURL").asText()).isEqualTo(alias);
    assertThat(creds.path("Username").asText()).isEqualTo("AWS");
    assertThat(run(env, "other.example.com\n", "get").status()).isEqualTo(1);

    env.put("OIDC_ECR_REGISTRY_ALIASES", "no-equals-sign");
    Run bad = run(env, alias + "\n", "get");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.out()).contains("OIDC_ECR_REGISTRY_ALIASES: \"no-equals-sign\" is not "
        + "HOST=ECR_HOST");
  }

  private Map<String, String> helperEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("OIDC_ECR_ROLE_ARN", fake.roleArn("gitpod-ecr-pull"));
    env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString());
    env.put("AWS_ENDPOINT_URL", fake.endpoint().toString());
    env.put("OIDC_ECR_CACHE_DIR", dir.resolve("cache").toString());
    return env;
  }

  /** Runs {@code docker-credential-oidc-ecr <verb>} as its own JVM, as Docker would. */
  private String helperProcess(Map<String, String> env, String verb, String stdin)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CredentialHelperMain.class.getName());
    cmd.add(verb);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("HOME", home.toString());
    pb.redirectError(dir.resolve("helper-stderr.txt").toFile());
    Process p = pb.start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out + Files.readString(dir.resolve("helper-stderr.txt")))
        .isZero();
    return out;
  }
}
