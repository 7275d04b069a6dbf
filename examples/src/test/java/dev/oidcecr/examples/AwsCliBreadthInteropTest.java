package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake's breadth through the standalone jar (another process, two accounts) and the AWS
 * CLI: managed policies ({@code create-policy}, {@code attach-role-policy}), role chaining
 * ({@code assume-role}) and session tags ({@code assume-role-with-web-identity} with a token
 * carrying the {@code https://aws.amazon.com/tags} claim). Skipped where no {@code aws} is on
 * the PATH.
 */
class AwsCliBreadthInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final String FIRST = "111122223333";
  private static final String SECOND = "444455556666";
  private static Process server;
  private static JsonNode info;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(onPath("aws"), "the AWS CLI is not installed");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    server = new ProcessBuilder(java.toString(), "-jar", standaloneJar().toString(),
        "--port", "0", "--account", FIRST, "--account", SECOND)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(90, TimeUnit.SECONDS);
    info = JSON.readTree(line);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Path standaloneJar() throws IOException {
    Path target = Path.of("..", "testing", "target");
    try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      return files.filter(p -> p.getFileName().toString().matches(
              "oidc-ecr-testing-.*-standalone\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("No standalone jar in " + target
              .toAbsolutePath().normalize() + ": build it first with ./mvnw -pl examples -am "
              + "verify (or package the testing module)."));
    }
  }

  private static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int status, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  private static Map<String, String> account(int index) {
    JsonNode a = info.path("accounts").get(index);
    return Map.of("AWS_ACCESS_KEY_ID", a.path("accessKeyId").asText(),
        "AWS_SECRET_ACCESS_KEY", a.path("secretAccessKey").asText());
  }

  private static Map<String, String> session(JsonNode credentials) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", credentials.path("AccessKeyId").asText());
    env.put("AWS_SECRET_ACCESS_KEY", credentials.path("SecretAccessKey").asText());
    env.put("AWS_SESSION_TOKEN", credentials.path("SessionToken").asText());
    return env;
  }

  private Result aws(Map<String, String> credentials, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("aws", "--endpoint-url",
        info.path("endpoint").asText(), "--region", info.path("region").asText(),
        "--output", "json"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_CONFIG_FILE", dir.resolve("none").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.putAll(credentials);
    Path err = Files.createTempFile(dir, "aws", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, Files.readString(err));
  }

  private static Result ok(Result r) {
    assertThat(r.status()).as(r.err()).isZero();
    return r;
  }

  private static String token(String requestJson) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create(info.path("endpoint").asText()).resolve("/_fake/tokens"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(requestJson)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }

  @Test
  void managedPolicies_roleChaining_andSessionTags_withTheAwsCli() throws Exception {
    assertThat(info.path("accountId").asText()).isEqualTo(FIRST);
    assertThat(info.path("accounts")).hasSize(2);
    assertThat(info.path("accounts").get(1).path("accountId").asText()).isEqualTo(SECOND);
    assertThat(info.path("accounts").get(0).path("accessKeyId").asText())
        .isEqualTo(info.path("accessKeyId").asText());

    Map<String, String> admin = account(1);
    String issuer = info.path("issuer").asText();
    String prefix = issuer.replaceFirst("^https://", "");
    String provider = "arn:aws:iam::" + SECOND + ":oidc-provider/" + prefix;
    ok(aws(admin, "iam", "create-open-id-connect-provider", "--url", issuer,
        "--client-id-list", "sts.amazonaws.com"));
    ok(aws(admin, "iam", "create-role", "--role-name", "ci", "--assume-role-policy-document", """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"},
          "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"}}}]}"""
        .formatted(provider, prefix)));

    // A customer managed policy, created and attached with the CLI.
    JsonNode policy = ok(aws(admin, "iam", "create-policy", "--policy-name", "chain",
        "--policy-document", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": ["sts:AssumeRole", "sts:TagSession"],
              "Resource": "arn:aws:iam::%s:role/deployer",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}}]}"""
            .formatted(SECOND))).json().path("Policy");
    assertThat(policy.path("Arn").asText()).isEqualTo("arn:aws:iam::" + SECOND + ":policy/chain");
    assertThat(policy.path("DefaultVersionId").asText()).isEqualTo("v1");
    ok(aws(admin, "iam", "attach-role-policy", "--role-name", "ci", "--policy-arn",
        policy.path("Arn").asText()));
    ok(aws(admin, "iam", "attach-role-policy", "--role-name", "ci", "--policy-arn",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"));
    JsonNode attached = ok(aws(admin, "iam", "list-attached-role-policies", "--role-name",
        "ci")).json().path("AttachedPolicies");
    assertThat(attached).hasSize(2);
    assertThat(attached.get(1).path("PolicyName").asText())
        .isEqualTo("AmazonEC2ContainerRegistryReadOnly");

    ok(aws(admin, "iam", "create-role", "--role-name", "deployer",
        "--assume-role-policy-document", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::%s:root"},
              "Action": ["sts:AssumeRole", "sts:TagSession"]}]}"""
            .formatted(SECOND)));

    // A tagged web identity: the tags claim becomes the session's principal tags.
    String tagged = token("""
        {"repository": "https://github.com/acme/app",
         "https://aws.amazon.com/tags": {"principal_tags": {"team": ["platform"]},
                                         "transitive_tag_keys": ["team"]}}""");
    JsonNode web = ok(aws(Map.of(), "sts", "assume-role-with-web-identity", "--role-arn",
        "arn:aws:iam::" + SECOND + ":role/ci", "--role-session-name", "ws-1",
        "--web-identity-token", tagged)).json();
    assertThat(web.path("PackedPolicySize").asInt()).isPositive();
    Map<String, String> ci = session(web.path("Credentials"));
    assertThat(ok(aws(ci, "sts", "get-caller-identity")).json().path("Arn").asText())
        .isEqualTo("arn:aws:sts::" + SECOND + ":assumed-role/ci/ws-1");
    assertThat(ok(aws(ci, "ecr", "get-login-password")).out().strip()).isNotEmpty();

    // Role chaining with the CLI: allowed by the attached policy for the tagged session (its
    // transitive tag goes along, so both sides must allow sts:TagSession too)...
    JsonNode chained = ok(aws(ci, "sts", "assume-role", "--role-arn",
        "arn:aws:iam::" + SECOND + ":role/deployer", "--role-session-name", "deploy-1")).json();
    assertThat(chained.path("AssumedRoleUser").path("Arn").asText())
        .isEqualTo("arn:aws:sts::" + SECOND + ":assumed-role/deployer/deploy-1");
    // ...capped at one hour...
    Result tooLong = aws(ci, "sts", "assume-role", "--role-arn",
        "arn:aws:iam::" + SECOND + ":role/deployer", "--role-session-name", "deploy-2",
        "--duration-seconds", "7200");
    assertThat(tooLong.status()).isNotZero();
    assertThat(tooLong.err()).contains("ValidationError").contains("1 hour session limit");

    // ...and refused for a session tagged for another team.
    String otherTeam = token("""
        {"repository": "https://github.com/acme/app",
         "https://aws.amazon.com/tags": {"principal_tags": {"team": ["other"]}}}""");
    Map<String, String> other = session(ok(aws(Map.of(), "sts",
        "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::" + SECOND + ":role/ci",
        "--role-session-name", "ws-2", "--web-identity-token", otherTeam)).json()
        .path("Credentials"));
    Result refused = aws(other, "sts", "assume-role", "--role-arn",
        "arn:aws:iam::" + SECOND + ":role/deployer", "--role-session-name", "deploy-3");
    assertThat(refused.status()).isNotZero();
    assertThat(refused.err()).contains("AccessDenied").contains("sts:AssumeRole");
  }
}
