package dev.oidcecr.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.AtomicFiles;
import dev.oidcecr.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An on-disk cache of registry credentials between short-lived processes, such as successive
 * calls of a Docker credential helper.
 *
 * <p>Entries are keyed by registry host and role ARN. An entry is served only during the first
 * half of its life (between when it was stored and when it expires), so a cached ECR token always
 * has hours left, and an expired one is never returned. The folder is created mode 0700 and each
 * entry is a file of mode 0600 written atomically; the secrets live only in those files, never in
 * names, logs or messages. A damaged or foreign entry is a cache miss.
 */
public final class CredentialCache {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialCache.class);
  /** Entries claiming to be stored further in the future than this are not trusted. */
  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  private static final int FORMAT = 1;

  private final Path directory;
  private final Clock clock;

  private CredentialCache(Path directory, Clock clock) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns a cache in {@code directory}, timed by {@code clock}. */
  public static CredentialCache at(Path directory, Clock clock) {
    return new CredentialCache(directory, clock);
  }

  /** Returns a cache in {@code directory}, timed by the system clock. */
  public static CredentialCache at(Path directory) {
    return at(directory, Clock.systemUTC());
  }

  /**
   * Returns the user's cache: {@code $OIDC_ECR_CACHE_DIR} if set, else {@code
   * $XDG_CACHE_HOME/oidc-ecr}, else {@code <home>/.cache/oidc-ecr}.
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

  /** Returns the cache folder. */
  public Path directory() {
    return directory;
  }

  /**
   * Returns the credentials cached for {@code registryHost} and {@code roleArn}, if an entry exists
   * and is still in the first half of its life.
   */
  public Optional<DockerAuth> get(String registryHost, String roleArn) {
    Path file = fileFor(registryHost, roleArn);
    Optional<Entry> entry = readEntry(file);
    if (entry.isEmpty()) {
      LOG.debug("Credential cache miss for {} (role {})", registryHost, roleArn);
      return Optional.empty();
    }
    Entry e = entry.get();
    if (!e.auth.registryHost().equals(registryHost) || !e.roleArn.equals(roleArn)) {
      LOG.debug("Credential cache entry {} is for another key: ignored", file.getFileName());
      return Optional.empty();
    }
    Instant now = clock.instant();
    Instant expiresAt = e.auth.expiresAt().orElseThrow();
    Instant refreshAt = halfLife(e.storedAt, expiresAt);
    if (now.isBefore(e.storedAt.minus(MAX_CLOCK_SKEW)) || !now.isBefore(refreshAt)
        || !now.isBefore(expiresAt)) {
      LOG.debug(
          "Credential cache entry for {} (role {}) is past half its life ({}): miss",
          registryHost,
          roleArn,
          refreshAt);
      return Optional.empty();
    }
    LOG.debug(
        "Credential cache hit for {} (role {}), valid until {}, served until {}",
        registryHost,
        roleArn,
        expiresAt,
        refreshAt);
    return Optional.of(e.auth);
  }

  /**
   * Returns the instant until which {@link #get} serves the entry for {@code registryHost} and
   * {@code roleArn} (half its life), if it serves it now.
   */
  public Optional<Instant> servedUntil(String registryHost, String roleArn) {
    Optional<Entry> entry = readEntry(fileFor(registryHost, roleArn));
    if (entry.isEmpty() || !entry.get().auth.registryHost().equals(registryHost)
        || !entry.get().roleArn.equals(roleArn)) {
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
   * Stores {@code auth} for its registry host and {@code roleArn}, stamped with the clock's
   * current instant. Credentials without an expiry or already expired are not stored.
   *
   * @return true if the entry was written
   * @throws CredentialCacheException if the folder or file cannot be written
   */
  public boolean put(String roleArn, DockerAuth auth) {
    Objects.requireNonNull(roleArn, "roleArn");
    Instant now = clock.instant();
    if (auth.expiresAt().isEmpty() || !now.isBefore(auth.expiresAt().get())) {
      LOG.debug("Not caching credentials for {}: no expiry or already expired", auth.registryHost());
      return false;
    }
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("format", FORMAT);
    node.put("registryHost", auth.registryHost());
    node.put("roleArn", roleArn);
    node.put("username", auth.username());
    node.put("password", auth.password());
    node.put("expiresAt", auth.expiresAt().get().toString());
    node.put("storedAt", now.toString());
    Path file = fileFor(auth.registryHost(), roleArn);
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
    LOG.debug(
        "Cached credentials for {} (role {}) until {}",
        auth.registryHost(),
        roleArn,
        auth.expiresAt().get());
    return true;
  }

  /** Removes the entry for {@code registryHost} and {@code roleArn}, if there is one. */
  public void invalidate(String registryHost, String roleArn) {
    try {
      Files.deleteIfExists(fileFor(registryHost, roleArn));
    } catch (IOException e) {
      throw new CredentialCacheException(
          "Cannot remove a credential cache entry in " + directory + ": check its permissions", e);
    }
  }

  /** Removes every entry; returns how many were removed. */
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

  /**
   * Returns {@code source} behind this cache: cached credentials are returned while fresh, and new
   * ones from {@code source} are stored. A cache that cannot be written is logged, not fatal.
   */
  public Function<EcrRegistry, Optional<DockerAuth>> cached(
      String roleArn, Function<EcrRegistry, Optional<DockerAuth>> source) {
    Objects.requireNonNull(roleArn, "roleArn");
    Objects.requireNonNull(source, "source");
    return registry -> {
      Optional<DockerAuth> hit = get(registry.host(), roleArn);
      if (hit.isPresent()) {
        return hit;
      }
      Optional<DockerAuth> fresh = source.apply(registry);
      fresh.ifPresent(
          auth -> {
            // Keyed by the host asked for, so the next lookup finds it whatever host the source
            // wrote into the credentials.
            DockerAuth keyed =
                auth.registryHost().equals(registry.host())
                    ? auth
                    : DockerAuth.builder().from(auth).registryHost(registry.host()).build();
            try {
              put(roleArn, keyed);
            } catch (CredentialCacheException e) {
              LOG.warn("{}", e.getMessage());
            }
          });
      return fresh;
    };
  }

  private static Instant halfLife(Instant storedAt, Instant expiresAt) {
    Duration life = Duration.between(storedAt, expiresAt);
    return life.isNegative() ? storedAt : storedAt.plus(life.dividedBy(2));
  }

  private Path fileFor(String registryHost, String roleArn) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((registryHost + "\n" + roleArn).getBytes(StandardCharsets.UTF_8));
      return directory.resolve(HexFormat.of().formatHex(digest, 0, 20) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static final class Entry {
    final DockerAuth auth;
    final String roleArn;
    final Instant storedAt;

    Entry(DockerAuth auth, String roleArn, Instant storedAt) {
      this.auth = auth;
      this.roleArn = roleArn;
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
        return Optional.empty();
      }
      DockerAuth auth =
          DockerAuth.builder()
              .registryHost(text(node, "registryHost"))
              .username(text(node, "username"))
              .password(text(node, "password"))
              .expiresAt(Instant.parse(text(node, "expiresAt")))
              .build();
      return Optional.of(
          new Entry(auth, text(node, "roleArn"), Instant.parse(text(node, "storedAt"))));
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
