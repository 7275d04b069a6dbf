package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Starts the runnable standalone jar as another process, reads its JSON line, and drives it
 * over plain HTTP as a test in another language would. Runs in the integration-test phase,
 * after the shade plugin built the jar.
 */
class StandaloneJarIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  static HttpResponse<String> post(URI uri, String contentType, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String form(String... pairs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      sb.append(i == 0 ? "" : "&").append(pairs[i]).append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Test
  void standaloneJar_printsJsonLine_mintsTokens_servesSts() throws Exception {
    Path jar = Path.of(System.getProperty("standalone.jar",
        "target/oidc-ecr-testing-0.1.0-SNAPSHOT-standalone.jar"));
    assertThat(jar).exists();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile("fake-aws", ".stderr");
    Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(),
        "--port", "0", "--region", "eu-central-1")
        .redirectError(stderr.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }).get(60, TimeUnit.SECONDS);
      JsonNode info = JSON.readTree(line);
      URI endpoint = URI.create(info.path("endpoint").asText());
      assertThat(endpoint.toString()).startsWith("http://localhost:");
      assertThat(info.path("region").asText()).isEqualTo("eu-central-1");
      assertThat(info.path("accountId").asText()).isEqualTo("123456789012");
      assertThat(info.path("issuer").asText()).isEqualTo(FakeOidcIssuer.DEFAULT_ISSUER);
      assertThat(info.path("accessKeyId").asText()).startsWith("AKIA");
      assertThat(info.path("secretAccessKey").asText()).hasSize(40);

      // State through the normal IAM API with the printed admin credentials.
      try (IamClient iam = IamClient.builder().endpointOverride(endpoint)
          .region(Region.AWS_GLOBAL).httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
              info.path("accessKeyId").asText(), info.path("secretAccessKey").asText())))
          .build()) {
        iam.createOpenIDConnectProvider(r -> r.url(info.path("issuer").asText())
            .clientIDList("sts.amazonaws.com"));
        String prefix = "services.gitpod.example.com/idp";
        iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
             "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/%s"},
             "Action":"sts:AssumeRoleWithWebIdentity",
             "Condition":{"StringEquals":{"%s:aud":"sts.amazonaws.com",
                                          "%s:sub":"https://github.com/acme/app"}}}]}
            """.formatted(prefix, prefix, prefix)));
      }

      // A token from the admin endpoint, then STS over plain HTTP (unsigned, as STS allows).
      HttpResponse<String> minted = post(endpoint.resolve("/_fake/tokens"), "application/json",
          "{\"sub\":\"https://github.com/acme/app\"}");
      assertThat(minted.statusCode()).isEqualTo(200);
      String token = JSON.readTree(minted.body()).path("token").asText();
      assertThat(token.split("\\.")).hasSize(3);

      HttpResponse<String> refused = post(endpoint, "application/x-www-form-urlencoded",
          form("Action", "AssumeRoleWithWebIdentity", "Version", "2011-06-15",
              "RoleArn", "arn:aws:iam::123456789012:role/ci", "RoleSessionName", "it",
              "WebIdentityToken", "not-a-jwt"));
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("<Code>InvalidIdentityToken</Code>");

      HttpResponse<String> assumed = post(endpoint, "application/x-www-form-urlencoded",
          form("Action", "AssumeRoleWithWebIdentity", "Version", "2011-06-15",
              "RoleArn", "arn:aws:iam::123456789012:role/ci", "RoleSessionName", "it",
              "WebIdentityToken", token));
      assertThat(assumed.statusCode()).as(assumed.body()).isEqualTo(200);
      assertThat(assumed.body()).contains("<AccessKeyId>ASIA")
          .contains("<SubjectFromWebIdentityToken>https://github.com/acme/app<");

      HttpResponse<String> seeded = post(endpoint.resolve("/_fake/images"), "application/json",
          "{\"repository\":\"acme/app\",\"tag\":\"latest\",\"manifest\":{\"schemaVersion\":2}}");
      assertThat(seeded.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(seeded.body()).path("digest").asText()).startsWith("sha256:");
      assertThat(Files.size(jar)).isGreaterThan(1_000_000);
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    // The jar ships a log binding, quiet by default: no SLF4J warning, no info lines (the
    // refused token above is the caller's problem, not the server's).
    String errors = Files.readString(stderr);
    Files.delete(stderr);
    assertThat(errors).doesNotContain("SLF4J").doesNotContain("INFO");
  }
}
