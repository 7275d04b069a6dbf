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
 * The issuer profiles through the standalone fake (another process, {@code java -jar
 * oidc-ecr-testing-<version>-standalone.jar}) and the AWS CLI: tokens of Ona, GitHub Actions
 * (classic and immutable {@code sub}) and GitLab minted with {@code POST /_fake/tokens} and a
 * profile, a provider created without a thumbprint, then {@code aws sts
 * assume-role-with-web-identity}. Skipped where no {@code aws} is on the PATH.
 */
class AwsCliProfilesInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static Process server;
  private static JsonNode info;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(onPath("aws"), "the AWS CLI is not installed");
    Path jar = standaloneJar();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    server = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--port", "0")
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

  /** The testing module's standalone jar, built by the reactor before this module's tests. */
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

  private Result aws(boolean admin, String... args) throws Exception {
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
    if (admin) {
      env.put("AWS_ACCESS_KEY_ID", info.path("accessKeyId").asText());
      env.put("AWS_SECRET_ACCESS_KEY", info.path("secretAccessKey").asText());
    }
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

  private static String trust(String prefix, String subOperator, String sub) {
    String arn = "arn:aws:iam::" + info.path("accountId").asText() + ":oidc-provider/" + prefix;
    String aud = "\"%s:aud\": \"sts.amazonaws.com\"".formatted(prefix);
    String subject = "\"%s:sub\": \"%s\"".formatted(prefix, sub);
    String conditions = subOperator.equals("StringEquals")
        ? "\"StringEquals\": {" + aud + ", " + subject + "}"
        : "\"StringEquals\": {" + aud + "}, \"" + subOperator + "\": {" + subject + "}";
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {%s}}]}""".formatted(arn, conditions);
  }

  private void provider(String url) throws Exception {
    // No --thumbprint-list: IAM no longer needs one, and neither does the fake.
    Result r = aws(true, "iam", "create-open-id-connect-provider", "--url", url,
        "--client-id-list", "sts.amazonaws.com");
    if (r.status() != 0) {
      assertThat(r.err()).contains("EntityAlreadyExists");
    }
  }

  private JsonNode assume(String role, String token) throws Exception {
    return ok(aws(false, "sts", "assume-role-with-web-identity", "--role-arn",
        "arn:aws:iam::" + info.path("accountId").asText() + ":role/" + role,
        "--role-session-name", "job-1", "--web-identity-token", token)).json();
  }

  private void assertRefused(String role, String token) throws Exception {
    Result r = aws(false, "sts", "assume-role-with-web-identity", "--role-arn",
        "arn:aws:iam::" + info.path("accountId").asText() + ":role/" + role,
        "--role-session-name", "job-2", "--web-identity-token", token);
    assertThat(r.status()).isNotZero();
    assertThat(r.err()).contains("AccessDenied")
        .contains("Not authorized to perform sts:AssumeRoleWithWebIdentity");
  }

  @Test
  void ona_v3Token_withOnasDocumentedPolicy() throws Exception {
    String org = "0191e223-1c3c-7607-badf-303c98b52d2f";
    String prj = "019527e4-75d5-704d-a5a4-a2b52cf56198";
    provider("https://app.gitpod.io");
    ok(aws(true, "iam", "create-role", "--role-name", "ona-ecr-pull",
        "--assume-role-policy-document", trust("app.gitpod.io", "StringLike",
            "organization_id:" + org + ":project_id:" + prj + "*")));

    JsonNode assumed = assume("ona-ecr-pull", token("""
        {"profile": "ona", "organization_id": "%s", "project_id": "%s"}""".formatted(org, prj)));
    assertThat(assumed.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("organization_id:" + org + ":project_id:" + prj);
    assertThat(assumed.path("Provider").asText()).endsWith(":oidc-provider/app.gitpod.io");
    assertThat(assumed.path("Credentials").path("AccessKeyId").asText()).startsWith("ASIA");

    assertRefused("ona-ecr-pull", token("""
        {"profile": "ona", "organization_id": "%s",
         "project_id": "019527e4-75d5-704d-a5a4-a2b52cf5619f"}""".formatted(org)));
  }

  @Test
  void githubActions_classicAndImmutableSub() throws Exception {
    String prefix = "token.actions.githubusercontent.com";
    provider("https://" + prefix);

    // A trust policy without a sub condition: IAM's shared-issuer rule, as the CLI shows it.
    Result noSub = aws(true, "iam", "create-role", "--role-name", "gh-open",
        "--assume-role-policy-document", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"}}}]}"""
            .formatted(info.path("accountId").asText(), prefix, prefix));
    assertThat(noSub.status()).isNotZero();
    assertThat(noSub.err()).contains("MalformedPolicyDocument")
        .contains("must evaluate, using StringEquals, StringLike or StringEqualsIgnoreCase, "
            + prefix + ":sub");

    ok(aws(true, "iam", "create-role", "--role-name", "gh-classic",
        "--assume-role-policy-document", trust(prefix, "StringLike", "repo:acme/app:*")));
    JsonNode classic = assume("gh-classic", token("""
        {"profile": "github-actions", "repository": "acme/app", "ref": "refs/heads/main"}"""));
    assertThat(classic.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("repo:acme/app:ref:refs/heads/main");
    assertRefused("gh-classic", token("""
        {"profile": "github-actions", "repository": "acme/app-fork"}"""));

    String immutableSub = "repo:acme@1234567/app@890123456:environment:prod";
    ok(aws(true, "iam", "create-role", "--role-name", "gh-immutable",
        "--assume-role-policy-document", trust(prefix, "StringEquals", immutableSub)));
    JsonNode immutable = assume("gh-immutable", token("""
        {"profile": "github-actions", "immutable": true, "repository": "acme/app",
         "repository_owner_id": "1234567", "repository_id": "890123456",
         "environment": "prod"}"""));
    assertThat(immutable.path("SubjectFromWebIdentityToken").asText()).isEqualTo(immutableSub);
    // Same names, another repository id (deleted and re-created): refused.
    assertRefused("gh-immutable", token("""
        {"profile": "github-actions", "immutable": true, "repository": "acme/app",
         "repository_owner_id": "1234567", "repository_id": "999", "environment": "prod"}"""));
  }

  @Test
  void gitlab_selfManagedIssuerOverride() throws Exception {
    String prefix = "gitlab.acme.example";
    provider("https://" + prefix);
    ok(aws(true, "iam", "create-role", "--role-name", "gitlab-ecr-pull",
        "--assume-role-policy-document", trust(prefix, "StringEquals",
            "project_path:platform/app:ref_type:branch:ref:main")));

    JsonNode assumed = assume("gitlab-ecr-pull", token("""
        {"profile": "gitlab", "iss": "https://gitlab.acme.example",
         "project_path": "platform/app", "ref": "main"}"""));
    assertThat(assumed.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("project_path:platform/app:ref_type:branch:ref:main");
    assertRefused("gitlab-ecr-pull", token("""
        {"profile": "gitlab", "iss": "https://gitlab.acme.example",
         "project_path": "platform/app-legacy", "ref": "main"}"""));
  }
}
