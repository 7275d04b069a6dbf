package dev.oidcecr.examples;

import static dev.oidcecr.examples.AwsCli.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oidcecr.examples.AwsCli.Result;
import java.nio.file.Path;
import java.util.Map;
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
  private static StandaloneFake server;
  private static JsonNode info;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(AwsCli.installed(), "the AWS CLI is not installed");
    server = StandaloneFake.start();
    info = server.info();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  private Result aws(boolean admin, String... args) throws Exception {
    return AwsCli.run(dir, info.path("endpoint").asText(), info.path("region").asText(),
        admin ? Map.of("AWS_ACCESS_KEY_ID", info.path("accessKeyId").asText(),
            "AWS_SECRET_ACCESS_KEY", info.path("secretAccessKey").asText()) : Map.of(), args);
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
    // IAM no longer needs a thumbprint, and neither does the fake, but older AWS CLIs (Debian
    // 12's 2.9.19 among them) still require the flag: any 40 hex digits.
    Result r = aws(true, "iam", "create-open-id-connect-provider", "--url", url,
        "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "0000000000000000000000000000000000000000");
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

    JsonNode assumed = assume("ona-ecr-pull", server.token("""
        {"profile": "ona", "organization_id": "%s", "project_id": "%s"}""".formatted(org, prj)));
    assertThat(assumed.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("organization_id:" + org + ":project_id:" + prj);
    assertThat(assumed.path("Provider").asText()).endsWith(":oidc-provider/app.gitpod.io");
    assertThat(assumed.path("Credentials").path("AccessKeyId").asText()).startsWith("ASIA");

    assertRefused("ona-ecr-pull", server.token("""
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
    JsonNode classic = assume("gh-classic", server.token("""
        {"profile": "github-actions", "repository": "acme/app", "ref": "refs/heads/main"}"""));
    assertThat(classic.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("repo:acme/app:ref:refs/heads/main");
    assertRefused("gh-classic", server.token("""
        {"profile": "github-actions", "repository": "acme/app-fork"}"""));

    String immutableSub = "repo:acme@1234567/app@890123456:environment:prod";
    ok(aws(true, "iam", "create-role", "--role-name", "gh-immutable",
        "--assume-role-policy-document", trust(prefix, "StringEquals", immutableSub)));
    JsonNode immutable = assume("gh-immutable", server.token("""
        {"profile": "github-actions", "immutable": true, "repository": "acme/app",
         "repository_owner_id": "1234567", "repository_id": "890123456",
         "environment": "prod"}"""));
    assertThat(immutable.path("SubjectFromWebIdentityToken").asText()).isEqualTo(immutableSub);
    // Same names, another repository id (deleted and re-created): refused.
    assertRefused("gh-immutable", server.token("""
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

    JsonNode assumed = assume("gitlab-ecr-pull", server.token("""
        {"profile": "gitlab", "iss": "https://gitlab.acme.example",
         "project_path": "platform/app", "ref": "main"}"""));
    assertThat(assumed.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("project_path:platform/app:ref_type:branch:ref:main");
    assertRefused("gitlab-ecr-pull", server.token("""
        {"profile": "gitlab", "iss": "https://gitlab.acme.example",
         "project_path": "platform/app-legacy", "ref": "main"}"""));
  }
}
