package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/** The whole job of section 1 of the design, through the real SDK and a registry pull. */
class ChainTest extends SharedFakeTest {
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void setUp() {
    // Steps 1-4: provider, role with trust policy, inline permission policy, repository with
    // repository policy; then an image to pull.
    clients.iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    clients.iam.createRole(r -> r.roleName("gitpod-ecr-pull")
        .assumeRolePolicyDocument(ChainPolicies.trust(fake)));
    clients.iam.putRolePolicy(r -> r.roleName("gitpod-ecr-pull").policyName("pull")
        .policyDocument(ChainPolicies.permissions(fake, "acme/app")));
    clients.adminEcr.createRepository(r -> r.repositoryName("acme/app"));
    clients.adminEcr.setRepositoryPolicy(r -> r.repositoryName("acme/app")
        .policyText(ChainPolicies.repository(fake)));
    fake.seedImage("acme/app", "latest");
  }

  private Credentials assume(String token) {
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("gitpod-ecr-pull"))
        .roleSessionName("acme-app-0a1b2c3d4e5-1764160000").durationSeconds(3600)
        .webIdentityToken(token)).credentials();
  }

  private static String basic(AuthorizationData d) {
    return "Basic " + d.authorizationToken();
  }

  private static HttpResponse<String> get(URI uri, String authorization, String method)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.oci.image.manifest.v1+json");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void chain_gitpodTokenToManifestPull_succeeds() throws Exception {
    // Step 6: the workspace's token, STS, ECR, then the registry.
    String token = fake.issuer().token().repository("https://github.com/acme/app")
        .workspaceId("acme-app-0a1b2c3d4e5").mint();
    Credentials session = assume(token);
    AuthorizationData login;
    try (EcrClient ecr = clients.ecr(Clients.session(session))) {
      login = ecr.getAuthorizationToken().authorizationData().get(0);
    }
    assertThat(login.proxyEndpoint())
        .isEqualTo("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com");

    assertThat(get(fake.registryEndpoint(), basic(login), "GET").statusCode()).isEqualTo(200);
    HttpResponse<String> manifest = get(
        fake.endpoint().resolve("/v2/acme/app/manifests/latest"), basic(login), "GET");
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.body()).contains("\"schemaVersion\":2");
    assertThat(manifest.headers().firstValue("Docker-Content-Digest")).get().asString()
        .startsWith("sha256:");
    assertThat(manifest.headers().firstValue("Content-Type")).contains(
        "application/vnd.oci.image.manifest.v1+json");

    HttpResponse<String> head = get(
        fake.endpoint().resolve("/v2/acme/app/manifests/latest"), basic(login), "HEAD");
    assertThat(head.statusCode()).isEqualTo(200);
  }

  @Test
  void chain_tokenOfAnotherRepository_refusedBySts_explainedBySub() {
    String token = fake.issuer().token().repository("https://github.com/acme/app-evil").mint();

    Throwable t = catchThrowable(() -> assume(token));

    assertThat(t).isInstanceOf(StsException.class)
        .hasMessageContaining("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    assertThat(((StsException) t).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    Denial denial = fake.lastDenial().orElseThrow();
    assertThat(denial.operation()).isEqualTo("AssumeRoleWithWebIdentity");
    assertThat(denial.explanation())
        .contains(fake.issuer().conditionKeyPrefix() + ":sub")
        .contains("https://github.com/acme/app-evil");
  }

  @Test
  void registry_withoutCredentials_basicChallenge() throws Exception {
    HttpResponse<String> r = get(fake.registryEndpoint(), null, "GET");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString()
        .startsWith("Basic realm=");
  }

  @Test
  void registry_withForgedPassword_unauthorized() throws Exception {
    String forged = "Basic " + Base64.getEncoder().encodeToString(
        "AWS:not-a-password-the-fake-issued".getBytes(StandardCharsets.UTF_8));
    assertThat(get(fake.registryEndpoint(), forged, "GET").statusCode()).isEqualTo(401);
  }

  @Test
  void registry_expiredEcrToken_deniedAsEcrDoes() throws Exception {
    MutableClock clock = new MutableClock(java.time.Instant.now());
    try (FakeAws timed = FakeAws.builder().clock(clock).build().start();
        Clients c = new Clients(timed)) {
      AuthorizationData d = c.adminEcr.getAuthorizationToken().authorizationData().get(0);
      assertThat(get(timed.registryEndpoint(), basic(d), "GET").statusCode()).isEqualTo(200);
      clock.advance(Duration.ofHours(12).plusSeconds(1));
      // ECR answers an expired password 403 DENIED, not 401 (see RegistryLimitsTest).
      assertThat(get(timed.registryEndpoint(), basic(d), "GET").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void registry_unknownTagAndRepository_404WithRegistryCodes() throws Exception {
    AuthorizationData admin = clients.adminEcr.getAuthorizationToken().authorizationData().get(0);
    HttpResponse<String> tag = get(fake.endpoint().resolve("/v2/acme/app/manifests/nope"),
        basic(admin), "GET");
    assertThat(tag.statusCode()).isEqualTo(404);
    assertThat(tag.body()).contains("MANIFEST_UNKNOWN");
    HttpResponse<String> repo = get(fake.endpoint().resolve("/v2/acme/none/manifests/latest"),
        basic(admin), "GET");
    assertThat(repo.statusCode()).isEqualTo(404);
    assertThat(repo.body()).contains("NAME_UNKNOWN");
  }

  @Test
  void registry_roleWithoutPullRights_403Denied() throws Exception {
    clients.adminEcr.deleteRepositoryPolicy(r -> r.repositoryName("acme/app"));
    clients.adminEcr.createRepository(r -> r.repositoryName("acme/private"));
    fake.seedImage("acme/private", "latest");
    Credentials session = assume(fake.issuer().mint("https://github.com/acme/app"));
    AuthorizationData login;
    try (EcrClient ecr = clients.ecr(Clients.session(session))) {
      login = ecr.getAuthorizationToken().authorizationData().get(0);
    }
    HttpResponse<String> r = get(fake.endpoint().resolve("/v2/acme/private/manifests/latest"),
        basic(login), "GET");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("DENIED");
    assertThat(fake.lastDenial().orElseThrow().resource())
        .isEqualTo(fake.repositoryArn("acme/private"));
  }
}
