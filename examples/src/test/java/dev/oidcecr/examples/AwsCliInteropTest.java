package dev.oidcecr.examples;

import static dev.oidcecr.examples.AwsCli.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oidcecr.examples.AwsCli.Result;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake driven by a client nobody here wrote: the AWS CLI (botocore), doing the whole job
 * with the admin keys, then a workspace's token, then a pull. Skipped where no {@code aws} is on
 * the PATH.
 */
class AwsCliInteropTest {
  private static FakeAws fake;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    assumeTrue(AwsCli.installed(), "the AWS CLI is not installed");
    fake = FakeAws.builder().build().start();
  }

  @AfterAll
  static void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  private Result aws(Map<String, String> credentials, String... args) throws Exception {
    return AwsCli.run(dir, fake.endpoint().toString(), fake.region(), credentials, args);
  }

  private Map<String, String> admin() {
    return Map.of("AWS_ACCESS_KEY_ID", fake.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", fake.secretAccessKey());
  }

  @Test
  void wholeJob_withTheAwsCli() throws Exception {
    String issuer = fake.issuer().issuer();
    // IAM no longer needs a thumbprint, and neither does the fake, but older AWS CLIs (Debian
    // 12's 2.9.19 among them) still require the flag: any 40 hex digits.
    ok(aws(admin(), "iam", "create-open-id-connect-provider", "--url", issuer,
        "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", "0000000000000000000000000000000000000000"));
    PolicyDocument trust = TrustPolicy.builder().issuer(issuer).account(fake.accountId())
        .repository("https://github.com/acme/app").build();
    ok(aws(admin(), "iam", "create-role", "--role-name", "gitpod-ecr-pull",
        "--assume-role-policy-document", trust.toJson()));
    ok(aws(admin(), "iam", "put-role-policy", "--role-name", "gitpod-ecr-pull",
        "--policy-name", "pull", "--policy-document", PermissionPolicy.builder()
            .repository(fake.accountId(), fake.region(), "acme/app").build().toJson()));
    ok(aws(admin(), "ecr", "create-repository", "--repository-name", "acme/app"));
    fake.seedImage("acme/app", "latest");

    // The CLI decodes IAM's URL-encoded document: what comes back is the policy that went in.
    JsonNode role = ok(aws(admin(), "iam", "get-role", "--role-name", "gitpod-ecr-pull")).json();
    assertThat(PolicyDocument.parse(role.path("Role").path("AssumeRolePolicyDocument")
        .toString())).isEqualTo(trust);
    JsonNode providers = ok(aws(admin(), "iam", "list-open-id-connect-providers")).json();
    assertThat(providers.path("OpenIDConnectProviderList").get(0).path("Arn").asText())
        .isEqualTo(fake.providerArn());

    String token = fake.issuer().token().repository("https://github.com/acme/app").mint();
    JsonNode assumed = ok(aws(Map.of(), "sts", "assume-role-with-web-identity",
        "--role-arn", fake.roleArn("gitpod-ecr-pull"), "--role-session-name", "ws-1",
        "--web-identity-token", token)).json();
    JsonNode creds = assumed.path("Credentials");
    assertThat(creds.path("AccessKeyId").asText()).startsWith("ASIA");
    assertThat(assumed.path("SubjectFromWebIdentityToken").asText())
        .isEqualTo("https://github.com/acme/app");

    Map<String, String> session = new HashMap<>();
    session.put("AWS_ACCESS_KEY_ID", creds.path("AccessKeyId").asText());
    session.put("AWS_SECRET_ACCESS_KEY", creds.path("SecretAccessKey").asText());
    session.put("AWS_SESSION_TOKEN", creds.path("SessionToken").asText());
    String password = ok(aws(session, "ecr", "get-login-password")).out().strip();
    assertThat(password).isNotEmpty();

    String basic = Base64.getEncoder().encodeToString(
        ("AWS:" + password).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> manifest = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(fake.registryEndpoint().resolve("acme/app/manifests/latest"))
            .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(manifest.statusCode()).isEqualTo(200);

    // A token of another repository: the CLI shows AWS's refusal.
    String other = fake.issuer().token().repository("https://github.com/acme/other").mint();
    Result refused = aws(Map.of(), "sts", "assume-role-with-web-identity",
        "--role-arn", fake.roleArn("gitpod-ecr-pull"), "--role-session-name", "ws-2",
        "--web-identity-token", other);
    assertThat(refused.status()).isNotZero();
    assertThat(refused.err()).contains("AccessDenied")
        .contains("Not authorized to perform sts:AssumeRoleWithWebIdentity");

    // A signed call with a wrong secret key is refused, as AWS would.
    Result forged = aws(Map.of("AWS_ACCESS_KEY_ID", fake.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", "not-the-secret"), "ecr", "describe-repositories");
    assertThat(forged.status()).isNotZero();
    assertThat(forged.err()).contains("InvalidSignatureException");
  }

  @Test
  void ecrImageCommands_describeListPutDelete() throws Exception {
    ok(aws(admin(), "ecr", "create-repository", "--repository-name", "acme/images"));
    String digest = fake.seedImage("acme/images", image -> image
        .layer("layer".getBytes(StandardCharsets.UTF_8)).tag("v1"));

    JsonNode described = ok(aws(admin(), "ecr", "describe-images", "--repository-name",
        "acme/images")).json();
    JsonNode detail = described.path("imageDetails").get(0);
    assertThat(detail.path("imageDigest").asText()).isEqualTo(digest);
    assertThat(detail.path("imageTags").get(0).asText()).isEqualTo("v1");
    assertThat(detail.path("imageSizeInBytes").asLong()).isPositive();

    // put-image re-tags the pushed manifest, as `aws ecr put-image` users do to promote.
    String manifest = fake.images("acme/images").get(0).manifest();
    JsonNode put = ok(aws(admin(), "ecr", "put-image", "--repository-name", "acme/images",
        "--image-tag", "stable", "--image-manifest", manifest)).json();
    assertThat(put.path("image").path("imageId").path("imageDigest").asText())
        .isEqualTo(digest);

    JsonNode listed = ok(aws(admin(), "ecr", "list-images", "--repository-name",
        "acme/images")).json();
    assertThat(listed.path("imageIds").findValuesAsText("imageTag"))
        .containsExactlyInAnyOrder("v1", "stable");

    JsonNode deleted = ok(aws(admin(), "ecr", "batch-delete-image", "--repository-name",
        "acme/images", "--image-ids", "imageTag=v1", "imageTag=missing")).json();
    assertThat(deleted.path("imageIds").get(0).path("imageTag").asText()).isEqualTo("v1");
    assertThat(deleted.path("failures").get(0).path("failureCode").asText())
        .isEqualTo("ImageNotFound");
    assertThat(fake.images("acme/images")).singleElement()
        .satisfies(i -> assertThat(i.tags()).containsExactly("stable"));
  }
}
