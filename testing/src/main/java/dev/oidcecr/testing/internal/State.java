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
  /** Customer managed policies by ARN. */
  final Map<String, ManagedPolicy> managedPolicies = new LinkedHashMap<>();
  final Map<String, Session> sessions = new ConcurrentHashMap<>();
  final Map<String, EcrGrant> ecrPasswords = new ConcurrentHashMap<>();
  final BlobStore blobs = new BlobStore();

  /** Forgets every entity, session and password. */
  public synchronized void clear() {
    providers.clear();
    roles.clear();
    managedPolicies.clear();
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
    /** Attached managed policies (customer or AWS managed), in attachment order. */
    final List<ManagedPolicy> attached = new ArrayList<>();

    Role(String name, String path, String id, String arn, Instant created) {
      this.name = name;
      this.path = path;
      this.id = id;
      this.arn = arn;
      this.created = created;
    }

    /** The identity policies IAM evaluates: inline ones, then attached default versions. */
    synchronized List<String> policies() {
      List<String> out = new ArrayList<>(inlinePolicies.values());
      for (ManagedPolicy p : attached) {
        out.add(p.defaultDocument());
      }
      return out;
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
   * A managed policy: customer managed (stored per account) or AWS managed (shared, read-only).
   * Versions are guarded by this object.
   */
  static final class ManagedPolicy {
    final String name;
    final String path;
    final String id;
    final String arn;
    final Instant created;
    final boolean awsManaged;
    final String description;
    final Map<String, String> tags = new LinkedHashMap<>();
    final java.util.TreeMap<Integer, PolicyVersion> versions = new java.util.TreeMap<>();
    Instant updated;
    int defaultVersion;
    int nextVersion = 1;

    ManagedPolicy(String name, String path, String id, String arn, Instant created,
        boolean awsManaged, String description) {
      this.name = name;
      this.path = path;
      this.id = id;
      this.arn = arn;
      this.created = created;
      this.updated = created;
      this.awsManaged = awsManaged;
      this.description = description;
    }

    synchronized String defaultDocument() {
      return versions.get(defaultVersion).document();
    }

    synchronized String defaultVersionId() {
      return "v" + defaultVersion;
    }
  }

  /** One version of a managed policy. */
  record PolicyVersion(int number, String document, Instant created) {
    String id() {
      return "v" + number;
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
      Instant expiration, SessionExtras extras) {
    Session(String accessKeyId, String secretAccessKey, String sessionToken, String roleArn,
        String roleName, String roleId, String sessionName, String assumedRoleArn,
        Instant expiration) {
      this(accessKeyId, secretAccessKey, sessionToken, roleArn, roleName, roleId, sessionName,
          assumedRoleArn, expiration, SessionExtras.NONE);
    }

    @Override
    public String toString() {
      return "Session[" + accessKeyId + " " + assumedRoleArn + " until " + expiration + "]";
    }
  }

  /**
   * What a session carries besides its role: session tags (principal tags), which of them are
   * transitive, the source identity, the session policies that narrow the role's permissions,
   * and whether it came from role chaining.
   */
  record SessionExtras(Map<String, String> tags, java.util.Set<String> transitiveTagKeys,
      String sourceIdentity, List<String> sessionPolicies, boolean chained) {
    static final SessionExtras NONE =
        new SessionExtras(Map.of(), java.util.Set.of(), null, List.of(), false);
  }

  /** Who an ECR password was issued to, for which registry, and until when. */
  record EcrGrant(Caller caller, Instant expiresAt, String registryId) {}
}
