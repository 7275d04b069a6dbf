package dev.oidcecr.testing.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the fake AWS remembers: providers, roles, repositories, sessions and ECR passwords.
 * Mutations of IAM and ECR entities synchronise on this object; sessions and passwords live in
 * concurrent maps because STS and the registry are the hot paths.
 */
public final class State {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] SECRET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  final Map<String, Provider> providers = new LinkedHashMap<>();
  final Map<String, Role> roles = new LinkedHashMap<>();
  final Map<String, Repository> repositories = new LinkedHashMap<>();
  final Map<String, Session> sessions = new ConcurrentHashMap<>();
  final Map<String, EcrGrant> ecrPasswords = new ConcurrentHashMap<>();
  final BlobStore blobs = new BlobStore();

  /** Forgets every entity, session and password. */
  public synchronized void clear() {
    providers.clear();
    roles.clear();
    repositories.clear();
    sessions.clear();
    ecrPasswords.clear();
    blobs.clear();
  }

  // One nextBytes call per value: SecureRandom is synchronized and costly per call, and both
  // alphabets have a power-of-two size, so masking keeps the distribution uniform.
  static String randomId(String prefix, int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
    for (byte b : bytes) {
      sb.append(UPPER[b & 31]);
    }
    return sb.toString();
  }

  static String randomSecret(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    StringBuilder sb = new StringBuilder(length);
    for (byte b : bytes) {
      sb.append(SECRET[b & 63]);
    }
    return sb.toString();
  }

  static final class Provider {
    final String url;
    final String arn;
    final List<String> clientIds = new ArrayList<>();
    final List<String> thumbprints = new ArrayList<>();
    final Instant created;
    final Map<String, String> tags = new LinkedHashMap<>();

    Provider(String url, String arn, Instant created) {
      this.url = url;
      this.arn = arn;
      this.created = created;
    }
  }

  static final class Role {
    final String name;
    final String path;
    final String id;
    final String arn;
    final Instant created;
    volatile String trustPolicy;
    volatile int maxSessionDuration;
    volatile String description;
    final Map<String, String> tags = new LinkedHashMap<>();
    final Map<String, String> inlinePolicies = new LinkedHashMap<>();

    Role(String name, String path, String id, String arn, Instant created) {
      this.name = name;
      this.path = path;
      this.id = id;
      this.arn = arn;
      this.created = created;
    }

    synchronized List<String> policies() {
      return new ArrayList<>(inlinePolicies.values());
    }
  }

  static final class Repository {
    final String name;
    final String arn;
    final String registryId;
    final String uri;
    final Instant created;
    volatile String policy;
    volatile String tagMutability = "MUTABLE";
    /** Images by manifest digest; guarded by this repository, as are tags and layers. */
    final Map<String, Image> images = new LinkedHashMap<>();
    /** Tag to manifest digest. */
    final Map<String, String> tags = new java.util.TreeMap<>();
    /** Digests of the blobs (layers and configs) pushed to or mounted in this repository. */
    final java.util.Set<String> layers = new java.util.HashSet<>();

    Repository(String name, String arn, String registryId, String uri, Instant created) {
      this.name = name;
      this.arn = arn;
      this.registryId = registryId;
      this.uri = uri;
      this.created = created;
    }

    /** Finds an image by tag or by digest. */
    synchronized Optional<Image> image(String reference) {
      if (reference.startsWith("sha256:")) {
        return Optional.ofNullable(images.get(reference));
      }
      String digest = tags.get(reference);
      return digest == null ? Optional.empty() : Optional.ofNullable(images.get(digest));
    }

    /** Returns the tags that point at a digest, sorted. */
    synchronized List<String> tagsOf(String digest) {
      List<String> out = new ArrayList<>();
      tags.forEach((t, d) -> {
        if (d.equals(digest)) {
          out.add(t);
        }
      });
      return out;
    }

    synchronized boolean hasLayer(String digest) {
      return layers.contains(digest);
    }

    synchronized boolean isEmpty() {
      return images.isEmpty();
    }
  }

  /**
   * A stored manifest.
   *
   * @param manifest the exact bytes pushed, whose SHA-256 is the digest
   * @param size the sum of the config and layer sizes the manifest declares
   * @param artifactMediaType the config's media type, empty for an index
   */
  record Image(String digest, byte[] manifest, String mediaType, Instant pushedAt, long size,
      String artifactMediaType) {
    String manifestText() {
      return new String(manifest, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** A session STS issued; the secret and token are compared, never printed. */
  record Session(String accessKeyId, String secretAccessKey, String sessionToken, String roleArn,
      String roleName, String roleId, String sessionName, String assumedRoleArn,
      Instant expiration) {
    @Override
    public String toString() {
      return "Session[" + accessKeyId + " " + assumedRoleArn + " until " + expiration + "]";
    }
  }

  /** Who an ECR password was issued to, for which registry, and until when. */
  record EcrGrant(Caller caller, Instant expiresAt, String registryId) {}
}
