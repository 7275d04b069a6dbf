package dev.oidcecr.testing;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds one token shaped like a CI system's or workspace's, with that issuer's {@code iss},
 * {@code sub} grammar, audience and extra claims. The {@code sub} is derived from the claims when
 * the token is minted (so {@code claim("repository", "acme/other")} also moves the subject),
 * unless {@link #subject(String)} sets it outright. Any claim can be overridden or removed, and
 * the {@code iss} changed with {@link #issuer(String)}.
 *
 * <p>Every issuer URL a token is minted for is served by the owning {@link FakeOidcIssuer}
 * (discovery and JWKS under {@code http://127.0.0.1:<port>/<host><path>}) and signed with its
 * one key, so a {@link FakeAws} hosting that issuer verifies the token once an OIDC provider for
 * the URL exists in IAM.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ProfileToken<B extends ProfileToken<B>> {
  final FakeOidcIssuer owner;
  final Map<String, Object> claims = new LinkedHashMap<>();
  private final List<String> removed = new ArrayList<>();
  private String iss;
  private List<String> audience;
  private String subject;
  private Instant issuedAt;
  private Instant expiresAt;
  private boolean unknownKid;
  private boolean badSignature;

  private final String profileId;
  private final Conventions conventions;

  ProfileToken(FakeOidcIssuer owner, String profileId, Conventions conventions) {
    this.owner = owner;
    this.profileId = profileId;
    this.conventions = conventions;
  }

  /**
   * What an issuer does beyond its claims, the same for every token it mints: the JWKS path its
   * discovery document names, whether it sends {@code nbf} and {@code jti}, and how long a token
   * lives unless {@link #expiresAt(Instant)} says otherwise.
   */
  record Conventions(String jwksPath, boolean sendsNotBefore, boolean sendsJti,
      Duration lifetime) {
    /** JWKS at {@code /keys}, neither {@code nbf} nor {@code jti}, one hour. */
    static final Conventions PLAIN = new Conventions("/keys", false, false, Duration.ofHours(1));

    Conventions jwks(String path) {
      return new Conventions(path, sendsNotBefore, sendsJti, lifetime);
    }

    Conventions withNotBefore() {
      return new Conventions(jwksPath, true, sendsJti, lifetime);
    }

    Conventions withJti() {
      return new Conventions(jwksPath, sendsNotBefore, true, lifetime);
    }

    Conventions lifetime(Duration d) {
      return new Conventions(jwksPath, sendsNotBefore, sendsJti, d);
    }
  }

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /**
   * Returns the profile id, one of {@link ProfileTokens#IDS}, such as {@code github-actions}.
   *
   * @return the profile id
   */
  public String profileId() {
    return profileId;
  }

  /**
   * Returns the issuer URL this token gets without {@link #issuer(String)}: the real issuer's
   * URL, such as {@code https://token.actions.githubusercontent.com}, or for per-tenant issuers
   * (CircleCI, Bitbucket, EKS, a self-managed GitLab) the one built from the tenant set on this
   * builder.
   *
   * @return the default {@code iss}
   */
  public abstract String defaultIssuer();

  /**
   * The audience without {@link #audience}: a string or a list, as the issuer sends it; by
   * default the single string {@value FakeOidcIssuer#DEFAULT_AUDIENCE}.
   */
  Object defaultAudience() {
    return FakeOidcIssuer.DEFAULT_AUDIENCE;
  }

  /** Puts this issuer's claims (from the typed setters) before the overrides of claim(). */
  abstract void putProfileClaims(Map<String, Object> c);

  /** Derives {@code sub} from the final claims. */
  abstract String deriveSubject(Map<String, Object> finalClaims);

  /**
   * Consumes a request key of {@code POST /_fake/tokens} that is an option of this profile
   * rather than a claim (such as {@code immutable} for GitHub); returns whether it did.
   */
  boolean option(String key, Object value) {
    return false;
  }

  /**
   * Sets the {@code iss}, for example a self-managed instance or a wrong issuer; the owning
   * {@link FakeOidcIssuer} serves discovery and JWKS for any {@code http} or {@code https} URL
   * once a token for it is minted.
   *
   * @param issuerUrl the issuer URL, such as {@code https://token.actions.githubusercontent.com}
   * @return this builder
   */
  public B issuer(String issuerUrl) {
    this.iss = Objects.requireNonNull(issuerUrl, "issuerUrl");
    return self();
  }

  /**
   * Sets the audience, replacing the profile's default: one value is sent the way this issuer
   * sends one (a string, or a one-element array for issuers that always send arrays), several
   * as an array.
   *
   * @param audiences one or more audiences, such as {@code sts.amazonaws.com}
   * @return this builder
   * @throws IllegalArgumentException when no audience is given
   */
  public B audience(String... audiences) {
    if (audiences.length == 0) {
      throw new IllegalArgumentException("A token needs at least one audience.");
    }
    this.audience = List.of(audiences);
    return self();
  }

  /**
   * Sets {@code sub} outright, instead of deriving it from the claims when the token is minted.
   *
   * @param sub the exact {@code sub} claim
   * @return this builder
   */
  public B subject(String sub) {
    this.subject = Objects.requireNonNull(sub, "sub");
    return self();
  }

  /**
   * Sets any claim, overriding the profile's value of the same name (and undoing a
   * {@link #withoutClaim(String)} of it); a derived {@code sub} follows the new value.
   *
   * @param name the claim name, such as {@code repository}
   * @param value a JSON value: a {@code String}, {@code Number}, {@code Boolean}, {@code List} or
   *     {@code Map}
   * @return this builder
   */
  public B claim(String name, Object value) {
    claims.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    removed.remove(name);
    return self();
  }

  /**
   * Leaves a claim out of the token, including a registered one such as {@code sub} or
   * {@code aud}.
   *
   * @param name the claim name
   * @return this builder
   */
  public B withoutClaim(String name) {
    removed.add(Objects.requireNonNull(name, "name"));
    return self();
  }

  /**
   * Sets {@code iat} (and {@code nbf} for issuers that send it); default the owning issuer's
   * {@link FakeOidcIssuer#clock() clock} at minting. Without {@link #expiresAt(Instant)},
   * {@code exp} follows at the issuer's usual lifetime.
   *
   * @param iat when the token is issued
   * @return this builder
   */
  public B issuedAt(Instant iat) {
    this.issuedAt = Objects.requireNonNull(iat, "iat");
    return self();
  }

  /**
   * Sets {@code exp}; default {@code iat} plus the issuer's usual lifetime (one hour; five
   * minutes for Buildkite, 24 hours for EKS).
   *
   * @param exp when the token expires
   * @return this builder
   */
  public B expiresAt(Instant exp) {
    this.expiresAt = Objects.requireNonNull(exp, "exp");
    return self();
  }

  /**
   * Makes the token expired for an hour, well past the 5 minutes of skew AWS allows.
   *
   * @return this builder
   */
  public B expired() {
    Instant now = owner.clock().instant();
    this.issuedAt = now.minus(Duration.ofHours(2));
    this.expiresAt = now.minus(Duration.ofHours(1));
    return self();
  }

  /**
   * Sets an audience that no provider lists.
   *
   * @return this builder
   */
  public B wrongAudience() {
    return audience("https://wrong-audience.example");
  }

  /**
   * Puts a {@code kid} in the header that the JWKS does not list.
   *
   * @return this builder
   */
  public B unknownKid() {
    this.unknownKid = true;
    return self();
  }

  /**
   * Signs with a key other than the one the {@code kid} names.
   *
   * @return this builder
   */
  public B badSignature() {
    this.badSignature = true;
    return self();
  }

  /**
   * Returns the issuer URL the token will carry: the one set with {@link #issuer(String)},
   * else {@link #defaultIssuer()}.
   *
   * @return the {@code iss} of the token
   */
  public String issuer() {
    return iss != null ? iss : defaultIssuer();
  }

  /**
   * Returns the claims the token would carry if minted now, in the order they are written:
   * defaults, then the typed setters' claims, then {@link #claim(String, Object)} overrides,
   * less the removed ones, with {@code sub} derived last. A profile that sends {@code jti} gets
   * a fresh one at each call.
   *
   * @return a new, modifiable map of claim names to JSON values
   */
  public Map<String, Object> claims() {
    Instant iat = issuedAt != null ? issuedAt : owner.clock().instant();
    Instant exp = expiresAt != null ? expiresAt : iat.plus(conventions.lifetime());
    Map<String, Object> c = new LinkedHashMap<>();
    if (conventions.sendsJti()) {
      c.put("jti", UUID.randomUUID().toString());
    }
    c.put("iss", issuer());
    c.put("sub", "");
    c.put("aud", audience == null ? defaultAudience()
        : audience.size() == 1 && !(defaultAudience() instanceof List<?>) ? audience.get(0)
        : audience);
    putProfileClaims(c);
    if (conventions.sendsNotBefore()) {
      c.put("nbf", iat.getEpochSecond());
    }
    c.put("iat", iat.getEpochSecond());
    c.put("exp", exp.getEpochSecond());
    c.putAll(claims);
    removed.forEach(c::remove);
    if (removed.contains("sub")) {
      return c;
    }
    c.put("sub", subject != null ? subject : deriveSubject(c));
    return c;
  }

  /**
   * Signs the claims with the owning issuer's key (RS256) and returns the compact JWT; from
   * then on the owning issuer serves discovery and JWKS for the token's {@code iss}.
   *
   * @return the signed token, {@code header.payload.signature}
   */
  public String mint() {
    Map<String, Object> c = claims();
    if (c.get("iss") instanceof String i && servable(i)) {
      owner.serveIssuer(i, conventions.jwksPath());
    }
    return owner.sign(c, unknownKid, badSignature);
  }

  private static boolean servable(String iss) {
    try {
      URI u = URI.create(iss);
      return u.getHost() != null && ("https".equals(u.getScheme()) || "http".equals(u.getScheme()))
          && u.getRawQuery() == null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String text(Map<String, Object> c, String name) {
    Object v = c.get(name);
    return v == null ? "" : String.valueOf(v);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + claims();
  }
}
