package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes STS sessions self-contained, as AWS's are: the session token carries the session (role,
 * name, expiry, tags, source identity, session policies) under an HMAC of the fake's key, and
 * the secret key is derived from the access key id. The fake then keeps only a bounded cache of
 * sessions: memory stays flat however many sessions a load run asks for, and a session dropped
 * from the cache (or expired) is still recognised: {@code ExpiredToken} once expired, as AWS
 * answers. A new key on reset makes every earlier session unknown.
 */
final class SessionCodec {
  private static final String PREFIX = "IQoJb3JpZ2luX2VjEFAKE";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder D64 = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();
  private volatile SecretKeySpec key = newKey();

  private static SecretKeySpec newKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return new SecretKeySpec(k, "HmacSHA256");
  }

  /** Forgets every session issued so far. */
  void rotate() {
    key = newKey();
  }

  private byte[] mac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The secret access key of a session access key id. */
  String secretFor(String accessKeyId) {
    String s = Base64.getEncoder().encodeToString(mac("secret:" + accessKeyId));
    return s.substring(0, 40);
  }

  /** Creates the session with its secret and its self-contained token. */
  State.Session issue(String accessKeyId, String roleArn, String roleName, String roleId,
      String sessionName, String assumedRoleArn, Instant expiration,
      State.SessionExtras extras) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("r", roleArn);
    body.put("n", roleName);
    body.put("i", roleId);
    body.put("s", sessionName);
    body.put("a", assumedRoleArn);
    body.put("e", expiration.getEpochSecond());
    if (extras != State.SessionExtras.NONE) {
      body.put("t", extras.tags());
      body.put("k", List.copyOf(extras.transitiveTagKeys()));
      body.put("o", extras.sourceIdentity());
      body.put("p", extras.sessionPolicies());
      body.put("c", extras.chained());
    }
    String payload;
    try {
      payload = B64.encodeToString(Engine.JSON.writeValueAsBytes(body));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    String token = PREFIX + payload + "." + B64.encodeToString(mac(accessKeyId + "." + payload));
    return new State.Session(accessKeyId, secretFor(accessKeyId), token, roleArn, roleName,
        roleId, sessionName, assumedRoleArn, expiration, extras);
  }

  /** Rebuilds a session from its token; empty when this fake did not issue it. */
  @SuppressWarnings("unchecked")
  Optional<State.Session> decode(String accessKeyId, String token) {
    if (!token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int dot = token.lastIndexOf('.');
    if (dot < PREFIX.length()) {
      return Optional.empty();
    }
    String payload = token.substring(PREFIX.length(), dot);
    byte[] expected = mac(accessKeyId + "." + payload);
    byte[] given;
    try {
      given = D64.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(expected, given)) {
      return Optional.empty();
    }
    try {
      Map<String, Object> b = Engine.JSON.readValue(D64.decode(payload),
          new TypeReference<Map<String, Object>>() {});
      State.SessionExtras extras = State.SessionExtras.NONE;
      if (b.containsKey("t")) {
        extras = new State.SessionExtras(Map.copyOf((Map<String, String>) b.get("t")),
            java.util.Set.copyOf(new LinkedHashSet<>((List<String>) b.get("k"))),
            (String) b.get("o"), List.copyOf(new ArrayList<>((List<String>) b.get("p"))),
            Boolean.TRUE.equals(b.get("c")));
      }
      return Optional.of(new State.Session(accessKeyId, secretFor(accessKeyId), token,
          (String) b.get("r"), (String) b.get("n"), (String) b.get("i"), (String) b.get("s"),
          (String) b.get("a"), Instant.ofEpochSecond(((Number) b.get("e")).longValue()),
          extras));
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
