package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * ECR registry passwords (GetAuthorizationToken's), self-contained as ECR's are: the password
 * is the base64 of a JSON object with {@code payload}, {@code datakey}, {@code version},
 * {@code type} and {@code expiration} (the shape ECR's passwords decode to), where the payload
 * carries who asked, for which registry and until when, under the fake's HMAC. The fake keeps
 * no map of issued passwords, so their number costs no memory; a reset makes them unknown.
 */
final class EcrPasswords {
  private static final String KIND = "ecr-password";
  private final SessionCodec codec;

  EcrPasswords(SessionCodec codec) {
    this.codec = codec;
  }

  /**
   * Who an ECR password was issued to, for which registry, and until when.
   *
   * @param sessionToken the STS session token of a role-session caller, which carries its
   *     session tags and session policies; empty for the admin
   */
  record Grant(Caller caller, Instant expiresAt, String registryId,
      Optional<String> sessionToken) {
    @Override
    public String toString() {
      return "Grant[" + caller.arn() + " for " + registryId + " until " + expiresAt + "]";
    }
  }

  String issue(Caller caller, Optional<String> sessionToken, Instant expiresAt,
      String registryId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("k", caller.accessKeyId());
    body.put("a", caller.arn());
    body.put("u", caller.userId());
    body.put("c", caller.account());
    caller.roleArn().ifPresent(r -> body.put("r", r));
    caller.roleName().ifPresent(r -> body.put("n", r));
    sessionToken.ifPresent(t -> body.put("t", t));
    body.put("g", registryId);
    body.put("e", expiresAt.toEpochMilli());
    String sealed = codec.seal(KIND, body);
    int dot = sealed.lastIndexOf('.');
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("payload", sealed.substring(0, dot));
    outer.put("datakey", sealed.substring(dot + 1));
    outer.put("version", "2");
    outer.put("type", "DATA_KEY");
    outer.put("expiration", expiresAt.getEpochSecond());
    try {
      return Base64.getEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(outer));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens a password; empty when it is not one this fake issued since its last reset. */
  Optional<Grant> open(String password) {
    try {
      JsonNode outer = Json.MAPPER.readTree(new String(Base64.getDecoder().decode(password),
          StandardCharsets.UTF_8));
      if (outer == null || !outer.path("payload").isTextual()
          || !outer.path("datakey").isTextual()) {
        return Optional.empty();
      }
      return codec.unseal(KIND, outer.get("payload").asText() + "."
          + outer.get("datakey").asText()).map(b -> new Grant(new Caller((String) b.get("k"),
              (String) b.get("a"), (String) b.get("u"), (String) b.get("c"),
              Optional.ofNullable((String) b.get("r")), Optional.ofNullable((String) b.get("n"))),
          Instant.ofEpochMilli(((Number) b.get("e")).longValue()), (String) b.get("g"),
          Optional.ofNullable((String) b.get("t"))));
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
