package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies token signatures against the issuer's JWKS, fetched over HTTP as STS does: from the
 * local address of an issuer the fake hosts, or from the {@code iss} URL itself when that is a
 * loopback address. Keys are cached per issuer and refetched when a {@code kid} is unknown.
 */
final class TokenVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The result of checking a signature. */
  enum Outcome { VALID, BAD_SIGNATURE, UNKNOWN_KEY }

  private final Map<String, URI> localIssuers;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();
  private final Map<String, Map<String, RSASSAVerifier>> cache = new ConcurrentHashMap<>();

  TokenVerifier(Map<String, URI> localIssuers) {
    this.localIssuers = localIssuers;
  }

  void clear() {
    cache.clear();
  }

  /**
   * Checks the signature of a parsed token.
   *
   * @throws AwsError {@code IDPCommunicationError} when the keys cannot be fetched
   */
  Outcome verify(JWSObject jws, String iss) {
    String kid = jws.getHeader().getKeyID();
    if (kid == null) {
      return Outcome.UNKNOWN_KEY;
    }
    Map<String, RSASSAVerifier> keys = cache.get(iss);
    RSASSAVerifier verifier = keys == null ? null : keys.get(kid);
    if (verifier == null) {
      keys = fetch(iss);
      cache.put(iss, keys);
      verifier = keys.get(kid);
      if (verifier == null) {
        return Outcome.UNKNOWN_KEY;
      }
    }
    try {
      return jws.verify(verifier) ? Outcome.VALID : Outcome.BAD_SIGNATURE;
    } catch (JOSEException e) {
      return Outcome.BAD_SIGNATURE;
    }
  }

  private Map<String, RSASSAVerifier> fetch(String iss) {
    URI base = localIssuers.get(iss);
    if (base == null) {
      base = loopbackOnly(iss);
    }
    try {
      JsonNode discovery = JSON.readTree(get(URI.create(base + "/.well-known/openid-configuration")));
      String jwksUri = discovery.path("jwks_uri").asText("");
      if (jwksUri.isEmpty()) {
        throw idpDown(iss, "its discovery document has no jwks_uri");
      }
      // A hosted issuer advertises its public name; fetch from where it is really served.
      if (jwksUri.startsWith(iss) && localIssuers.containsKey(iss)) {
        jwksUri = base + jwksUri.substring(iss.length());
      }
      JWKSet set = JWKSet.parse(get(URI.create(jwksUri)));
      Map<String, RSASSAVerifier> keys = new ConcurrentHashMap<>();
      for (JWK jwk : set.getKeys()) {
        if (jwk instanceof RSAKey rsa && jwk.getKeyID() != null) {
          keys.put(jwk.getKeyID(), new RSASSAVerifier(rsa.toRSAPublicKey()));
        }
      }
      LOG.debug("Fetched {} key(s) of issuer {} from {}", keys.size(), iss, jwksUri);
      return keys;
    } catch (IOException | ParseException | JOSEException | IllegalArgumentException e) {
      throw idpDown(iss, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw idpDown(iss, "interrupted");
    }
  }

  private String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + uri);
    }
    return r.body();
  }

  private static URI loopbackOnly(String iss) {
    URI uri;
    try {
      uri = URI.create(iss);
    } catch (IllegalArgumentException e) {
      throw idpDown(iss, "the issuer is not a URL");
    }
    String host = uri.getHost();
    // Literal checks only: resolving an arbitrary host name could reach DNS on the internet.
    boolean loopback = host != null && (host.equalsIgnoreCase("localhost")
        || host.matches("127(\\.\\d{1,3}){3}") || host.equals("[::1]") || host.equals("::1"));
    if (!loopback) {
      throw idpDown(iss, "the fake only fetches keys from issuers it hosts or from loopback "
          + "URLs, never from the internet");
    }
    return uri;
  }

  private static AwsError idpDown(String iss, String detail) {
    LOG.debug("Issuer {} unreachable: {}", iss, detail);
    return new AwsError("IDPCommunicationError", 400,
        "The request could not be fulfilled because the identity provider (IDP) that was asked "
            + "to verify the incoming identity token could not be reached. Couldn't retrieve "
            + "verification keys for " + iss + ": " + detail + ".");
  }
}
