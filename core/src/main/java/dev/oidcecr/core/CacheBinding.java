package dev.oidcecr.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who asked, and where: the one key that every cached STS session and ECR login is bound to, in
 * memory ({@link AuthCache}) and on disk ({@link CredentialCache}).
 *
 * <p>A binding is the caller's identity as STS judges it plus the scope of the answer:
 *
 * <ul>
 *   <li>the token's {@code iss}, {@code sub} and {@code aud} (every audience, sorted);
 *   <li>{@code claims}: hex SHA-256 of every other claim STS could turn into a condition key or a
 *       session attribute (for example {@code azp}, {@code amr}, {@code email}, GitHub's {@code
 *       job_workflow_ref}, the {@code https://aws.amazon.com/tags} session tags and {@code
 *       https://aws.amazon.com/source_identity}), that is every claim except the ones that change
 *       with each token of the same identity: {@code exp}, {@code iat}, {@code nbf}, {@code
 *       auth_time}, {@code jti}, {@code c_hash}, {@code at_hash}, {@code nonce};
 *   <li>the STS endpoint, the partition, the role ARN, the session duration and the session-name
 *       policy (an explicit session name, or the derived name with its timestamp as {@code *});
 *   <li>hooks, {@code x-<name>} lines, for what else a request may carry once the authenticator
 *       sends it (session policies, policy ARNs, transitive tag keys): none today;
 *   <li>for an ECR login, the ECR endpoint and the registry host.
 * </ul>
 *
 * <p>Canonical text, UTF-8, one {@code name=value} line each ending in {@code \n}, in this order:
 *
 * <pre>
 * oidc-ecr-binding/1
 * iss=&lt;iss&gt;
 * sub=&lt;sub&gt;
 * aud=&lt;audience&gt;            (one line per distinct audience, sorted by code point)
 * claims=&lt;64 hex&gt;
 * sts=&lt;endpoint&gt;            (the override URL, or default:&lt;region&gt;)
 * partition=&lt;aws|aws-cn|...&gt;
 * role=&lt;role ARN&gt;
 * duration=&lt;seconds&gt;
 * session-name=&lt;name or prefix-*&gt;
 * x-&lt;hook&gt;=&lt;value&gt;        (sorted by name; none today)
 * ecr=&lt;endpoint&gt;            (logins only: override URL, or default:&lt;region&gt;)
 * registry=&lt;registry host&gt;   (logins only)
 * </pre>
 *
 * <p>The binding string is the lower-case hex SHA-256 of that text; a POSIX shell can compute it
 * with {@code printf '%s\n' ... | sha256sum} once it has the claims. A token whose identity fields
 * contain a control character, or that lacks {@code iss} or {@code sub}, has no binding and never
 * uses a cache.
 */
final class CacheBinding {
  static final String FORMAT = "oidc-ecr-binding/1";
  /** STS allows five minutes of clock skew on the token's time claims (DESIGN.md section 9). */
  static final Duration STS_CLOCK_SKEW = Duration.ofMinutes(5);

  private static final Set<String> PER_TOKEN_CLAIMS =
      Set.of("exp", "iat", "nbf", "auth_time", "jti", "c_hash", "at_hash", "nonce");
  /** Distinct raw tokens whose facts are remembered; a process rarely sees more. */
  private static final int MAX_REMEMBERED_TOKENS = 512;
  private static final Map<String, Caller> CALLERS = new ConcurrentHashMap<>();

  private final Identity identity;
  private final Scope scope;
  private final String ecrEndpoint;
  private final String registryHost;
  private final int hash;
  private volatile String hex;

  private CacheBinding(Identity identity, Scope scope, String ecrEndpoint, String registryHost) {
    this.identity = identity;
    this.scope = scope;
    this.ecrEndpoint = ecrEndpoint;
    this.registryHost = registryHost;
    this.hash = Objects.hash(identity, scope, ecrEndpoint, registryHost);
  }

  /** The binding of an STS session: who asked, and the role session they asked for. */
  static CacheBinding session(Identity identity, Scope scope) {
    return new CacheBinding(identity, scope, null, null);
  }

  /** The binding of an ECR login for {@code registryHost} through {@code ecrEndpoint}. */
  static CacheBinding login(Identity identity, Scope scope, String ecrEndpoint,
      String registryHost) {
    return new CacheBinding(identity, scope,
        Objects.requireNonNull(ecrEndpoint, "ecrEndpoint"),
        Objects.requireNonNull(registryHost, "registryHost"));
  }

  /** Returns the session binding of this login binding (or this one). */
  CacheBinding sessionBinding() {
    return registryHost == null ? this : session(identity, scope);
  }

  Identity identity() {
    return identity;
  }

  Scope scope() {
    return scope;
  }

  Optional<String> ecrEndpoint() {
    return Optional.ofNullable(ecrEndpoint);
  }

  Optional<String> registryHost() {
    return Optional.ofNullable(registryHost);
  }

  /** Returns the canonical text described in the class comment. */
  String canonical() {
    StringBuilder s = new StringBuilder(512);
    line(s, null, FORMAT);
    line(s, "iss", identity.issuer());
    line(s, "sub", identity.subject());
    for (String aud : identity.audiences()) {
      line(s, "aud", aud);
    }
    line(s, "claims", identity.claimsDigest());
    line(s, "sts", scope.stsEndpoint());
    line(s, "partition", scope.partition());
    line(s, "role", scope.roleArn());
    line(s, "duration", Long.toString(scope.durationSeconds()));
    line(s, "session-name", scope.sessionName());
    scope.hooks().forEach((k, v) -> line(s, "x-" + k, v));
    if (registryHost != null) {
      line(s, "ecr", ecrEndpoint);
      line(s, "registry", registryHost);
    }
    return s.toString();
  }

  /** Returns the lower-case hex SHA-256 of {@link #canonical()}. */
  String hex() {
    String h = hex;
    if (h == null) {
      h = sha256Hex(canonical());
      hex = h;
    }
    return h;
  }

  private static void line(StringBuilder s, String name, String value) {
    if (name != null) {
      s.append(name).append('=');
    }
    s.append(value).append('\n');
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof CacheBinding b && b.hash == hash && b.identity.equals(identity)
        && b.scope.equals(scope) && Objects.equals(b.ecrEndpoint, ecrEndpoint)
        && Objects.equals(b.registryHost, registryHost);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Shows the subject, role and registry; never a token. */
  @Override
  public String toString() {
    return "CacheBinding{sub=" + identity.subject() + ", role=" + scope.roleArn()
        + (registryHost == null ? "" : ", registry=" + registryHost) + "}";
  }

  /** The caller's identity as STS judges it, from the token's claims (see the class comment). */
  record Identity(String issuer, String subject, List<String> audiences, String claimsDigest) {}

  /**
   * What the role session depends on besides the caller: STS endpoint, partition, role,
   * duration, session-name policy, and hooks for request parameters that do not exist yet.
   */
  record Scope(String stsEndpoint, String partition, String roleArn, long durationSeconds,
      String sessionName, Map<String, String> hooks) {
    Scope {
      hooks = Map.copyOf(new TreeMap<>(hooks));
      for (String v : List.of(stsEndpoint, partition, roleArn, sessionName)) {
        if (hasControl(v)) {
          throw new IllegalArgumentException("A cache scope value has a control character");
        }
      }
    }

    @Override
    public Map<String, String> hooks() {
      return new TreeMap<>(hooks);
    }
  }

  /**
   * One raw token's facts, derived once per distinct token: its identity (empty when it cannot
   * be bound), its SHA-256, and its time claims.
   */
  static final class Caller {
    private final Optional<Identity> identity;
    private final String tokenSha256;
    private final Instant expiresAt;
    /** The latest of nbf and iat less STS's skew: before it, the token is from the future. */
    private final Instant usableFrom;

    private Caller(WebIdentityToken token) {
      this.identity = identityOf(token);
      this.tokenSha256 = sha256Hex(token.value());
      this.expiresAt = token.expiresAt();
      Instant latest = Instant.MIN;
      for (Optional<Instant> t : List.of(numericDate(token.claim("nbf")), token.issuedAt())) {
        if (t.isPresent() && t.get().isAfter(latest)) {
          latest = t.get();
        }
      }
      this.usableFrom = latest.equals(Instant.MIN) ? latest : latest.minus(STS_CLOCK_SKEW);
    }

    /** Returns the facts of {@code token}, derived once per distinct raw token. */
    static Caller of(WebIdentityToken token) {
      Caller c = CALLERS.get(token.value());
      if (c == null) {
        c = new Caller(token);
        if (CALLERS.size() >= MAX_REMEMBERED_TOKENS) {
          CALLERS.clear();
        }
        CALLERS.put(token.value(), c);
      }
      return c;
    }

    /** Returns the identity, or empty when the token cannot be bound to a cache entry. */
    Optional<Identity> identity() {
      return identity;
    }

    /** Returns the hex SHA-256 of the raw token (not a secret: a JWT cannot be guessed). */
    String tokenSha256() {
      return tokenSha256;
    }

    Instant expiresAt() {
      return expiresAt;
    }

    /**
     * Tells whether a cache may answer this token at {@code now}: it has an identity, has not
     * expired ({@code now < exp}, with no grace: STS's five minutes of skew are for tokens it
     * checks itself), and is not from the future ({@code nbf} and {@code iat} at most five
     * minutes ahead, the skew STS allows).
     */
    boolean usableAt(Instant now) {
      return identity.isPresent() && now.isBefore(expiresAt) && !now.isBefore(usableFrom);
    }
  }

  private static Optional<Identity> identityOf(WebIdentityToken token) {
    Optional<String> iss = token.issuer();
    Optional<String> sub = token.subject();
    if (iss.isEmpty() || sub.isEmpty() || hasControl(iss.get()) || hasControl(sub.get())) {
      return Optional.empty();
    }
    TreeSet<String> auds = new TreeSet<>(token.audiences());
    for (String a : auds) {
      if (hasControl(a)) {
        return Optional.empty();
      }
    }
    TreeMap<String, Object> rest = new TreeMap<>(token.claims());
    rest.keySet().removeAll(PER_TOKEN_CLAIMS);
    rest.keySet().removeAll(List.of("iss", "sub", "aud"));
    StringBuilder canonical = new StringBuilder();
    canonicalJson(rest, canonical);
    return Optional.of(new Identity(iss.get(), sub.get(), List.copyOf(auds),
        sha256Hex(canonical.toString())));
  }

  /** A canonical JSON rendering: keys sorted, no white space, numbers in plain notation. */
  private static void canonicalJson(Object v, StringBuilder out) {
    if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(String.valueOf(e.getKey()), out);
        out.append(':');
        canonicalJson(e.getValue(), out);
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        canonicalJson(l.get(i), out);
      }
      out.append(']');
    } else if (v instanceof String s) {
      quote(s, out);
    } else if (v instanceof BigDecimal d) {
      out.append(d.stripTrailingZeros().toPlainString());
    } else if (v instanceof Long || v instanceof BigInteger || v instanceof Boolean) {
      out.append(v);
    } else {
      out.append("null");
    }
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private static Optional<Instant> numericDate(Optional<Object> claim) {
    if (claim.isPresent() && claim.get() instanceof Number n) {
      return Optional.of(Instant.ofEpochSecond(n.longValue()));
    }
    return Optional.empty();
  }

  static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Forgets the remembered token facts (tests). */
  static void forgetTokens() {
    CALLERS.clear();
  }
}
