package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FakeOidcIssuerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  static FakeOidcIssuer issuer;

  @BeforeAll
  static void start() {
    issuer = FakeOidcIssuer.builder().build().start();
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  static JsonNode get(URI uri) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode part(String jwt, int i) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]));
  }

  @Test
  void discovery_isServedLocallyUnderTheIssuerPath() throws Exception {
    assertThat(issuer.baseUrl().toString()).startsWith("http://127.0.0.1:").endsWith("/idp");
    JsonNode d = get(issuer.discoveryUrl());
    assertThat(d.path("issuer").asText()).isEqualTo("https://services.gitpod.example.com/idp");
    assertThat(d.path("jwks_uri").asText())
        .isEqualTo("https://services.gitpod.example.com/idp/keys");
    assertThat(d.path("id_token_signing_alg_values_supported").get(0).asText()).isEqualTo("RS256");
  }

  @Test
  void jwks_kidIsSha256OfModulus_asGitpodFormsIt() throws Exception {
    JsonNode key = get(issuer.jwksUrl()).path("keys").get(0);
    assertThat(key.path("kty").asText()).isEqualTo("RSA");
    assertThat(key.has("d")).as("private part must not be served").isFalse();
    byte[] n = Base64.getUrlDecoder().decode(key.path("n").asText());
    assertThat(new BigInteger(1, n).bitLength()).isEqualTo(2048);
    String expected = "id-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(n));
    assertThat(key.path("kid").asText()).isEqualTo(expected).isEqualTo(issuer.keyId());
  }

  @Test
  void token_hasGitpodClaimShape() throws Exception {
    String jwt = issuer.token().repository("https://github.com/acme/app").mint();
    JsonNode header = part(jwt, 0);
    JsonNode c = part(jwt, 1);
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(header.path("kid").asText()).isEqualTo(issuer.keyId());
    assertThat(c.path("iss").asText()).isEqualTo("https://services.gitpod.example.com/idp");
    assertThat(c.path("aud").isArray()).as("aud is always an array").isTrue();
    assertThat(c.path("aud").get(0).asText()).isEqualTo("sts.amazonaws.com");
    assertThat(c.path("azp").asText()).isEqualTo("sts.amazonaws.com");
    assertThat(c.path("sub").asText()).isEqualTo("https://github.com/acme/app");
    assertThat(c.path("repository").asText()).isEqualTo("https://github.com/acme/app");
    assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(3600);
    assertThat(c.has("nbf")).isFalse();
    assertThat(c.has("jti")).isFalse();
    for (String claim : new String[] {"auth_time", "name", "email", "email_verified", "user_id",
        "org_id", "workspace_id", "context"}) {
      assertThat(c.has(claim)).as(claim).isTrue();
    }
  }

  @Test
  void token_badCases_changeWhatTheyShould() throws Exception {
    assertThat(part(issuer.token().wrongAudience().mint(), 1).path("aud").get(0).asText())
        .isNotEqualTo("sts.amazonaws.com");
    assertThat(part(issuer.token().wrongIssuer().mint(), 1).path("iss").asText())
        .isNotEqualTo(issuer.issuer());
    JsonNode expired = part(issuer.token().expired().mint(), 1);
    assertThat(expired.path("exp").asLong())
        .isLessThan(System.currentTimeMillis() / 1000 - 300);
    assertThat(part(issuer.token().unknownKid().mint(), 0).path("kid").asText())
        .isNotEqualTo(issuer.keyId());
    String good = issuer.token().mint();
    String bad = issuer.token().badSignature().mint();
    assertThat(bad.split("\\.")[2]).isNotEqualTo(good.split("\\.")[2]);
    assertThat(part(issuer.token().notYetValid().mint(), 1).has("nbf")).isTrue();
    assertThat(FakeOidcIssuer.notAJwt().split("\\.")).hasSize(1);
  }

  @Test
  void rotateKey_changesKidAndJwks() throws Exception {
    try (FakeOidcIssuer own = FakeOidcIssuer.builder().build().start()) {
      String before = own.keyId();
      own.rotateKey();
      assertThat(own.keyId()).isNotEqualTo(before);
      assertThat(get(own.jwksUrl()).path("keys")).hasSize(1);
      assertThat(get(own.jwksUrl()).path("keys").get(0).path("kid").asText())
          .isEqualTo(own.keyId());
    }
  }

  @Test
  void loopbackIssuer_issIsTheServedUrl() throws Exception {
    try (FakeOidcIssuer own = FakeOidcIssuer.builder().loopbackIssuer().build().start()) {
      assertThat(own.issuer()).isEqualTo(own.baseUrl().toString());
      assertThat(part(own.token().mint(), 1).path("iss").asText()).isEqualTo(own.issuer());
    }
  }

  @Test
  void baseUrl_beforeStart_saysToStart() {
    assertThatThrownBy(() -> FakeOidcIssuer.create().baseUrl())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
  }

  @Test
  void builder_relativeIssuer_rejectedWithFix() {
    assertThatThrownBy(() -> FakeOidcIssuer.builder().issuer("services.example.com/idp"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://services.<domain>/idp");
  }

  @Test
  void token_claimOverride_replacesDefault() throws Exception {
    String jwt = issuer.token().claim("org_id", "org-1").withoutClaim("email").mint();
    JsonNode c = part(jwt, 1);
    assertThat(c.path("org_id").asText()).isEqualTo("org-1");
    assertThat(c.has("email")).isFalse();
    assertThat(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
        StandardCharsets.UTF_8)).doesNotContain("null");
  }
}
