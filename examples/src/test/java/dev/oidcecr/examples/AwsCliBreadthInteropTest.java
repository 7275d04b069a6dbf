package dev.oidcecr.examples;

import static dev.oidcecr.examples.AwsCli.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oidcecr.examples.AwsCli.Result;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
  private static final String FIRST = "111122223333";
  private static final String SECOND = "444455556666";
  private static StandaloneFake server;
  private static JsonNode info;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(AwsCli.installed(), "the AWS CLI is not installed");
    server = StandaloneFake.start("--account", FIRST, "--account", SECOND);
    info = server.info();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.close();
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
    return AwsCli.run(dir, info.path("endpoint").asText(), info.path("region").asText(),
        credentials, args);
  }

  @Test
  void managedPolicies_roleChaining_andSessionTags_withTheAwsCli() throws Exception {
    assertThat(info.path("accountId").asText()).isEqualTo(FIRST);
    assertThat(info.path("accounts")).hasSize(2);
    assertThat(info.path("accounts").get(1).path("accountId").asText()).isEqualTo(SECOND);
    assertThat(info.path("accounts").get(0).path("accessKeyId").asText())
        .isEqualTo(info.path("accessKeyId").asText());
    // Each account's registry has its own listener; the first one's is the top-level registry.
    assertThat(info.path("accounts").get(0).path("registry").asText())
        .isEqualTo(info.path("registry").asText());
    assertThat(info.path("accounts").get(1).path("registry").asText())
        .startsWith("http://127.0.0.1:").endsWith("/v2/")
        .isNotEqualTo(info.path("registry").asText());

    Map<String, String> admin = account(1);
    String issuer = info.path("issuer").asText();
    String prefix = issuer.replaceFirst("^https://", "");
    String provider = "arn:aws:iam::" + SECOND + ":oidc-provider/" + prefix;
    // Older AWS CLIs (Debian 12's 2.9.19 among them) require a thumbprint; the fake ignores it.
    ok(aws(admin, "iam", "create-open-id-connect-provider", "--url", issuer,
        "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "0000000000000000000000000000000000000000"));
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
    String tagged = server.token("""
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
    String otherTeam = server.token("""
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
