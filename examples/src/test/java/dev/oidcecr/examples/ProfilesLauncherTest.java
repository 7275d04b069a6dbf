package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.ProfileTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The whole job per issuer profile, through the launcher the build produced
 * ({@code core/target/oidc-ecr/bin/oidc-ecr}) against one fake shared by every case:
 * {@code setup} (plan, apply, a second apply that changes nothing) with the profile's allow
 * flags, {@code login} with nothing but the variables that CI system or workspace sets (the token
 * is found automatically), and {@code doctor} on a token the role refuses, which must name the
 * profile and give the cause and the fix in that grammar, as command-line flags.
 */
class ProfilesLauncherTest {
  private static final String ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  private static final String PROJECT = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  private static final String CIRCLE_ORG = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
  private static final String OTHER_UUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

  private static FakeAws fake;
  private static String host;
  private static HttpServer gitHub;
  private static volatile String gitHubToken = "";

  @TempDir Path dir;

  @BeforeAll
  static void start() throws IOException {
    fake = FakeAws.builder().build().start();
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
        .region(Region.of(fake.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    host = fake.accountId() + ".dkr.ecr." + fake.region() + ".amazonaws.com";
    // GitHub's token service: answers the current token to the request token and audience.
    gitHub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    gitHub.createContext("/", exchange -> {
      boolean ok = "Bearer request-token".equals(
          exchange.getRequestHeaders().getFirst("Authorization"))
          && String.valueOf(exchange.getRequestURI().getRawQuery())
              .endsWith("audience=sts.amazonaws.com");
      byte[] body = (ok ? "{\"value\":\"" + gitHubToken + "\"}" : "{}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    gitHub.start();
  }

  @AfterAll
  static void stop() {
    gitHub.stop(0);
    fake.close();
  }

  /** One profile's tokens (allowed, refused) and what the doctor must say of the refused one. */
  private record Case(String allowed, String refused, List<String> cause, List<String> fix) {}

  private Case caseOf(String id) {
    var issuer = fake.issuer();
    return switch (id) {
      case "gitpod" -> new Case(
          issuer.token().repository("https://github.com/acme/app").mint(),
          issuer.token().repository("https://github.com/acme/other").mint(),
          List.of("Gitpod"), List.of("oidc-ecr setup --issuer gitpod --allow-repository"
              + " https://github.com/acme/other"));
      case "ona" -> new Case(
          issuer.ona().mint(),
          issuer.ona().v2().mint(),
          List.of("Ona", "V2 tokens"),
          List.of("oidc-ecr setup --issuer ona --allow-organization " + ORG
              + " --allow-project " + PROJECT + " --ona-token-version 2"));
      case "github-actions" -> new Case(
          issuer.githubActions().branch("main").mint(),
          issuer.githubActions().environment("production").mint(),
          List.of("GitHub Actions", "deployment environment \"production\"", "with no ref"),
          List.of("oidc-ecr setup --issuer github-actions --allow-repository acme/app"
              + " --allow-environment production"));
      case "gitlab" -> new Case(
          issuer.gitlab().branch("main").mint(),
          issuer.gitlab().branch("feature").mint(),
          List.of("GitLab", "project_path:acme/app:ref_type:branch:ref:feature"),
          List.of("oidc-ecr setup --issuer gitlab --allow-project acme/app"
              + " --allow-branch feature"));
      case "circleci" -> new Case(
          issuer.circleci().mint(),
          issuer.circleci().project(OTHER_UUID).mint(),
          List.of("CircleCI", "project=" + OTHER_UUID),
          List.of("oidc-ecr setup --issuer circleci --circleci-org-id " + CIRCLE_ORG
              + " --allow-project " + OTHER_UUID));
      case "bitbucket" -> new Case(
          issuer.bitbucket().mint(),
          issuer.bitbucket().repository(OTHER_UUID).mint(),
          List.of("Bitbucket Pipelines", "repository={" + OTHER_UUID + "}"),
          List.of("--allow-repository " + OTHER_UUID));
      case "buildkite" -> new Case(
          issuer.buildkite().mint(),
          issuer.buildkite().pipeline("deploy").mint(),
          List.of("Buildkite", "pipeline=deploy"),
          List.of("oidc-ecr setup --issuer buildkite --buildkite-organization acme"
              + " --allow-pipeline deploy"));
      case "eks" -> new Case(
          issuer.eks().mint(),
          issuer.eks().serviceAccount("default", "other").mint(),
          List.of("Amazon EKS", "service_account=other"),
          List.of("--allow-service-account default/other"));
      default -> throw new IllegalArgumentException(id);
    };
  }

  /** The CI file of the profile, whose snippets the README shows. */
  static String ciFile(String id) throws IOException {
    return Files.readString(Path.of("ci", id + ".yml"));
  }

  private static final Pattern SETUP_LINE = Pattern.compile("(?m)^# setup: oidc-ecr (setup .*)$");
  private static final Pattern LOGIN = Pattern.compile(
      "oidc-ecr login[^\\n&\"]*|\\[\"oidc-ecr\", \"login\"(?:, \"[^\"]+\")*\\]");

  /** Returns the file's setup command's arguments, as an AWS admin runs it once. */
  static List<String> setupArgs(String file) {
    Matcher m = SETUP_LINE.matcher(file);
    assertThat(m.find()).as("a '# setup: oidc-ecr setup ...' line").isTrue();
    return List.of(m.group(1).strip().split(" +"));
  }

  /** Returns the arguments of the file's {@code oidc-ecr login} command. */
  static List<String> loginArgs(String file) {
    Matcher m = LOGIN.matcher(file);
    assertThat(m.find()).as("an oidc-ecr login command").isTrue();
    String cmd = m.group().strip();
    List<String> words = cmd.startsWith("[")
        ? List.of(cmd.substring(1, cmd.length() - 1).replace("\"", "").split(", "))
        : List.of(cmd.split(" +"));
    return words.subList(1, words.size()); // without "oidc-ecr"
  }

  /** The variables (and stub commands) with which a job of the profile finds the token. */
  private Map<String, String> ciEnvironment(String id, String token) throws IOException {
    Map<String, String> env = new HashMap<>();
    switch (id) {
      case "gitpod" -> {
        env.put("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d");
        env.put("PATH", stub("gp", "idp token --audience sts.amazonaws.com", token));
      }
      case "ona" -> {
        env.put("GITPOD_ENVIRONMENT_ID", "019527e4-75d5-704d-a5a4-a2b52cf56196");
        env.put("PATH", stub("ona", "idp token --audience sts.amazonaws.com", token));
      }
      case "github-actions" -> {
        gitHubToken = token;
        env.put("GITHUB_ACTIONS", "true");
        env.put("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:"
            + gitHub.getAddress().getPort() + "/idtoken?api-version=2.0");
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token");
      }
      case "gitlab" -> {
        env.put("GITLAB_CI", "true");
        env.put("GITLAB_OIDC_TOKEN", token);
      }
      case "circleci" -> {
        env.put("CIRCLECI", "true");
        env.put("CIRCLE_OIDC_TOKEN_V2", token);
      }
      case "bitbucket" -> {
        env.put("BITBUCKET_BUILD_NUMBER", "7");
        env.put("BITBUCKET_STEP_OIDC_TOKEN", token);
      }
      case "buildkite" -> {
        env.put("BUILDKITE", "true");
        env.put("PATH", stub("buildkite-agent",
            "oidc request-token --audience sts.amazonaws.com", token));
      }
      case "eks" -> env.put("AWS_WEB_IDENTITY_TOKEN_FILE",
          Files.writeString(dir.resolve("eks-token-" + token.hashCode()), token).toString());
      default -> throw new IllegalArgumentException(id);
    }
    return env;
  }

  private String stub(String name, String expectedArgs, String token) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("stubs-" + token.hashCode()));
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/bin/sh\n"
        + "[ \"$*\" = '" + expectedArgs + "' ] || { echo \"" + name + ": bad args: $*\" >&2;"
        + " exit 9; }\nprintf '%s\\n' '" + token + "'\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin + ":/usr/local/bin:/usr/bin:/bin";
  }

  private record Run(int status, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Run launch(Map<String, String> extra, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(TokenSourcesLauncherTest.LAUNCHER.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(Map.of(
        "PATH", "/usr/local/bin:/usr/bin:/bin",
        "JAVA_HOME", System.getProperty("java.home"),
        "HOME", Files.createDirectories(dir.resolve("home")).toString(),
        "AWS_ENDPOINT_URL", fake.endpoint().toString(),
        "AWS_REGION", fake.region(),
        "DOCKER_CONFIG", dir.resolve("docker").toString()));
    pb.environment().putAll(extra);
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(err));
  }

  private Map<String, String> admin() {
    return Map.of("AWS_ACCESS_KEY_ID", fake.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", fake.secretAccessKey());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gitpod", "ona", "github-actions", "gitlab", "circleci", "bitbucket",
      "buildkite", "eks"})
  void setupLoginDoctor_perProfile(String id) throws Exception {
    assertThat(ProfileTokens.IDS).contains(id);
    assertThat(TokenSourcesLauncherTest.LAUNCHER).as("built by core's package phase")
        .isExecutable();
    Case c = caseOf(id);
    String file = ciFile(id);
    List<String> setup = new ArrayList<>(setupArgs(file));
    assertThat(setup).as("the file's setup applies").contains("--apply");
    setup.remove("--apply");
    setup.addAll(List.of("--account", fake.accountId()));

    Run plan = launch(admin(), setup);
    assertThat(plan.status()).as(plan.all()).isZero();
    assertThat(plan.out()).contains("CREATE_ROLE").contains("Run the same command with --apply");
    setup.add("--apply");
    Run apply = launch(admin(), setup);
    assertThat(apply.status()).as(apply.all()).isZero();
    assertThat(apply.out()).contains("Applied").contains("PUT_INLINE_POLICY");
    Run again = launch(admin(), setup);
    assertThat(again.status()).as(again.all()).isZero();
    assertThat(again.out()).startsWith("Nothing to change.");

    String roleArn = fake.roleArn(id.equals("gitpod") ? "gitpod-ecr-pull" : id + "-ecr-pull");
    assertThat(apply.out()).contains("Role:     " + roleArn);
    if (file.contains(":role/")) {
      assertThat(file).as("the file names the role setup made").contains(roleArn);
    }
    if (file.contains("OIDC_ECR_REGISTRY: ")) {
      assertThat(file).contains("OIDC_ECR_REGISTRY: " + host);
    }
    // The job's variables, as the file (or the README next to it) sets them.
    Map<String, String> job = new HashMap<>(ciEnvironment(id, c.allowed()));
    job.put(id.equals("eks") ? "AWS_ROLE_ARN" : "OIDC_ECR_ROLE_ARN", roleArn);
    job.put("OIDC_ECR_REGISTRY", host);
    List<String> loginArgs = loginArgs(file);
    Run login = launch(job, loginArgs);
    assertThat(login.status()).as(login.all()).isZero();
    if (loginArgs.contains("--print")) {
      assertThat(login.out()).contains("\"auths\"").contains(host);
    } else {
      assertThat(login.out()).startsWith("Login Succeeded: " + host);
    }
    assertThat(login.all()).doesNotContain(c.allowed());

    Map<String, String> refusedJob = new HashMap<>(ciEnvironment(id, c.refused()));
    refusedJob.putAll(admin());
    Run doctor = launch(refusedJob, List.of("doctor", "--role-arn", roleArn, "--registry",
        host));
    assertThat(doctor.status()).as(doctor.all()).isEqualTo(1);
    assertThat(doctor.out()).contains(c.cause().toArray(String[]::new))
        .contains(c.fix().toArray(String[]::new))
        .doesNotContain("TrustPolicy.").doesNotContain("AwsSetup")
        .doesNotContain(c.refused());
  }
}
