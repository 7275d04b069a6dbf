package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Plays Docker: reads {@code credHelpers} from the config the example wrote, runs the helper the
 * build produced ({@code core/target/oidc-ecr/bin/docker-credential-oidc-ecr}) with the registry
 * on standard input, and pulls a manifest with the credentials it printed.
 */
@WithFakeAws
class CredentialHelperExampleTest {
  static final Path HELPER_DIR = Path.of("..", "core", "target", "oidc-ecr", "bin");

  @TempDir Path dir;

  @Test
  void dockerConfigCredHelper_givesWorkingCredentials(FakeAws aws, FakeOidcIssuer issuer)
      throws Exception {
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    aws.seedImage("acme/app", "latest");
    String roleArn = AwsSetup.builder()
        .endpoint(aws.endpoint()).region(aws.region()).credentialsProvider(admin)
        .issuerUrl(issuer.issuer()).accountId(aws.accountId()).roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app").repositories("acme/app")
        .build().apply().roleArn();
    String host = aws.accountId() + ".dkr.ecr." + aws.region() + ".amazonaws.com";

    Path config = CredentialHelperExample.configure(dir.resolve("docker"), host);

    // What Docker does: find the helper for the host, run docker-credential-<name> get.
    String helper = new ObjectMapper().readTree(config.toFile())
        .path("credHelpers").path(host).asText();
    assertThat(helper).isEqualTo("oidc-ecr");
    Path executable = HELPER_DIR.resolve("docker-credential-" + helper).toAbsolutePath();
    assertThat(executable).as("built by the core module's package phase").isExecutable();
    Path tokenFile = Files.writeString(dir.resolve("token"),
        issuer.token().repository("https://github.com/acme/app").mint());

    ProcessBuilder pb = new ProcessBuilder(executable.toString(), "get");
    pb.environment().putAll(Map.of(
        "OIDC_ECR_ROLE_ARN", roleArn,
        "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString(),
        "AWS_ENDPOINT_URL", aws.endpoint().toString(),
        "OIDC_ECR_CACHE_DIR", dir.resolve("cache").toString(),
        "JAVA_HOME", System.getProperty("java.home")));
    pb.redirectError(dir.resolve("stderr.txt").toFile());
    Process p = pb.start();
    p.getOutputStream().write((host + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out + Files.readString(dir.resolve("stderr.txt"))).isZero();

    JsonNode creds = new ObjectMapper().readTree(out);
    assertThat(creds.path("ServerURL").asText()).isEqualTo(host);
    String basic = Base64.getEncoder().encodeToString(
        (creds.path("Username").asText() + ":" + creds.path("Secret").asText())
            .getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> manifest = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(aws.registryEndpoint().resolve("acme/app/manifests/latest"))
            .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(manifest.statusCode()).isEqualTo(200);
  }
}
