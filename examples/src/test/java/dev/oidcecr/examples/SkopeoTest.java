package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.examples.jib.OidcEcrCredentialRetriever;
import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * skopeo (containers-image, Go) copies images into and out of the fake ECR, authenticated by the
 * built {@code docker-credential-oidc-ecr}: found on PATH through a {@code credHelpers} entry of
 * a Docker config, for the fake's {@code 127.0.0.1:<port>}, which the helper answers through
 * {@code OIDC_ECR_REGISTRY_ALIASES}. Skipped only where skopeo is not installed
 * ({@code .ci/run} installs it).
 */
class SkopeoTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAws aws;
  private static String role;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    assumeTrue(onPath("skopeo"), "skopeo is not installed: apt-get install -y skopeo (.ci/run "
        + "does it) to run the skopeo interop test");
    aws = FakeAws.builder().build().start();
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    role = AwsSetup.builder().endpoint(aws.endpoint()).region(aws.region())
        .credentialsProvider(admin).issuerUrl(aws.issuer().issuer()).accountId(aws.accountId())
        .roleName("ci-push").allowRepository("https://github.com/acme/app")
        .repositories("acme/app").allowPush(true).build().apply().roleArn();
  }

  @AfterAll
  static void stop() {
    if (aws != null) {
      aws.close();
    }
  }

  static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int status, String out, String err) {}

  /** Runs skopeo with a Docker config whose credHelpers names our helper for the fake. */
  private static Result skopeo(String... args) throws Exception {
    Path helperDir = CredentialHelperExampleTest.HELPER_DIR.toAbsolutePath().normalize();
    assertThat(helperDir.resolve("docker-credential-oidc-ecr"))
        .as("built by the core module's package phase").isExecutable();
    Path home = Files.createDirectories(dir.resolve("home"));
    Path config = home.resolve("config.json");
    ObjectNode cfg = JSON.createObjectNode();
    cfg.putObject("credHelpers").put(aws.registryAddress(), "oidc-ecr");
    Files.writeString(config, cfg.toString());
    Path token = Files.writeString(dir.resolve("token"),
        aws.issuer().mint("https://github.com/acme/app"));

    List<String> cmd = new ArrayList<>(List.of("skopeo", "--command-timeout", "120s"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("OIDC_ECR_"));
    env.put("HOME", home.toString());
    env.put("REGISTRY_AUTH_FILE", config.toString());
    env.put("DOCKER_CONFIG", home.toString());
    // Docker and containers-image run docker-credential-<name> from PATH.
    env.put("PATH", helperDir + File.pathSeparator + System.getenv("PATH"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("OIDC_ECR_ROLE_ARN", role);
    env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
    env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    env.put("OIDC_ECR_CACHE_DIR", dir.resolve("cache").toString());
    env.put("OIDC_ECR_REGISTRY_ALIASES", aws.registryAddress() + "=" + aws.registryHost());
    Path err = Files.createTempFile(dir, "skopeo", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, Files.readString(err));
  }

  private static Result ok(Result r) {
    assertThat(r.status()).as(r.err()).isZero();
    return r;
  }

  private static String sha256(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static String blob(Path layout, byte[] content) throws Exception {
    String d = sha256(content);
    Path f = Files.createDirectories(layout.resolve("blobs/sha256"))
        .resolve(d.substring(7));
    Files.write(f, content);
    return d;
  }

  /** Writes an OCI image layout with one gzipped layer, tagged v1; returns the manifest digest. */
  private static String ociLayout(Path layout) throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    byte[] tar = new byte[1024]; // an empty tar archive: two zero blocks
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] layer = gz.toByteArray();
    String layerDigest = blob(layout, layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
        + "\"layers\",\"diff_ids\":[\"" + sha256(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    String configDigest = blob(layout, config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest"
        + ".v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
        + "\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
        + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    String manifestDigest = blob(layout, manifest);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
        + manifestDigest + "\",\"size\":" + manifest.length + ",\"annotations\":{"
        + "\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    return manifestDigest;
  }

  @Test
  void copyOciLayoutIntoTheFakeAndBack_thenInspect() throws Exception {
    Path layout = dir.resolve("layout");
    String digest = ociLayout(layout);
    String ref = "docker://" + aws.registryAddress() + "/acme/app:v1";

    // tag::skopeo-copy[]
    ok(skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref));
    // end::skopeo-copy[]
    assertThat(aws.images("acme/app")).anySatisfy(i -> {
      assertThat(i.digest()).isEqualTo(digest);
      assertThat(i.tags()).contains("v1");
    });

    JsonNode inspect = JSON.readTree(ok(skopeo("inspect", "--tls-verify=false", ref)).out());
    assertThat(inspect.path("Digest").asText()).isEqualTo(digest);
    assertThat(inspect.path("Layers")).hasSize(1);

    Path back = dir.resolve("back");
    ok(skopeo("copy", "--src-tls-verify=false", ref, "oci:" + back + ":v1"));
    assertThat(back.resolve("blobs/sha256/" + digest.substring(7))).exists();
    assertThat(Files.readString(back.resolve("index.json"))).contains(digest);
  }

  @Test
  void imagePushedByJib_copiedOutBySkopeo() throws Exception {
    System.setProperty("sendCredentialsOverHttp", "true");
    JibContainer jib;
    try (OidcEcrAuthenticator auth = OidcEcrAuthenticator.builder().roleArn(role)
        .tokenSource(TokenSource.of(aws.issuer().mint("https://github.com/acme/app")))
        .registry(aws.registryHost()).registryAlias(aws.registryAddress(), aws.registryHost())
        .endpoint(aws.endpoint()).build()) {
      Path file = Files.writeString(dir.resolve("app.txt"), "built by jib");
      jib = Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
          .containerize(Containerizer.to(RegistryImage.named(aws.registryAddress()
                  + "/acme/app:jib").addCredentialRetriever(
                      new OidcEcrCredentialRetriever(auth, aws.registryAddress())))
              .setAllowInsecureRegistries(true)
              .setBaseImageLayersCache(Files.createDirectories(dir.resolve("jib-base")))
              .setApplicationLayersCache(Files.createDirectories(dir.resolve("jib-app"))));
    } finally {
      System.clearProperty("sendCredentialsOverHttp");
    }
    Path out = dir.resolve("from-jib");
    ok(skopeo("copy", "--src-tls-verify=false", "docker://" + aws.registryAddress()
        + "/acme/app:jib", "oci:" + out + ":jib"));
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(1);
    JsonNode inspect = JSON.readTree(ok(skopeo("inspect", "--tls-verify=false",
        "docker://" + aws.registryAddress() + "/acme/app:jib")).out());
    assertThat(inspect.path("Digest").asText()).isEqualTo(jib.getDigest().toString());
  }
}
