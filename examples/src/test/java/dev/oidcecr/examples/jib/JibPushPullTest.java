package dev.oidcecr.examples.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.StoredImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Jib, an image builder nobody here wrote, pushes to the fake ECR and pulls from it with
 * credentials from {@link OidcEcrAuthenticator}: the fake's registry speaks the protocol Jib
 * expects, and enforces the role's permissions and the trust policy on the way.
 */
class JibPushPullTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAws aws;
  private static String pushRole;
  private static String pullRole;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    // Jib sends credentials over plain HTTP (the fake's 127.0.0.1 endpoint) only when told to.
    System.setProperty("sendCredentialsOverHttp", "true");
    aws = FakeAws.builder().build().start();
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("team/app"));
    }
    pushRole = setup(admin, "ci-push", true);
    pullRole = setup(admin, "ci-pull", false);
  }

  private static String setup(StaticCredentialsProvider admin, String role, boolean push) {
    return AwsSetup.builder().endpoint(aws.endpoint()).region(aws.region())
        .credentialsProvider(admin).issuerUrl(aws.issuer().issuer()).accountId(aws.accountId())
        .roleName(role).allowRepository("https://github.com/acme/app")
        .repositories("team/app").allowPush(push).build().apply().roleArn();
  }

  @AfterAll
  static void stop() {
    System.clearProperty("sendCredentialsOverHttp");
    if (aws != null) {
      aws.close();
    }
  }

  private static OidcEcrAuthenticator authenticator(String role, String repository) {
    return OidcEcrAuthenticator.builder()
        .roleArn(role)
        .tokenSource(TokenSource.of(aws.issuer().mint(repository)))
        .registry(aws.registryHost())
        .registryAlias(aws.registryAddress(), aws.registryHost())
        .endpoint(aws.endpoint())
        .build();
  }

  private static RegistryImage image(OidcEcrAuthenticator authenticator, String tag)
      throws Exception {
    return RegistryImage.named(aws.registryAddress() + "/team/app:" + tag)
        .addCredentialRetriever(
            new OidcEcrCredentialRetriever(authenticator, aws.registryAddress()));
  }

  private static Containerizer to(RegistryImage target) throws Exception {
    return Containerizer.to(target).setAllowInsecureRegistries(true)
        .setBaseImageLayersCache(Files.createDirectories(dir.resolve("cache/base")))
        .setApplicationLayersCache(Files.createTempDirectory(dir, "app-cache"));
  }

  private static Path file(String name, String content) throws Exception {
    return Files.writeString(Files.createDirectories(dir.resolve("files")).resolve(name),
        content);
  }

  @Test
  void pushThenBuildOnTopOfIt_thenRefusals() throws Exception {
    try (OidcEcrAuthenticator auth = authenticator(pushRole, "https://github.com/acme/app")) {
      // tag::jib-push[]
      JibContainer first = Jib.fromScratch()
          .addLayer(List.of(file("hello.txt", "hello from jib")), AbsoluteUnixPath.get("/app"))
          .setEntrypoint("/app/hello.txt")
          .containerize(to(RegistryImage.named(aws.registryAddress() + "/team/app:v1")
              .addCredentialRetriever(
                  new OidcEcrCredentialRetriever(auth, aws.registryAddress()))));
      // end::jib-push[]
      // tag::fake-images[]
      List<StoredImage> pushed = aws.images("team/app");
      // end::fake-images[]
      assertThat(pushed).singleElement().satisfies(i -> {
        assertThat(i.digest()).isEqualTo(first.getDigest().toString());
        assertThat(i.tags()).containsExactly("v1");
        assertThat(i.mediaType())
            .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
      });

      // The first image, pulled back from the fake, is the base of a second, in OCI format.
      JibContainer second = Jib.from(image(auth, "v1"))
          .addLayer(List.of(file("more.txt", "a second layer")), AbsoluteUnixPath.get("/app"))
          .setFormat(ImageFormat.OCI)
          .containerize(to(image(auth, "v2")));
      StoredImage v2 = aws.images("team/app").stream().filter(i -> i.tags().contains("v2"))
          .findFirst().orElseThrow();
      assertThat(v2.digest()).isEqualTo(second.getDigest().toString());
      JsonNode manifest = JSON.readTree(v2.manifest());
      assertThat(manifest.path("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.manifest.v1+json");
      assertThat(manifest.path("layers")).hasSize(2);
      assertThat(manifest.path("layers").get(0).path("digest").asText()).isEqualTo(
          JSON.readTree(aws.images("team/app").get(0).manifest()).path("layers").get(0)
              .path("digest").asText());
    }
  }

  @Test
  void roleWithoutPushPermission_refusedWithTheDeniedAction() throws Exception {
    aws.seedImage("team/app", "base");
    try (OidcEcrAuthenticator auth = authenticator(pullRole, "https://github.com/acme/app")) {
      Throwable t = catchThrowable(() -> Jib.fromScratch()
          .addLayer(List.of(file("x.txt", "x")), AbsoluteUnixPath.get("/app"))
          .containerize(to(image(auth, "denied"))));
      assertThat(t).isInstanceOf(RegistryUnauthorizedException.class)
          .hasMessageContaining("Unauthorized for " + aws.registryAddress() + "/team/app");
      assertThat(((RegistryUnauthorizedException) t).getHttpResponseException().getStatusCode())
          .isEqualTo(403);
      assertThat(((RegistryUnauthorizedException) t).getHttpResponseException().getContent())
          .contains("DENIED").contains("is not authorized to perform: ecr:");
      var denial = aws.lastDenial().orElseThrow();
      assertThat(denial.caller()).contains("assumed-role/ci-pull/");
      assertThat(denial.action()).isIn("ecr:InitiateLayerUpload", "ecr:PutImage",
          "ecr:BatchCheckLayerAvailability");
      assertThat(denial.explanation()).contains("Identity policy");
    }
  }

  @Test
  void tokenOfAnotherRepository_refusedByTheTrustPolicy() throws Exception {
    try (OidcEcrAuthenticator auth = authenticator(pushRole, "https://github.com/acme/other")) {
      Throwable t = catchThrowable(() -> Jib.fromScratch()
          .addLayer(List.of(file("y.txt", "y")), AbsoluteUnixPath.get("/app"))
          .containerize(to(image(auth, "other"))));
      Throwable cause = t;
      while (cause != null && !(cause instanceof CredentialRetrievalException)) {
        cause = cause.getCause();
      }
      assertThat(cause).as("Jib's failure: %s", t).isNotNull();
      assertThat(cause.getCause().getMessage()).contains("sub=https://github.com/acme/other")
          .contains("trust policy");
      assertThat(aws.images("team/app").stream().flatMap(i -> i.tags().stream()))
          .doesNotContain("other");
    }
  }
}
