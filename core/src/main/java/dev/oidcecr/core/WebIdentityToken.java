package dev.oidcecr.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.Json;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OIDC web identity token (a JWT) with its decoded, unverified header and claims.
 *
 * <p>The signature is not checked here: AWS STS checks it against the identity provider's keys.
 * The claims are decoded so that callers can see what the token says (issuer, subject, audience,
 * expiry) and explain a refusal before or after AWS gives one.
 *
 * <p>The raw token is a bearer credential: {@link #toString()} never shows it, and neither does
 * any exception message about it. Only {@link #value()} returns it.
 */
public final class WebIdentityToken {
  private static final String[] PART_NAMES = {"header", "payload", "signature"};
  /**
   * Tokens already parsed, by the exact text given: a source that returns the same token at
   * every fetch (a fixed token, a file between refreshes) is decoded once, which keeps a cache
   * hit cheap. Bounded; the values are immutable.
   */
  private static final int MAX_PARSED = 512;

  private static final Map<String, WebIdentityToken> PARSED = new ConcurrentHashMap<>();

  private final String value;
  private final Map<String, Object> header;
  private final Map<String, Object> claims;
  private final Instant expiresAt;

  private WebIdentityToken(
      String value, Map<String, Object> header, Map<String, Object> claims, Instant expiresAt) {
    this.value = value;
    this.header = header;
    this.claims = claims;
    this.expiresAt = expiresAt;
  }

  /** The longest token STS accepts: WebIdentityToken's length limit in the STS API reference. */
  public static final int MAX_LENGTH = 20_000;

  /**
   * Decodes a compact JWT without verifying its signature.
   *
   * <p>Leading and trailing white space (such as the newline at the end of a token file) is
   * ignored. The token must have three dot-separated base64url parts, a JSON object header with an
   * {@code alg}, and a JSON object payload with a numeric {@code exp}.
   *
   * @throws InvalidTokenException naming what is wrong, without quoting the text
   *
   * @param text the compact JWT, {@code header.payload.signature}
   * @return the decoded token, whose {@code toString} hides the token
   */
  public static WebIdentityToken parse(String text) {
    if (text == null) {
      throw new InvalidTokenException("The web identity token is missing: pass a JWT");
    }
    WebIdentityToken seen = PARSED.get(text);
    if (seen != null) {
      return seen;
    }
    WebIdentityToken parsed = decode(text);
    if (PARSED.size() >= MAX_PARSED) {
      PARSED.clear();
    }
    PARSED.put(text, parsed);
    return parsed;
  }

  private static WebIdentityToken decode(String text) {
    String token = text.strip();
    if (token.length() > MAX_LENGTH) {
      throw new InvalidTokenException(
          "The web identity token is " + token.length() + " characters long, more than the "
              + MAX_LENGTH + " STS accepts (AssumeRoleWithWebIdentity): check that the file or"
              + " variable holds only the token");
    }
    if (token.isEmpty()) {
      throw new InvalidTokenException(
          "The web identity token is empty: pass a JWT (three base64url parts joined by dots)");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (Character.isWhitespace(c)) {
        throw new InvalidTokenException(
            "The web identity token contains white space at position "
                + i
                + ": a JWT is one line with no spaces; pass only the token, not a header or"
                + " several lines");
      }
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      String hint =
          parts.length == 5
              ? " (it looks like an encrypted JWE, which STS does not accept)"
              : parts.length == 1 ? " (it has no dots at all: is it a JWT?)" : "";
      throw new InvalidTokenException(
          "The web identity token is not a JWT: it has "
              + parts.length
              + " dot-separated part"
              + (parts.length == 1 ? "" : "s")
              + ", expected 3 (header.payload.signature)"
              + hint
              + "; pass the token printed by `gp idp token --audience sts.amazonaws.com`");
    }
    byte[] headerBytes = decodePart(parts, 0);
    byte[] payloadBytes = decodePart(parts, 1);
    decodePart(parts, 2);
    if (parts[2].isEmpty()) {
      throw new InvalidTokenException(
          "The web identity token has an empty signature (part 3): AWS STS accepts only signed"
              + " tokens; pass the token issued by your identity provider");
    }
    Map<String, Object> header = toObject(headerBytes, 0);
    Map<String, Object> claims = toObject(payloadBytes, 1);
    if (!(header.get("alg") instanceof String)) {
      throw new InvalidTokenException(
          "The web identity token's header (part 1) has no \"alg\" string: it is not a JWT issued"
              + " by an OIDC provider");
    }
    Object exp = claims.get("exp");
    if (exp == null) {
      throw new InvalidTokenException(
          "The web identity token has no \"exp\" claim: AWS STS rejects tokens without an expiry;"
              + " get a token from your OIDC provider (for Gitpod: `gp idp token --audience"
              + " sts.amazonaws.com`)");
    }
    Instant expiresAt = numericDate(exp, "exp");
    Object iat = claims.get("iat");
    if (iat != null) {
      numericDate(iat, "iat");
    }
    Object aud = claims.get("aud");
    if (aud != null && !(aud instanceof String) && !isListOfStrings(aud)) {
      throw new InvalidTokenException(
          "The web identity token's \"aud\" claim is neither a string nor an array of strings;"
              + " fix the identity provider's token audience");
    }
    for (String name : List.of("iss", "sub")) {
      Object v = claims.get(name);
      if (v != null && !(v instanceof String)) {
        throw new InvalidTokenException(
            "The web identity token's \"" + name + "\" claim is not a string: it is not an OIDC"
                + " identity token");
      }
    }
    return new WebIdentityToken(token, header, claims, expiresAt);
  }

  private static byte[] decodePart(String[] parts, int index) {
    String part = parts[index];
    if (part.isEmpty() && index < 2) {
      throw new InvalidTokenException(
          "The web identity token is not a JWT: its "
              + PART_NAMES[index]
              + " (part "
              + (index + 1)
              + ") is empty");
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_' || (c == '=' && i >= part.length() - 2);
      if (!ok) {
        throw new InvalidTokenException(
            "The web identity token is not a JWT: its "
                + PART_NAMES[index]
                + " (part "
                + (index + 1)
                + ") has a character that is not base64url at position "
                + i
                + (c == '+' || c == '/' ? " (plain base64 '+' or '/', JWTs use '-' and '_')" : "")
                + "; pass the token unchanged");
      }
    }
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException(
          "The web identity token is not a JWT: its "
              + PART_NAMES[index]
              + " (part "
              + (index + 1)
              + ") is not valid base64url (wrong length: was it cut short?)");
    }
  }

  private static Map<String, Object> toObject(byte[] bytes, int index) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      // Jackson's own message may quote the content: report the position only.
      String where =
          e.getLocation() == null ? "" : " near character " + e.getLocation().getCharOffset();
      throw new InvalidTokenException(
          "The web identity token is not a JWT: its "
              + PART_NAMES[index]
              + " (part "
              + (index + 1)
              + ") is not JSON"
              + where
              + (e.getOriginalMessage() != null
                      && e.getOriginalMessage().startsWith("Duplicate field")
                  ? " (a key appears twice)"
                  : ""));
    } catch (java.io.IOException e) {
      throw new InvalidTokenException(
          "The web identity token's " + PART_NAMES[index] + " could not be read as JSON", e);
    }
    if (node == null || !node.isObject()) {
      throw new InvalidTokenException(
          "The web identity token is not a JWT: its "
              + PART_NAMES[index]
              + " (part "
              + (index + 1)
              + ") is JSON but not an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) toJava(node);
    return map;
  }

  private static Object toJava(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : ((ObjectNode) node).properties()) {
        Object v = toJava(e.getValue());
        if (v != null) {
          map.put(e.getKey(), v);
        }
      }
      return Collections.unmodifiableMap(map);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      for (JsonNode n : node) {
        Object v = toJava(n);
        if (v != null) {
          list.add(v);
        }
      }
      return Collections.unmodifiableList(list);
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    return null; // JSON null: treated as absent
  }

  private static Instant numericDate(Object value, String claim) {
    if (value instanceof Long) {
      long seconds = (Long) value;
      if (seconds < 0 || seconds > 253402300799L) {
        throw outOfRange(claim);
      }
      return Instant.ofEpochSecond(seconds);
    }
    if (value instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) value;
      if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(253402300799L)) > 0) {
        throw outOfRange(claim);
      }
      long seconds = d.longValue();
      long nanos = d.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).longValue();
      return Instant.ofEpochSecond(seconds, nanos);
    }
    if (value instanceof Number) {
      throw outOfRange(claim);
    }
    throw new InvalidTokenException(
        "The web identity token's \""
            + claim
            + "\" claim is not a number of seconds since 1970 (a JWT NumericDate); the token is"
            + " malformed: get a new one from your identity provider");
  }

  private static InvalidTokenException outOfRange(String claim) {
    return new InvalidTokenException(
        "The web identity token's \""
            + claim
            + "\" claim is out of range for a date; the token is malformed: get a new one from"
            + " your identity provider");
  }

  private static boolean isListOfStrings(Object o) {
    return o instanceof List && ((List<?>) o).stream().allMatch(e -> e instanceof String);
  }

  /**
   * Returns the raw token, the bearer credential to send to AWS STS. Never log it.
   *
   * @return the raw token, the bearer credential to send to AWS STS
   */
  public String value() {
    return value;
  }

  /**
   * Returns the header's {@code alg} (for Gitpod, {@code RS256}).
   *
   * @return the header's {@code alg} (for Gitpod, {@code RS256})
   */
  public String algorithm() {
    return (String) header.get("alg");
  }

  /**
   * Returns the header's {@code kid}, the id of the key that signed the token, if present.
   *
   * @return the header's {@code kid}, the id of the key that signed the token, if present
   */
  public Optional<String> keyId() {
    return string(header, "kid");
  }

  /**
   * Returns the decoded header, as unmodifiable plain Java values.
   *
   * @return the decoded header, as unmodifiable plain Java values
   */
  public Map<String, Object> header() {
    return header;
  }

  /**
   * Returns the {@code iss} claim: the identity provider's URL.
   *
   * @return the {@code iss} claim: the identity provider's URL
   */
  public Optional<String> issuer() {
    return string(claims, "iss");
  }

  /**
   * Returns the {@code sub} claim: for Gitpod, the workspace's normalized context URL.
   *
   * @return the {@code sub} claim: for Gitpod, the workspace's normalized context URL
   */
  public Optional<String> subject() {
    return string(claims, "sub");
  }

  /**
   * Returns the {@code aud} claim as a list, whether the token has a string or an array.
   *
   * @return the {@code aud} claim as a list, whether the token has a string or an array
   */
  public List<String> audiences() {
    Object aud = claims.get("aud");
    if (aud instanceof String) {
      return List.of((String) aud);
    }
    if (aud instanceof List) {
      List<String> out = new ArrayList<>();
      for (Object o : (List<?>) aud) {
        out.add((String) o);
      }
      return Collections.unmodifiableList(out);
    }
    return List.of();
  }

  /**
   * Returns the {@code azp} claim (authorized party), if present.
   *
   * @return the {@code azp} claim (authorized party), if present
   */
  public Optional<String> authorizedParty() {
    return string(claims, "azp");
  }

  /**
   * Returns when the token expires (the {@code exp} claim).
   *
   * @return when the token expires (the {@code exp} claim)
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * Returns when the token was issued (the {@code iat} claim), if present.
   *
   * @return when the token was issued (the {@code iat} claim), if present
   */
  public Optional<Instant> issuedAt() {
    Object iat = claims.get("iat");
    return iat == null ? Optional.empty() : Optional.of(numericDate(iat, "iat"));
  }

  /**
   * Returns Gitpod's {@code email} claim, if present.
   *
   * @return Gitpod's {@code email} claim, if present
   */
  public Optional<String> email() {
    return string(claims, "email");
  }

  /**
   * Returns Gitpod's {@code email_verified} claim, if present.
   *
   * @return Gitpod's {@code email_verified} claim, if present
   */
  public Optional<Boolean> emailVerified() {
    Object v = claims.get("email_verified");
    return v instanceof Boolean ? Optional.of((Boolean) v) : Optional.empty();
  }

  /**
   * Returns the {@code name} claim, if present.
   *
   * @return the {@code name} claim, if present
   */
  public Optional<String> name() {
    return string(claims, "name");
  }

  /**
   * Returns Gitpod's {@code user_id} claim, if present.
   *
   * @return Gitpod's {@code user_id} claim, if present
   */
  public Optional<String> userId() {
    return string(claims, "user_id");
  }

  /**
   * Returns Gitpod's {@code org_id} claim, if present.
   *
   * @return Gitpod's {@code org_id} claim, if present
   */
  public Optional<String> orgId() {
    return string(claims, "org_id");
  }

  /**
   * Returns Gitpod's {@code workspace_id} claim, if present.
   *
   * @return Gitpod's {@code workspace_id} claim, if present
   */
  public Optional<String> workspaceId() {
    return string(claims, "workspace_id");
  }

  /**
   * Returns Gitpod's {@code repository} claim (the clone URL), if present.
   *
   * @return Gitpod's {@code repository} claim (the clone URL), if present
   */
  public Optional<String> repository() {
    return string(claims, "repository");
  }

  /**
   * Returns one claim as a plain Java value ({@code String}, {@code Boolean}, {@code Long}, {@code
   * BigInteger}, {@code BigDecimal}, unmodifiable {@code List} or {@code Map}), if present and not
   * JSON {@code null}.
   *
   * @param name the claim name, such as {@code sub} or {@code repository}
   * @return one claim as a plain Java value ({@code String}, {@code Boolean}, {@code Long}, {@code BigInteger}, {@code BigDecimal}, unmodifiable {@code List} or {@code Map}), if present and not JSON {@code null}
   */
  public Optional<Object> claim(String name) {
    return Optional.ofNullable(claims.get(name));
  }

  /**
   * Returns every claim, in token order, as unmodifiable plain Java values.
   *
   * @return every claim, in token order, as unmodifiable plain Java values
   */
  public Map<String, Object> claims() {
    return claims;
  }

  /**
   * Tells whether the token has expired at the clock's current instant.
   *
   * @param clock the clock that supplies the current time (a fixed one in tests)
   * @return {@code true} if the token has expired at the clock's current instant
   */
  public boolean isExpired(Clock clock) {
    return !clock.instant().isBefore(expiresAt);
  }

  /**
   * Returns the time left before the token expires; negative once it has expired.
   *
   * @param clock the clock that supplies the current time (a fixed one in tests)
   * @return the time left before the token expires; negative once it has expired
   */
  public Duration timeLeft(Clock clock) {
    return Duration.between(clock.instant(), expiresAt);
  }

  private static Optional<String> string(Map<String, Object> map, String key) {
    Object v = map.get(key);
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** Compares the raw tokens. */
  @Override
  public boolean equals(Object o) {
    return o instanceof WebIdentityToken && ((WebIdentityToken) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** Shows the issuer, subject, audiences and expiry; never the token itself. */
  @Override
  public String toString() {
    return "WebIdentityToken{iss="
        + issuer().orElse("<none>")
        + ", sub="
        + subject().orElse("<none>")
        + ", aud="
        + audiences()
        + ", exp="
        + expiresAt
        + "}";
  }
}
