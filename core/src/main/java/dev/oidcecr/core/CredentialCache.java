package dev.oidcecr.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.AtomicFiles;
import dev.oidcecr.core.internal.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An on-disk cache of registry credentials between short-lived processes, such as successive
 * calls of a Docker credential helper.
 *
 * <p><b>Who is served.</b> Every entry is bound to who asked, with the same binding as {@link
 * AuthCache} (one internal type serves both): the token's issuer, subject, audiences and the
 * digest of its other stable claims, the STS endpoint, partition, role ARN, session duration and
 * session-name policy, the ECR endpoint and the registry host. {@link #authenticate} reads the
 * caller's current token once and serves an entry only when its binding is equal and the token is
 * usable by this cache's clock (not expired, not from the future); a missing token file, an
 * expired token, a token of another subject, issuer or audience, another role or another endpoint
 * never gets a cached entry. Unlike {@link AuthCache}, a hit does not wait for STS to judge a new
 * token of the same binding: whoever can write the token file can read this 0600 folder too, so
 * the binding guards against serving another job's or another endpoint's credentials, not
 * against a forger running as the same user.
 *
 * <p><b>Lifetime.</b> An entry is served only during the first half of its life (between when it
 * was stored and when it expires), so a cached ECR token always has hours left, and an expired
 * one is never returned. The folder is created mode 0700 and each entry is a file of mode 0600
 * written atomically; the secrets live only in those files, never in names, logs or messages. A
 * damaged, foreign, world-readable or format-1 (unbound) entry is a cache miss.
 *
 * <p><b>Entry format</b> (format 2), so that a fast path outside the JVM can check an entry with
 * simple tools: one file per registry host and role, named by the first 40 hex digits of the
 * SHA-256 of {@code <registry host>\n<role ARN>} plus {@code .json}, holding one JSON object:
 *
 * <pre>
 * format             2
 * binding            hex SHA-256 of the canonical binding text (see CacheBinding)
 * registryHost, roleArn, issuer, subject, audiences[], stsEndpoint, ecrEndpoint
 *                    the binding's readable fields (none is a secret)
 * tokenSha256        hex SHA-256 of the last token served, white space around it removed
 * tokenExpiresEpoch  that token's exp, seconds since 1970
 * refreshAtEpoch     when the entry stops being served (half its life), seconds since 1970
 * username, password the Docker credentials (the secret)
 * expiresAt, storedAt ISO-8601 instants
 * </pre>
 *
 * <p>A shell that cannot decode the token's claims may answer from an entry only when {@code
 * sha256sum} of the current token equals {@code tokenSha256}, the current time is before both
 * {@code tokenExpiresEpoch} and {@code refreshAtEpoch}, the endpoints match the environment
 * ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_STS}, {@code AWS_ENDPOINT_URL_ECR}, or
 * {@code default:<region>}) and the file is the user's, mode 0600; in every other case it must
 * ask the JVM, which checks the full binding and records a new token of the same caller.
 */
