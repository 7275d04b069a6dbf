package dev.oidcecr.core.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeAwsExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/** {@code oidc-ecr setup} and {@code oidc-ecr doctor} against the fake, through the real SDK. */
class OidcEcrCliSetupDoctorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP = "https://github.com/acme/app";

  @TempDir Path dir;
  private Path home;
  private Path work;

  @RegisterExtension
  static final FakeAwsExtension AWS = FakeAwsExtension.builder().build();  // reset before each

  private static FakeAws fake() {
    return AWS.fake();
  }

  @BeforeEach
  void emptyAccount() throws Exception {
    try (var http = UrlConnectionHttpClient.create(); EcrClient ecr = ecr(http)) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
      ecr.createRepository(r -> r.repositoryName("acme/other"));
    }
    home = Files.createDirectories(dir.resolve("home"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  private static EcrClient ecr(software.amazon.awssdk.http.SdkHttpClient http) {
    return fake().configure(EcrClient.builder()).httpClient(http).build();
  }

  private static IamClient iam(software.amazon.awssdk.http.SdkHttpClient http) {
    return fake().configure(IamClient.builder()).region(Region.AWS_GLOBAL).httpClient(http).build();
  }

  private record Run(int status, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Run run(Map<String, String> env, String... args) {
    return run(env, List.of(args));
  }

  private Run run(Map<String, String> env, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = OidcEcrCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, home, work);
    return new Run(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** An administrator's environment: credentials, region and endpoint, as the SDK reads them. */
  private Map<String, String> adminEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", fake().accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", fake().secretAccessKey());
    env.put("AWS_REGION", fake().region());
    env.put("AWS_ENDPOINT_URL", fake().endpoint().toString());
    return env;
  }

  private static final String[] SETUP = {"setup", "--gitpod-domain", "gitpod.example.com",
      "--allow-repository", APP, "--repository", "acme/app"};

  private static String[] setup(String... more) {
    List<String> args = new ArrayList<>(List.of(SETUP));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private long calls(String operation) {
    return fake().requests().stream().filter(c -> c.operation().equals(operation)).count();
  }

  private Path tokenFile(String repositoryUrl) throws Exception {
    return Files.writeString(dir.resolve("token"), fake().issuer().mint(repositoryUrl));
  }

  // ---------------------------------------------------------------- setup

  @Test
  void setup_onEmptyAccount_plansEveryChangeChangesNothingAndExitsZero() {
    Run r = run(adminEnv(), setup());

    assertThat(r.status()).as(r.all()).isZero();
    assertThat(r.out()).contains("3 changes for role " + fake().roleArn("gitpod-ecr-pull"),
        "1. CREATE_PROVIDER", "2. CREATE_ROLE", "3. PUT_INLINE_POLICY",
        "+ ", "services.gitpod.example.com/idp:sub", "--apply");
    assertThat(calls("CreateOpenIDConnectProvider")).isZero();
    assertThat(calls("CreateRole")).isZero();
    assertThat(calls("PutRolePolicy")).isZero();
  }

  @Test
  void setup_optionsReachThePlan() {
    Run r = run(adminEnv(), setup("--role-name", "ws-pull", "--role-path", "/gitpod/",
        "--max-session-duration", "7200", "--push", "--allow-organization",
        "https://github.com/acme-labs", "--audience", "sts.amazonaws.com"));

    assertThat(r.status()).as(r.all()).isZero();
    assertThat(r.out()).contains("arn:aws:iam::" + fake().accountId() + ":role/gitpod/ws-pull",
        "path /gitpod/", "max session 7200s", "pull and push", "ecr:PutImage",
        "https://github.com/acme-labs/*");
  }

  @Test
  void setupAndDoctor_takeServiceEndpointsFromTheEnvironmentOrTheOption() throws Exception {
    Map<String, String> env = adminEnv();
    env.remove("AWS_ENDPOINT_URL");
    for (String service : List.of("IAM", "ECR", "STS")) {
      env.put("AWS_ENDPOINT_URL_" + service, fake().endpoint().toString());
    }
    Run applied = run(env, setup("--apply"));
    assertThat(applied.status()).as(applied.all()).isZero();

    Map<String, String> noEndpoint = adminEnv();
    noEndpoint.remove("AWS_ENDPOINT_URL");
    Run doctor = run(noEndpoint, "doctor", "--endpoint-url", fake().endpoint().toString(),
        "--role-arn", fake().roleArn("gitpod-ecr-pull"), "--registry", fake().registryHost(),
        "--token-file", tokenFile(APP).toString());
    assertThat(doctor.status()).as(doctor.all()).isZero();
    assertThat(doctor.out()).contains("[PASS   ] provider:", "[PASS   ] trust-policy:");
  }

  @Test
  void setupApply_createsEverything_andASecondApplyChangesNothing() throws Exception {
    Run first = run(adminEnv(), setup("--gitpod-account", "210987654321", "--apply"));

    assertThat(first.status()).as(first.all()).isZero();
    assertThat(first.out()).contains("Applied 4 changes", "CREATE_PROVIDER", "CREATE_ROLE",
        "PUT_INLINE_POLICY", "SET_REPOSITORY_POLICY", "Next steps",
        "IDP_AWS_ROLE_ARN=" + fake().roleArn("gitpod-ecr-pull"),
        "oidc-ecr login --role-arn", "oidc-ecr doctor --role-arn");
    try (var http = UrlConnectionHttpClient.create(); IamClient iam = iam(http);
        EcrClient ecr = ecr(http)) {
      assertThat(iam.getRole(q -> q.roleName("gitpod-ecr-pull")).role().arn())
          .isEqualTo(fake().roleArn("gitpod-ecr-pull"));
      // IAM returns policies URL-encoded.
      assertThat(PolicyDocument.parse(iam.getRolePolicy(q -> q.roleName("gitpod-ecr-pull")
          .policyName("oidc-ecr-pull")).policyDocument()).toJson())
          .contains(fake().repositoryArn("acme/app"));
      assertThat(ecr.getRepositoryPolicy(q -> q.repositoryName("acme/app")).policyText())
          .contains("210987654321");
    }
    long writes = fake().requests().size();

    Run second = run(adminEnv(), setup("--gitpod-account", "210987654321", "--apply"));

    assertThat(second.status()).as(second.all()).isZero();
    assertThat(second.out()).contains("Nothing to change");
    assertThat(fake().requests().subList((int) writes, fake().requests().size()))
        .extracting(c -> c.operation())
        .noneMatch(op -> op.startsWith("Create") || op.startsWith("Put")
            || op.startsWith("Update") || op.startsWith("Set") || op.startsWith("Add"));
    Run plan = run(adminEnv(), setup("--gitpod-account", "210987654321"));
    assertThat(plan.status()).isZero();
    assertThat(plan.out()).contains("No changes", "Nothing to apply");
  }

  /** The next steps setup prints are commands of this CLI that work as printed. */
  @Test
  void setupApply_nextStepsAreWorkingCommands() throws Exception {
    Run applied = run(adminEnv(), setup("--apply"));
    assertThat(applied.status()).as(applied.all()).isZero();
    String roleArn = fake().roleArn("gitpod-ecr-pull");
    Map<String, String> workspace = new HashMap<>(adminEnv());
    workspace.put("IDP_AWS_ROLE_ARN", roleArn);
    workspace.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile(APP + "/pull/9").toString());
    workspace.put("DOCKER_CONFIG", dir.resolve("docker").toString());

    List<String> commands = new ArrayList<>();
    Matcher m = Pattern.compile("(oidc-ecr (?:login|doctor) .*)$", Pattern.MULTILINE)
        .matcher(applied.out());
    while (m.find()) {
      commands.add(m.group(1));
    }
    assertThat(commands).hasSize(2);
    for (String command : commands) {
      List<String> args = new ArrayList<>();
      for (String word : command.split(" ")) {
        args.add(word.replace("\"$IDP_AWS_ROLE_ARN\"", roleArn));
      }
      Run r = run(workspace, args.subList(1, args.size()));
      assertThat(r.status()).as(command + "\n" + r.all()).isZero();
    }
    assertThat(dir.resolve("docker/config.json")).content().contains(fake().registryHost());
  }

  @Test
  void setupApply_withLintedBadTrustPolicyFile_isRefusedNamingTheFinding() throws Exception {
    PolicyDocument risky = TrustPolicy.builder().issuer(fake().issuer().issuer())
        .account(fake().accountId()).subjectPattern(APP + "*").build();
    List<Finding> errors = PolicyLinter.create().lint(risky, PolicyKind.TRUST).stream()
        .filter(f -> f.severity() == Finding.Severity.ERROR).toList();
    assertThat(errors).isNotEmpty();
    Path file = Files.writeString(work.resolve("trust.json"), risky.toPrettyJson());
    String[] args = {"setup", "--issuer-url", fake().issuer().issuer(), "--trust-policy",
        "trust.json", "--repository", "acme/app"};

    Run plan = run(adminEnv(), args);
    List<String> withApply = new ArrayList<>(List.of(args));
    withApply.add("--apply");
    Run apply = run(adminEnv(), withApply);

    assertThat(plan.status()).isEqualTo(1);
    assertThat(plan.out()).contains(errors.get(0).id());
    assertThat(plan.err()).contains("--apply would refuse", errors.get(0).id(),
        "--allow-lint-errors");
    assertThat(apply.status()).isEqualTo(1);
    assertThat(apply.err()).contains("Refusing to apply", errors.get(0).id());
    assertThat(calls("CreateRole")).isZero();
    assertThat(file).exists();
    try (var http = UrlConnectionHttpClient.create(); IamClient iam = iam(http)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> iam.getRole(q -> q.roleName("gitpod-ecr-pull")))
          .isInstanceOf(NoSuchEntityException.class);
    }
  }

  @Test
  void setup_usageErrors_exitTwoWithTheFix() {
    Run noIssuer = run(adminEnv(), "setup", "--allow-repository", APP, "--repository", "a");
    assertThat(noIssuer.status()).isEqualTo(2);
    assertThat(noIssuer.err()).contains("--gitpod-domain");

    Run noRule = run(adminEnv(), "setup", "--gitpod-domain", "g.example.com", "--repository",
        "a");
    assertThat(noRule.status()).isEqualTo(2);
    assertThat(noRule.err()).contains("--allow-repository");

    Run both = run(adminEnv(), setup("--trust-policy", "x.json"));
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.err()).contains("cannot be combined");

    Run noRepository = run(adminEnv(), "setup", "--gitpod-domain", "g.example.com",
        "--allow-repository", APP);
    assertThat(noRepository.status()).isEqualTo(2);
    assertThat(noRepository.err()).contains("--repository NAME is required");

    Map<String, String> noRegion = adminEnv();
    noRegion.remove("AWS_REGION");
    Run region = run(noRegion, setup());
    assertThat(region.status()).isEqualTo(2);
    assertThat(region.err()).contains("--region is required");

    Run seconds = run(adminEnv(), setup("--max-session-duration", "1h"));
    assertThat(seconds.status()).isEqualTo(2);
    assertThat(seconds.err()).contains("--max-session-duration takes whole seconds");

    Run unknown = run(adminEnv(), setup("--pull"));
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown option --pull");
    assertThat(calls("CreateRole") + calls("GetRole")).isZero();
  }

  @Test
  void setup_regionFromTheProfileInHome() throws Exception {
    Map<String, String> env = adminEnv();
    env.remove("AWS_REGION");
    Files.createDirectories(home.resolve(".aws"));
    Files.writeString(home.resolve(".aws/config"), "[default]\nregion = " + fake().region()
        + "\n");

    Run r = run(env, setup());

    assertThat(r.status()).as(r.all()).isZero();
    assertThat(r.out()).contains("CREATE_ROLE");
  }

  @Test
  void setup_awsFailure_exitsOneWithTheCodeAndNoSecret() {
    fake().failNext("GetRole", 1, "AccessDenied", 403);

    Run r = run(adminEnv(), setup("--account", fake().accountId()));

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("oidc-ecr setup:", "GetRole", "AccessDenied",
        "requiredPermissions");
    assertThat(r.all()).doesNotContain(fake().secretAccessKey());
  }

  @Test
  void help_listsSetupAndDoctorAndTheirOptions() {
    Run top = run(Map.of(), "help");
    assertThat(top.status()).isZero();
    assertThat(top.out()).contains("setup", "doctor", "login");

    Run setup = run(Map.of(), "setup", "--help");
    assertThat(setup.status()).isZero();
    assertThat(setup.out()).contains("--apply", "--gitpod-domain", "--issuer-url", "--audience",
        "--role-name", "--role-path", "--max-session-duration", "--allow-repository",
        "--allow-organization", "--trust-policy", "--repository", "--push",
        "--gitpod-account", "--account", "--region", "--endpoint-url", "--allow-lint-errors");

    Run doctor = run(Map.of(), "doctor", "--help");
    assertThat(doctor.status()).isZero();
    assertThat(doctor.out()).contains("--role-arn", "--registry", "--token-file",
        "--gitpod-yml", "--endpoint-url", "--login", "--json");
  }

  // ---------------------------------------------------------------- doctor

  private void applySetup() {
    Run r = run(adminEnv(), setup("--apply"));
    assertThat(r.status()).as(r.all()).isZero();
  }

  private String image() {
    return fake().registryHost() + "/acme/app:latest";
  }

  @Test
  void doctor_whenEverythingIsRight_exitsZero() throws Exception {
    applySetup();
    fake().seedImage("acme/app", "latest");
    Files.writeString(work.resolve(".gitpod.yml"), "image: " + image() + "\n");
    String token = fake().issuer().mint(APP);
    Files.writeString(dir.resolve("token"), token);

    Run r = run(adminEnv(), "doctor", "--role-arn", fake().roleArn("gitpod-ecr-pull"),
        "--registry", image(), "--token-file", dir.resolve("token").toString(), "--login");

    assertThat(r.status()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("OK: ")
        .contains("[PASS   ] token:", "[PASS   ] provider:", "[PASS   ] audience:",
            "[PASS   ] trust-policy:", "[PASS   ] permission-policy:",
            "[PASS   ] gitpod-yml:", "[PASS   ] login:")
        .doesNotContain("FAIL");
    assertThat(r.all()).doesNotContain(token).doesNotContain(fake().secretAccessKey());
  }

  @Test
  void doctor_withTokenOfAnotherRepository_exitsOneNamingTrustPolicyAndSub() throws Exception {
    applySetup();
    Map<String, String> env = adminEnv();
    env.put("IDP_AWS_ROLE_ARN", fake().roleArn("gitpod-ecr-pull"));
    env.put("OIDC_ECR_REGISTRY", fake().registryHost());
    env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile("https://github.com/acme/other").toString());

    Run r = run(env, "doctor");

    assertThat(r.status()).as(r.all()).isEqualTo(1);
    assertThat(r.out()).startsWith("FAILED: ")
        .contains("[FAIL   ] trust-policy:", "sub=https://github.com/acme/other");
  }

  @Test
  void doctor_json_parsesAndCarriesTheFailedCheck() throws Exception {
    applySetup();
    Run r = run(adminEnv(), "doctor", "--json", "--role-arn", fake().roleArn("gitpod-ecr-pull"),
        "--registry", fake().registryHost(), "--token-file",
        tokenFile("https://github.com/acme/other").toString());

    assertThat(r.status()).isEqualTo(1);
    JsonNode report = JSON.readTree(r.out());
    assertThat(report.path("ok").asBoolean(true)).isFalse();
    List<String> failed = new ArrayList<>();
    report.path("findings").forEach(f -> {
      if (f.path("status").asText().equals("FAIL")) {
        failed.add(f.path("id").asText());
      }
    });
    assertThat(failed).containsExactly("trust-policy");
  }

  @Test
  void doctor_withoutCredentials_runsOfflineChecksAndSkipsIam() throws Exception {
    applySetup();
    int before = fake().requests().size();

    Run r = run(Map.of(), "doctor", "--role-arn", fake().roleArn("gitpod-ecr-pull"),
        "--registry", fake().registryHost(), "--token-file", tokenFile(APP).toString());

    assertThat(r.status()).as(r.all()).isZero();
    assertThat(r.out()).contains("[PASS   ] token:", "[SKIPPED] provider:",
        "[SKIPPED] trust-policy:", "No AWS credentials in the environment");
    assertThat(fake().requests().size()).isEqualTo(before);
  }

  @Test
  void doctor_readsGitpodYmlOfTheWorkingDirectory() throws Exception {
    applySetup();
    Files.writeString(work.resolve(".gitpod.yml"),
        "image: " + fake().registryHost() + "/acme/other:latest\n");

    Run r = run(adminEnv(), "doctor", "--role-arn", fake().roleArn("gitpod-ecr-pull"),
        "--registry", fake().registryHost(), "--token-file", tokenFile(APP).toString());

    assertThat(r.status()).as(r.all()).isEqualTo(1);
    assertThat(r.out()).contains("[FAIL   ] gitpod-yml:", "acme/other");
  }

  @Test
  void doctor_usageErrors_exitTwo() {
    Run unknown = run(Map.of(), "doctor", "--role", "x");
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown option --role", "oidc-ecr doctor --help");

    Run positional = run(Map.of(), "doctor", "extra");
    assertThat(positional.status()).isEqualTo(2);

    Run badUrl = run(Map.of(), "doctor", "--endpoint-url", "not a url");
    assertThat(badUrl.status()).isEqualTo(2);

    Run missingValue = run(Map.of(), "doctor", "--registry");
    assertThat(missingValue.status()).isEqualTo(2);
    assertThat(missingValue.err()).contains("--registry needs a value");
  }
}
