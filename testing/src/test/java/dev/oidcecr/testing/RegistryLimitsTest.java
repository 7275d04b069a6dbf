package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;

/**
 * ECR passwords expire after 12 hours and cost the fake no memory; registry uploads left open
 * expire, and their number and bytes are capped, each refusal with the registry's error code.
 * Real SDK and HTTP clients, the fake's injected clock.
 */
class RegistryLimitsTest {
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final ObjectMapper JSON = new ObjectMapper();
  static MutableClock clock;
  static FakeAws fake;
  static Clients clients;
  String basic;
  AuthorizationData first;

  @BeforeAll
  static void start() {
    clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    fake = FakeAws.builder().clock(clock).registryMemoryLimit(1024 * 1024).build().start();
    clients = new Clients(fake);
  }

  @AfterAll
  static void stop() {
    clients.close();
    fake.close();
  }

  @BeforeEach
  void setUp() {
    fake.reset();
    fake.maxUploads(1000);
    clients.adminEcr.createRepository(r -> r.repositoryName("team/app"));
    first = token();
    basic = "Basic " + first.authorizationToken();
  }

  AuthorizationData token() {
    return clients.adminEcr.getAuthorizationToken().authorizationData().get(0);
  }

  HttpResponse<String> send(String method, String path, byte[] body, String... headers)
      throws Exception {
    URI uri = path.startsWith("http") ? URI.create(path)
        : URI.create("http://" + fake.registryAddress() + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Authorization", basic);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Starts an upload and returns its Location. */
  String startUpload() throws Exception {
    HttpResponse<String> r = send("POST", "/v2/team/app/blobs/uploads/", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return r.headers().firstValue("Location").orElseThrow();
  }

  HttpResponse<String> patch(String location, byte[] chunk) throws Exception {
    return send("PATCH", location, chunk, "Content-Type", "application/octet-stream");
  }

  static String code(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
  }

  @Test
  void ecrPassword_expiresAfter12Hours_andIsDeniedAsEcrDeniesIt() throws Exception {
    assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofHours(12).minusSeconds(1));
    assertThat(send("GET", "/v2/team/app/tags/list", null).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> expired = send("GET", "/v2/team/app/tags/list", null);

    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(code(expired)).isEqualTo("DENIED");
    assertThat(JSON.readTree(expired.body()).path("errors").path(0).path("message").asText())
        .isEqualTo("Your authorization token has expired. Reauthenticate and try again.");
    assertThat(expired.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("expired at " + first.expiresAt()).contains("log in again"));
    // A new password works again.
    basic = "Basic " + token().authorizationToken();
    assertThat(send("GET", "/v2/team/app/tags/list", null).statusCode()).isEqualTo(200);
  }

  @Test
  void ecrPassword_isSelfContained_inEcrsShape_andRefusedWhenAltered() throws Exception {
    AuthorizationData d = token();
    String password = new String(Base64.getDecoder().decode(d.authorizationToken()),
        StandardCharsets.UTF_8).substring("AWS:".length());
    JsonNode inner = JSON.readTree(Base64.getDecoder().decode(password));
    assertThat(inner.fieldNames()).toIterable()
        .containsExactly("payload", "datakey", "version", "type", "expiration");
    assertThat(inner.path("expiration").asLong()).isEqualTo(d.expiresAt().getEpochSecond());

    // Another expiry in the payload breaks the seal.
    String payload = new String(Base64.getUrlDecoder().decode(inner.path("payload").asText()),
        StandardCharsets.UTF_8);
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
        payload.replaceFirst("\"e\":\\d+", "\"e\":" + Long.MAX_VALUE / 2)
            .getBytes(StandardCharsets.UTF_8));
    ((com.fasterxml.jackson.databind.node.ObjectNode) inner).put("payload", forged);
    basic = "Basic " + Base64.getEncoder().encodeToString(("AWS:" + Base64.getEncoder()
        .encodeToString(JSON.writeValueAsBytes(inner))).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> refused = send("GET", "/v2/", null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(code(refused)).isEqualTo("UNAUTHORIZED");

    // A reset forgets every password issued before it.
    basic = "Basic " + d.authorizationToken();
    assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(200);
    fake.reset();
    assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(401);
  }

  @Test
  void upload_leftIdleForAnHour_expires_andItsBytesAreFreed() throws Exception {
    String location = startUpload();
    assertThat(patch(location, new byte[1000]).statusCode()).isEqualTo(202);
    assertThat(fake.registryMemoryUsed()).isEqualTo(1000);

    clock.advance(Duration.ofMinutes(59));
    assertThat(patch(location, new byte[1000]).statusCode()).isEqualTo(202);
    clock.advance(Duration.ofMinutes(60));
    HttpResponse<String> gone = patch(location, new byte[1000]);

    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(code(gone)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    assertThat(fake.registryMemoryUsed()).isZero();
    assertThat(fake.uploadsInProgress()).isZero();
  }

  @Test
  void uploadsInProgress_areCapped_withTooManyRequests_untilOneEndsOrExpires() throws Exception {
    fake.maxUploads(3);
    String first = startUpload();
    startUpload();
    startUpload();

    HttpResponse<String> refused = send("POST", "/v2/team/app/blobs/uploads/", null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(code(refused)).isEqualTo("TOOMANYREQUESTS");
    assertThat(refused.body()).contains("at most 3 uploads in progress");

    assertThat(send("DELETE", first, null).statusCode()).isEqualTo(204);
    startUpload();
    assertThat(send("POST", "/v2/team/app/blobs/uploads/", null).statusCode()).isEqualTo(429);

    clock.advance(Duration.ofHours(1));
    startUpload();
    assertThat(fake.uploadsInProgress()).isEqualTo(1);
  }

  @Test
  void uploadBytes_areCappedByTheMemoryLimit_andAbandonedUploadsGiveThemBack() throws Exception {
    String abandoned = startUpload();
    assertThat(patch(abandoned, new byte[700 * 1024]).statusCode()).isEqualTo(202);
    String next = startUpload();

    HttpResponse<String> full = patch(next, new byte[700 * 1024]);
    assertThat(full.statusCode()).isEqualTo(413);
    assertThat(code(full)).isEqualTo("BLOB_UPLOAD_INVALID");
    assertThat(full.body()).contains("registryMemoryLimit");

    clock.advance(Duration.ofMinutes(61));
    String fresh = startUpload();
    assertThat(patch(fresh, new byte[700 * 1024]).statusCode()).isEqualTo(202);
    assertThat(fake.registryMemoryUsed()).isEqualTo(700 * 1024);
    assertThat(patch(abandoned, new byte[1]).statusCode()).isEqualTo(404);
  }
}
