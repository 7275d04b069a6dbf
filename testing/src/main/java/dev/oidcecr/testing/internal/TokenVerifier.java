package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
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

  /** The result of checking a signature. */
  enum Outcome { VALID, BAD_SIGNATURE, UNKNOWN_KEY }

  private final Map<String, URI> localIssuers;
  private final Map<String, java.util.function.Supplier<String>> localKeyIds;
  private final Map<String, String> fetchedKeyId = new ConcurrentHashMap<>();
  // Created on the first key fetch: the JDK client is costly to start and most fakes fetch
  // keys only once.
  private volatile HttpClient http;
  private final Map<String, Map<String, RSASSAVerifier>> cache = new ConcurrentHashMap<>();

  TokenVerifier(Map<String, URI> localIssuers,
      Map<String, java.util.function.Supplier<String>> localKeyIds) {
    this.localIssuers = localIssuers;
    this.localKeyIds = localKeyIds;
  }

  void clear() {
    cache.clear();
    fetchedKeyId.clear();
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
    // A hosted issuer that rotated its key no longer serves the old one; drop the cached set so
    // that old tokens fail as they would against a restarted Gitpod.
    java.util.function.Supplier<String> currentKid = localKeyIds.get(iss);
    if (keys != null && currentKid != null
        && !currentKid.get().equals(fetchedKeyId.get(iss))) {
      keys = null;
    }
    RSASSAVerifier verifier = keys == null ? null : keys.get(kid);
    if (verifier == null) {
      if (currentKid != null) {
        fetchedKeyId.put(iss, currentKid.get());
      }
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
      JsonNode discovery = Json.MAPPER.readTree(get(URI.create(base + "/.well-known/openid-configuration")));
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
    HttpClient client = http;
    if (client == null) {
      synchronized (this) {
        if (http == null) {
          http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
              .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        client = http;
      }
    }
    HttpResponse<String> r = client.send(
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
