package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** The registry API with a plain HTTP client: each route and each error path. */
class RegistryTest extends SharedFakeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private static final String OCI = "application/vnd.oci.image.manifest.v1+json";

  private record Answer(int status, HttpResponse<byte[]> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String text() {
      return new String(raw.body(), StandardCharsets.UTF_8);
    }

    String errorCode() throws Exception {
      return JSON.readTree(raw.body()).path("errors").get(0).path("code").asText();
    }
  }

  private static String adminAuth() {
    return "Basic " + clients.adminEcr.getAuthorizationToken().authorizationData().get(0)
        .authorizationToken();
  }

  private static String sessionAuth(Credentials c) {
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      return "Basic " + ecr.getAuthorizationToken().authorizationData().get(0)
          .authorizationToken();
    }
  }

  private static Answer call(String method, String path, String auth, byte[] body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + fake.registryAddress()
        + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), r);
  }

  static String sha256(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static String manifest(byte[] config, byte[]... layers) throws Exception {
    StringBuilder ls = new StringBuilder();
    for (byte[] l : layers) {
      ls.append(ls.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image"
          + ".layer.v1.tar\",\"digest\":\"").append(sha256(l)).append("\",\"size\":")
          .append(l.length).append('}');
    }
    return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI + "\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config)
        + "\",\"size\":" + config.length + "},\"layers\":[" + ls + "]}";
  }

  private static String push(String auth, String repo, byte[] blob) throws Exception {
    String digest = sha256(blob);
    Answer a = call("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, auth, blob);
    assertThat(a.status()).as(a.text()).isEqualTo(201);
    return digest;
  }

  @Test
  void ping_withoutCredentials_challengesWithEcrRealm() throws Exception {
    Answer a = call("GET", "/v2/", null, null);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.errorCode()).isEqualTo("UNAUTHORIZED");
    assertThat(a.header("WWW-Authenticate")).isEqualTo("Basic realm=\"https://123456789012.dkr"
        + ".ecr.eu-west-1.amazonaws.com/\",service=\"ecr.amazonaws.com\"");
    assertThat(fake.lastDenial()).isEmpty();
  }

  @Test
  void unknownPassword_unauthorized_andDenialSaysWhy() throws Exception {
    String forged = "Basic " + java.util.Base64.getEncoder().encodeToString(
        "AWS:not-a-real-password".getBytes(StandardCharsets.UTF_8));
    Answer a = call("GET", "/v2/", forged, null);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.text()).doesNotContain("not-a-real-password");
    assertThat(fake.lastDenial().orElseThrow().explanation())
        .contains("not one GetAuthorizationToken issued");
  }

  @Test
  @SuppressWarnings("deprecation")
  void passwordOfAnotherRegistry_unauthorized() throws Exception {
    String other = "Basic " + clients.adminEcr.getAuthorizationToken(r -> r.registryIds(
        "210987654321")).authorizationData().get(0).authorizationToken();
    Answer a = call("GET", "/v2/", other, null);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.text()).contains("issued for registry 210987654321");
  }

  @Test
  void pushThenPull_monolithic_byTagAndDigest_withHeadAndRange() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("team/app"));
    String auth = adminAuth();
    byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = "layer-bytes-0123456789".getBytes(StandardCharsets.UTF_8);
    push(auth, "team/app", config);
    String layerDigest = push(auth, "team/app", layer);
    String m = manifest(config, layer);

    Answer put = call("PUT", "/v2/team/app/manifests/v1", auth,
        m.getBytes(StandardCharsets.UTF_8), "Content-Type", OCI);
    assertThat(put.status()).as(put.text()).isEqualTo(201);
    String digest = sha256(m.getBytes(StandardCharsets.UTF_8));
    assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
    assertThat(put.header("Location")).isEqualTo("/v2/team/app/manifests/" + digest);

    for (String ref : List.of("v1", digest)) {
      Answer get = call("GET", "/v2/team/app/manifests/" + ref, auth, null);
      assertThat(get.status()).isEqualTo(200);
      assertThat(get.text()).isEqualTo(m);
      assertThat(get.header("Content-Type")).isEqualTo(OCI);
      assertThat(get.header("Docker-Content-Digest")).isEqualTo(digest);
    }
    Answer head = call("HEAD", "/v2/team/app/manifests/v1", auth, null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(m.length()));

    Answer blob = call("GET", "/v2/team/app/blobs/" + layerDigest, auth, null);
    assertThat(blob.raw().body()).isEqualTo(layer);
    Answer part = call("GET", "/v2/team/app/blobs/" + layerDigest, auth, null,
        "Range", "bytes=6-10");
    assertThat(part.status()).isEqualTo(206);
    assertThat(part.text()).isEqualTo("bytes");
    assertThat(part.header("Content-Range")).isEqualTo("bytes 6-10/" + layer.length);
    Answer bad = call("GET", "/v2/team/app/blobs/" + layerDigest, auth, null,
        "Range", "bytes=500-");
    assertThat(bad.status()).isEqualTo(416);
    Answer headBlob = call("HEAD", "/v2/team/app/blobs/" + layerDigest, auth, null);
    assertThat(headBlob.status()).isEqualTo(200);
    assertThat(headBlob.header("Docker-Content-Digest")).isEqualTo(layerDigest);

    assertThat(fake.images("team/app")).singleElement().satisfies(i -> {
      assertThat(i.digest()).isEqualTo(digest);
      assertThat(i.tags()).containsExactly("v1");
      assertThat(i.sizeInBytes()).isEqualTo(config.length + layer.length);
    });
  }

  @Test
  void gzippedLayer_keptByteForByte() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(buf)) {
      gz.write("a layer".getBytes(StandardCharsets.UTF_8));
    }
    byte[] layer = buf.toByteArray();
    String auth = adminAuth();
    String digest = push(auth, "app", layer);
    assertThat(call("GET", "/v2/app/blobs/" + digest, auth, null).raw().body()).isEqualTo(layer);
  }

  @Test
  void chunkedUpload_patchesThenPut_andOutOfOrderChunkRefused() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    String auth = adminAuth();
    byte[] blob = new byte[3000];
    Arrays.fill(blob, (byte) 7);
    Answer start = call("POST", "/v2/app/blobs/uploads/", auth, null);
    assertThat(start.status()).isEqualTo(202);
    String location = start.header("Location");
    assertThat(location).startsWith("/v2/app/blobs/uploads/");
    Answer p1 = call("PATCH", location, auth, Arrays.copyOfRange(blob, 0, 1000),
        "Content-Range", "0-999", "Content-Type", "application/octet-stream");
    assertThat(p1.status()).isEqualTo(202);
    assertThat(p1.header("Range")).isEqualTo("0-999");
    Answer wrong = call("PATCH", location, auth, Arrays.copyOfRange(blob, 1000, 2000),
        "Content-Range", "1500-2499", "Content-Type", "application/octet-stream");
    assertThat(wrong.status()).isEqualTo(416);
    assertThat(wrong.errorCode()).isEqualTo("BLOB_UPLOAD_INVALID");
    Answer p2 = call("PATCH", location, auth, Arrays.copyOfRange(blob, 1000, 2000),
        "Content-Type", "application/octet-stream");
    assertThat(p2.header("Range")).isEqualTo("0-1999");
    Answer done = call("PUT", location + "?digest=" + sha256(blob), auth,
        Arrays.copyOfRange(blob, 2000, 3000), "Content-Type", "application/octet-stream");
    assertThat(done.status()).as(done.text()).isEqualTo(201);
    assertThat(done.header("Docker-Content-Digest")).isEqualTo(sha256(blob));
    assertThat(call("GET", "/v2/app/blobs/" + sha256(blob), auth, null).raw().body())
        .isEqualTo(blob);
    assertThat(call("PATCH", location, auth, blob).errorCode())
        .isEqualTo("BLOB_UPLOAD_UNKNOWN");
  }

  @Test
  void upload_wrongDigest_digestInvalid() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    byte[] blob = "abc".getBytes(StandardCharsets.UTF_8);
    Answer a = call("POST", "/v2/app/blobs/uploads/?digest=" + sha256("abd".getBytes(
        StandardCharsets.UTF_8)), adminAuth(), blob);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorCode()).isEqualTo("DIGEST_INVALID");
  }

  @Test
  void mount_fromAnotherRepository_linksWithoutUpload() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("base"));
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    String auth = adminAuth();
    String d = push(auth, "base", "shared layer".getBytes(StandardCharsets.UTF_8));
    assertThat(call("HEAD", "/v2/app/blobs/" + d, auth, null).status()).isEqualTo(404);
    Answer m = call("POST", "/v2/app/blobs/uploads/?mount=" + d + "&from=base", auth, null);
    assertThat(m.status()).isEqualTo(201);
    assertThat(m.header("Location")).isEqualTo("/v2/app/blobs/" + d);
    assertThat(call("HEAD", "/v2/app/blobs/" + d, auth, null).status()).isEqualTo(200);
    Answer miss = call("POST", "/v2/app/blobs/uploads/?mount=" + d + "&from=nowhere", auth,
        null);
    assertThat(miss.status()).isEqualTo(202);
  }

  @Test
  void manifest_missingBlob_manifestBlobUnknown_wrongDigest_digestInvalid() throws Exception {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    String auth = adminAuth();
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    push(auth, "app", config);
    String m = manifest(config, "never pushed".getBytes(StandardCharsets.UTF_8));
    Answer a = call("PUT", "/v2/app/manifests/v1", auth, m.getBytes(StandardCharsets.UTF_8),
        "Content-Type", OCI);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorCode()).isEqualTo("MANIFEST_BLOB_UNKNOWN");

    String ok = manifest(config);
    Answer d = call("PUT", "/v2/app/manifests/sha256:" + "0".repeat(64), auth,
        ok.getBytes(StandardCharsets.UTF_8), "Content-Type", OCI);
    assertThat(d.status()).isEqualTo(400);
    assertThat(d.errorCode()).isEqualTo("DIGEST_INVALID");
    Answer bad = call("PUT", "/v2/app/manifests/v1", auth,
        "not json".getBytes(StandardCharsets.UTF_8), "Content-Type", OCI);
    assertThat(bad.errorCode()).isEqualTo("MANIFEST_INVALID");
  }

  @Test
  void index_andDockerMediaTypes_servedAsPushed() throws Exception {
    String child = fake.seedImage("app", "amd64");
    String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution"
        + ".manifest.list.v2+json\",\"manifests\":[{\"mediaType\":\"" + OCI + "\",\"digest\":\""
        + child + "\",\"size\":300,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
    String auth = adminAuth();
    Answer put = call("PUT", "/v2/app/manifests/multi", auth,
        index.getBytes(StandardCharsets.UTF_8), "Content-Type",
        "application/vnd.docker.distribution.manifest.list.v2+json");
    assertThat(put.status()).as(put.text()).isEqualTo(201);
    Answer get = call("GET", "/v2/app/manifests/multi", auth, null);
    assertThat(get.header("Content-Type"))
        .isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
    String missing = index.replace(child, "sha256:" + "1".repeat(64));
    assertThat(call("PUT", "/v2/app/manifests/broken", auth,
        missing.getBytes(StandardCharsets.UTF_8), "Content-Type",
        "application/vnd.docker.distribution.manifest.list.v2+json").errorCode())
        .isEqualTo("MANIFEST_BLOB_UNKNOWN");
  }

  @Test
  void tagsList_paginatesWithLinkHeader() throws Exception {
    for (String t : List.of("a", "b", "c")) {
      fake.seedImage("app", t);
    }
    String auth = adminAuth();
    Answer first = call("GET", "/v2/app/tags/list?n=2", auth, null);
    JsonNode body = JSON.readTree(first.raw().body());
    assertThat(body.path("name").asText()).isEqualTo("app");
    assertThat(body.path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(first.header("Link")).isEqualTo("</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
    Answer second = call("GET", "/v2/app/tags/list?n=2&last=b", auth, null);
    assertThat(JSON.readTree(second.raw().body()).path("tags").toString()).isEqualTo("[\"c\"]");
    assertThat(second.header("Link")).isNull();
  }

  @Test
  void deleteByDigest_removesImageAndTags_byTagUnsupported() throws Exception {
    String digest = fake.seedImage("app", "v1");
    String auth = adminAuth();
    assertThat(call("DELETE", "/v2/app/manifests/v1", auth, null).errorCode())
        .isEqualTo("UNSUPPORTED");
    assertThat(call("DELETE", "/v2/app/manifests/" + digest, auth, null).status())
        .isEqualTo(202);
    assertThat(call("GET", "/v2/app/manifests/v1", auth, null).errorCode())
        .isEqualTo("MANIFEST_UNKNOWN");
    assertThat(call("DELETE", "/v2/app/manifests/" + digest, auth, null).status())
        .isEqualTo(404);
  }

  @Test
  void unknownRepository_nameUnknown_unknownBlob_blobUnknown() throws Exception {
    String auth = adminAuth();
    assertThat(call("GET", "/v2/nope/manifests/v1", auth, null).errorCode())
        .isEqualTo("NAME_UNKNOWN");
    fake.seedImage("app", "v1");
    Answer a = call("GET", "/v2/app/blobs/sha256:" + "2".repeat(64), auth, null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.errorCode()).isEqualTo("BLOB_UNKNOWN");
    assertThat(call("GET", "/v2/app/blobs/sha256:nothex", auth, null).errorCode())
        .isEqualTo("DIGEST_INVALID");
  }

  @Test
  void pullOnlyRole_pullsButPushIsDenied_withExplanation() throws Exception {
    byte[] layer = "l".getBytes(StandardCharsets.UTF_8);
    // tag::seed-image[]
    fake.seedImage("app", image -> image.layer(layer).tag("v1"));
    // end::seed-image[]
    EcrTest.ensureRole(fake, clients);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "app")));
    String auth = sessionAuth(EcrTest.session(fake, clients));
    assertThat(call("GET", "/v2/app/manifests/v1", auth, null).status()).isEqualTo(200);
    assertThat(call("GET", "/v2/app/blobs/" + sha256(layer), auth, null).status())
        .isEqualTo(200);

    Answer push = call("POST", "/v2/app/blobs/uploads/", auth, null);
    assertThat(push.status()).isEqualTo(403);
    assertThat(push.errorCode()).isEqualTo("DENIED");
    assertThat(push.text()).contains("assumed-role/ci/ws-1 is not authorized to perform: "
        + "ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/app");
    Denial d = fake.lastDenial().orElseThrow();
    assertThat(d.action()).isEqualTo("ecr:InitiateLayerUpload");
    assertThat(d.operation()).isEqualTo("POST /v2/app/blobs/uploads/");
    assertThat(d.explanation()).contains("Identity policy #1");

    Answer put = call("PUT", "/v2/app/manifests/v2", auth, "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(put.status()).isEqualTo(403);
    assertThat(fake.lastDenial().orElseThrow().action()).isEqualTo("ecr:PutImage");
    fake.seedImage("other", "v1");
    assertThat(call("GET", "/v2/other/manifests/v1", auth, null).status()).isEqualTo(403);
    assertThat(fake.lastDenial().orElseThrow().action()).isEqualTo("ecr:BatchGetImage");
  }

  @Test
  void memoryLimit_refusesWithAClearError_andSeedSaysTheSame() throws Exception {
    try (FakeAws small = FakeAws.builder().registryMemoryLimit(1000).build().start();
        Clients c = new Clients(small)) {
      c.adminEcr.createRepository(r -> r.repositoryName("app"));
      String auth = "Basic " + c.adminEcr.getAuthorizationToken().authorizationData().get(0)
          .authorizationToken();
      byte[] big = new byte[1500];
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://"
              + small.registryAddress() + "/v2/app/blobs/uploads/?digest=" + sha256(big)))
          .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofByteArray(big))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("at most 1000")
          .contains("FakeAws.builder().registryMemoryLimit(bytes)");
      assertThat(small.registryMemoryUsed()).isZero();
      assertThatThrownBy(() -> small.seedImage("app", i -> i.layer(big)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registryMemoryLimit");
    }
  }

  @Test
  void ecrHostInHostHeader_isServed() throws Exception {
    fake.seedImage("app", "v1");
    // The JDK client will not set Host; a raw socket does, as a client resolving the ECR name
    // to 127.0.0.1 through /etc/hosts would.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", fake.registryPort())) {
      s.setSoTimeout(10_000);
      String req = "GET /v2/app/manifests/v1 HTTP/1.1\r\nHost: " + fake.registryHost()
          + "\r\nAuthorization: " + adminAuth() + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 200");
    }
  }
}