public final class CredentialCache {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialCache.class);
  /** Entries claiming to be stored further in the future than this are not trusted. */
  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  private static final int FORMAT = 2;

  private final Path directory;
  private final Clock clock;

  private CredentialCache(Path directory, Clock clock) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns a cache in {@code directory}, timed by {@code clock}.
   *
   * @param directory the folder holding the cache files (created when first written)
   * @param clock the clock that supplies the current time (a fixed one in tests)
   * @return a cache in {@code directory}, timed by {@code clock}
   */
  public static CredentialCache at(Path directory, Clock clock) {
    return new CredentialCache(directory, clock);
  }

  /**
   * Returns a cache in {@code directory}, timed by the system clock.
   *
   * @param directory the folder holding the cache files (created when first written)
   * @return a cache in {@code directory}, timed by the system clock
   */
  public static CredentialCache at(Path directory) {
    return at(directory, Clock.systemUTC());
  }

  /**
   * Returns the user's cache: {@code $OIDC_ECR_CACHE_DIR} if set, else {@code
   * $XDG_CACHE_HOME/oidc-ecr}, else {@code <home>/.cache/oidc-ecr}.
   *
   * @param environment the environment variables to read
   * @param home the home directory
   * @param clock the clock that supplies the current time (a fixed one in tests)
   * @return the user's cache
   */
  public static CredentialCache fromEnvironment(
      Map<String, String> environment, Path home, Clock clock) {
    String explicit = environment.get("OIDC_ECR_CACHE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return at(Path.of(explicit), clock);
    }
    String xdg = environment.get("XDG_CACHE_HOME");
    // The XDG spec says a relative value is invalid and must be ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return at(Path.of(xdg).resolve("oidc-ecr"), clock);
    }
    return at(home.resolve(".cache").resolve("oidc-ecr"), clock);
  }

  /**
   * Returns the cache folder.
   *
   * @return the cache folder
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns Docker credentials for {@code registry} from {@code authenticator}, answered from
   * this cache when an entry is bound to the caller of the authenticator's current token (read
   * once from its token source), else from the authenticator (its in-memory cache, or AWS) and
   * then stored for that caller.
   *
   * <p>A token that is expired or not yet valid by this cache's clock, or that cannot be bound
   * (no {@code iss} or {@code sub}), neither reads nor writes an entry. A cache folder that cannot
   * be written is logged, not fatal.
   *
   * @throws TokenSourceException when the token source has no token (nothing is served then)
   * @throws StsAuthenticationException when STS refuses the token
   *
   * @param authenticator the authenticator to ask on a cache miss
   * @param registry the ECR registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
   * @return Docker credentials for {@code registry} from {@code authenticator}, answered from this cache when an entry is bound to the caller of the authenticator's current token (read once from its token source), else from the authenticator (its in-memory cache, or AWS) and then stored for that caller
   */
  public DockerAuth authenticate(OidcEcrAuthenticator authenticator, EcrRegistry registry) {
    Objects.requireNonNull(authenticator, "authenticator");
    Objects.requireNonNull(registry, "registry");
    WebIdentityToken token = authenticator.fetchToken();
    CacheBinding.Caller caller = CacheBinding.Caller.of(token);
    if (!caller.usableAt(clock.instant())) {
      LOG.debug("Credential cache not used for {}: the token (sub {}) is expired, not yet valid"
          + " or has no issuer or subject", registry.host(), token.subject().orElse("?"));
      return authenticator.authenticate(registry, token);
    }
    CacheBinding key = authenticator.loginKey(caller, token, registry);
    Optional<DockerAuth> hit = get(key, caller);
    if (hit.isPresent()) {
      return hit.get();
    }
    DockerAuth fresh = authenticator.authenticate(registry, token);
    // Keyed by the host asked for, whatever host the credentials name.
    DockerAuth keyed = fresh.registryHost().equals(registry.host()) ? fresh
        : DockerAuth.builder().from(fresh).registryHost(registry.host()).build();
    try {
      put(key, caller, keyed);
    } catch (CredentialCacheException e) {
      LOG.warn("{}", e.getMessage());
    }
    return fresh;
  }

  /**
   * Returns the entry for {@code key}'s registry and role if it is bound to {@code key} (same
   * caller, endpoints, role, session and registry), the caller's token is usable now, and the
   * entry is in the first half of its life. A hit with another token of the same binding records
   * that token's digest and expiry in the entry (for a fast path that compares tokens).
   */
  Optional<DockerAuth> get(CacheBinding key, CacheBinding.Caller caller) {
    String host = key.registryHost().orElseThrow();
    String roleArn = key.scope().roleArn();
    Instant now = clock.instant();
    if (!caller.usableAt(now)) {
      LOG.debug("Credential cache not used for {}: the token is expired or not yet valid", host);
      return Optional.empty();
    }
    Path file = fileFor(host, roleArn);
    Optional<Entry> entry = readEntry(file);
    if (entry.isEmpty()) {
      LOG.debug("Credential cache miss for {} (role {})", host, roleArn);
      return Optional.empty();
    }
    Entry e = entry.get();
    if (!e.binding.equals(key.hex()) || !e.auth.registryHost().equals(host)
        || !e.roleArn.equals(roleArn)) {
      LOG.debug("Credential cache entry for {} (role {}) is bound to another caller or endpoint:"
          + " miss", host, roleArn);
      return Optional.empty();
    }
    Instant expiresAt = e.auth.expiresAt().orElseThrow();
    Instant refreshAt = halfLife(e.storedAt, expiresAt);
    if (now.isBefore(e.storedAt.minus(MAX_CLOCK_SKEW)) || !now.isBefore(refreshAt)
        || !now.isBefore(expiresAt)) {
      LOG.debug("Credential cache entry for {} (role {}) is past half its life ({}): miss",
          host, roleArn, refreshAt);
      return Optional.empty();
    }
    LOG.debug("Credential cache hit for {} (role {}, sub {}), valid until {}, served until {}",
        host, roleArn, key.identity().subject(), expiresAt, refreshAt);
    if (!e.tokenSha256.equals(caller.tokenSha256())) {
      try {
        write(key, caller, e.auth, e.storedAt);
      } catch (CredentialCacheException ex) {
        LOG.debug("Could not record the new token in the cache entry: {}", ex.getMessage());
      }
    }
    return Optional.of(e.auth);
  }

  /**
   * Returns the instant until which the entry for {@code registryHost} and {@code roleArn} is
   * served (half its life, at most its expiry), if it is served now and was last served to the
   * token whose hex SHA-256 is {@code tokenSha256}: what the credential helper's shell fast path
   * may promise for that token (see {@code FastEntries}). Reads the entry's file; never calls AWS.
   *
   * @param registryHost the ECR registry host, such as
   *     {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com}
   * @param roleArn the ARN of the role the entry's credentials were issued to
   * @param tokenSha256 the lower-case hex SHA-256 of the web identity token asking
   * @return when the entry stops being served, or empty when there is no such entry, it is
   *     bound to another token, or it is not served now (past half its life, expired, or stored
   *     in the future beyond the allowed clock skew)
   */
  public Optional<Instant> servedUntil(String registryHost, String roleArn, String tokenSha256) {
    Optional<Entry> entry = readEntry(fileFor(registryHost, roleArn));
    if (entry.isEmpty() || !entry.get().auth.registryHost().equals(registryHost)
        || !entry.get().roleArn.equals(roleArn) || !entry.get().tokenSha256.equals(tokenSha256)) {
      return Optional.empty();
    }
    Entry e = entry.get();
    Instant now = clock.instant();
    Instant expiresAt = e.auth.expiresAt().orElseThrow();
    Instant refreshAt = halfLife(e.storedAt, expiresAt);
    if (now.isBefore(e.storedAt.minus(MAX_CLOCK_SKEW)) || !now.isBefore(refreshAt)
        || !now.isBefore(expiresAt)) {
      return Optional.empty();
    }
    return Optional.of(refreshAt.isBefore(expiresAt) ? refreshAt : expiresAt);
  }

  /**
   * Stores {@code auth} bound to {@code key} and {@code caller}'s token, stamped with the clock's
   * current instant. Credentials without an expiry or already expired are not stored, nor are
   * credentials for a token that is not usable now.
   *
   * @return true if the entry was written
   * @throws CredentialCacheException if the folder or file cannot be written
   */
  boolean put(CacheBinding key, CacheBinding.Caller caller, DockerAuth auth) {
    Instant now = clock.instant();
    if (auth.expiresAt().isEmpty() || !now.isBefore(auth.expiresAt().get())
        || !caller.usableAt(now) || !auth.registryHost().equals(key.registryHost().orElse(""))) {
      LOG.debug("Not caching credentials for {}: no expiry, expired, or an unusable token",
          auth.registryHost());
      return false;
    }
    write(key, caller, auth, now);
    LOG.debug("Cached credentials for {} (role {}, sub {}) until {}", auth.registryHost(),
        key.scope().roleArn(), key.identity().subject(), auth.expiresAt().get());
    return true;
  }

  private void write(CacheBinding key, CacheBinding.Caller caller, DockerAuth auth,
      Instant storedAt) {
    Instant expiresAt = auth.expiresAt().orElseThrow();
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("format", FORMAT);
    node.put("binding", key.hex());
    node.put("registryHost", auth.registryHost());
    node.put("roleArn", key.scope().roleArn());
    node.put("issuer", key.identity().issuer());
    node.put("subject", key.identity().subject());
    var aud = node.putArray("audiences");
    key.identity().audiences().forEach(aud::add);
    node.put("stsEndpoint", key.scope().stsEndpoint());
    node.put("ecrEndpoint", key.ecrEndpoint().orElseThrow());
    node.put("tokenSha256", caller.tokenSha256());
    node.put("tokenExpiresEpoch", caller.expiresAt().getEpochSecond());
    node.put("refreshAtEpoch", halfLife(storedAt, expiresAt).getEpochSecond());
    node.put("username", auth.username());
    node.put("password", auth.password());
    node.put("expiresAt", expiresAt.toString());
    node.put("storedAt", storedAt.toString());
    Path file = fileFor(auth.registryHost(), key.scope().roleArn());
    try {
      AtomicFiles.createPrivateDirectories(directory);
      AtomicFiles.write(
          file, Json.MAPPER.writeValueAsBytes(node), AtomicFiles.OWNER_READ_WRITE);
      if (AtomicFiles.posix()) {
        // An entry left by an older, laxer writer keeps its mode on rewrite: tighten it.
        Files.setPosixFilePermissions(file, AtomicFiles.OWNER_READ_WRITE);
      }
    } catch (IOException e) {
      throw new CredentialCacheException(
          "Cannot write the credential cache in "
              + directory
              + " ("
              + e.getClass().getSimpleName()
              + "): check the folder's permissions, or point OIDC_ECR_CACHE_DIR elsewhere",
          e);
    }
  }

  /**
   * Removes the entry for {@code registryHost} and {@code roleArn}, if there is one.
   *
   * @param registryHost the registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
   * @param roleArn the IAM role ARN
   */
  public void invalidate(String registryHost, String roleArn) {
    try {
      Files.deleteIfExists(fileFor(registryHost, roleArn));
    } catch (IOException e) {
      throw new CredentialCacheException(
          "Cannot remove a credential cache entry in " + directory + ": check its permissions", e);
    }
  }

  /**
   * Removes every entry; returns how many were removed.
   *
   * @return how many entries were removed
   */
  public int clear() {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
      for (Path f : files) {
        if (Files.deleteIfExists(f)) {
          removed++;
        }
      }
    } catch (IOException e) {
      throw new CredentialCacheException(
          "Cannot clear the credential cache in " + directory + ": check its permissions", e);
    }
    return removed;
  }

  private static Instant halfLife(Instant storedAt, Instant expiresAt) {
    Duration life = Duration.between(storedAt, expiresAt);
    return life.isNegative() ? storedAt : storedAt.plus(life.dividedBy(2));
  }

  /** The entry's file: the first 40 hex digits of SHA-256 of {@code <host>\n<role ARN>}. */
  Path fileFor(String registryHost, String roleArn) {
    return directory.resolve(
        CacheBinding.sha256Hex(registryHost + "\n" + roleArn).substring(0, 40) + ".json");
  }

  private static final class Entry {
    final DockerAuth auth;
    final String roleArn;
    final String binding;
    final String tokenSha256;
    final Instant storedAt;

    Entry(DockerAuth auth, String roleArn, String binding, String tokenSha256, Instant storedAt) {
      this.auth = auth;
      this.roleArn = roleArn;
      this.binding = binding;
      this.tokenSha256 = tokenSha256;
      this.storedAt = storedAt;
    }
  }

  private Optional<Entry> readEntry(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (AtomicFiles.posix()) {
        Set<PosixFilePermission> mode =
            Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!AtomicFiles.OWNER_READ_WRITE.containsAll(mode)) {
          LOG.debug("Credential cache entry {} is readable by others: ignored", file.getFileName());
          return Optional.empty();
        }
      }
      JsonNode node = Json.MAPPER.readTree(Files.readAllBytes(file));
      if (node == null || node.path("format").asInt() != FORMAT) {
        // Format 1 entries were bound to no caller: never served.
        return Optional.empty();
      }
      DockerAuth auth =
          DockerAuth.builder()
              .registryHost(text(node, "registryHost"))
              .username(text(node, "username"))
              .password(text(node, "password"))
              .expiresAt(Instant.parse(text(node, "expiresAt")))
              .build();
      return Optional.of(new Entry(auth, text(node, "roleArn"), text(node, "binding"),
          text(node, "tokenSha256"), Instant.parse(text(node, "storedAt"))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | DateTimeParseException | IllegalArgumentException
        | IllegalStateException e) {
      // Never the parser's message: it may quote the file, which holds a secret.
      LOG.debug(
          "Credential cache entry {} is unreadable ({}): ignored",
          file.getFileName(),
          e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v.textValue();
  }

  @Override
  public String toString() {
    return "CredentialCache{" + directory + "}";
  }
}
