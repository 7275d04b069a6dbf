package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Storing and deleting image manifests, shared by the registry ({@code PUT /v2/.../manifests})
 * and ECR's {@code PutImage}. Errors carry ECR's codes; the registry maps them to its own.
 */
final class Images {
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final Set<String> INDEXES = Set.of(DOCKER_LIST, OCI_INDEX);
  static final Set<String> MANIFESTS = Set.of(DOCKER_MANIFEST, OCI_MANIFEST);
  private static final java.util.regex.Pattern TAG =
      java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /** The outcome of a put: the image, and whether anything changed. */
  record Put(State.Image image, boolean changed) {}

  private Images() {}

  /**
   * Validates and stores a manifest.
   *
   * @param mediaTypeHint the Content-Type or {@code imageManifestMediaType} given, or null
   * @param tag the tag to point at the manifest, or null
   * @param expectedDigest the digest the client says the manifest has, or null
   * @param checkReferences false only when seeding a bare manifest
   */
  static Put put(State.Repository repo, BlobStore blobs, byte[] manifest, String mediaTypeHint,
      String tag, String expectedDigest, Instant now, boolean checkReferences) {
    JsonNode m;
    try {
      m = Json.MAPPER.readTree(manifest);
    } catch (java.io.IOException e) {
      throw invalid("the manifest is not valid JSON");
    }
    if (m == null || !m.isObject()) {
      throw invalid("the manifest is not a JSON object");
    }
    String declared = m.path("mediaType").asText("");
    String hint = mediaTypeHint == null ? "" : mediaTypeHint.split(";")[0].strip();
    String mediaType;
    if (!declared.isEmpty()) {
      if (!hint.isEmpty() && !hint.equals(declared) && !hint.equals("application/json")) {
        throw invalid("the manifest's mediaType '" + declared + "' differs from the media type "
            + "given with it, '" + hint + "'");
      }
      mediaType = declared;
    } else if (!hint.isEmpty() && !hint.equals("application/json")) {
      mediaType = hint;
    } else {
      mediaType = m.has("manifests") ? OCI_INDEX : OCI_MANIFEST;
    }
    if (!INDEXES.contains(mediaType) && !MANIFESTS.contains(mediaType)) {
      throw invalid("media type '" + mediaType + "' is not one the fake stores: use "
          + String.join(", ", List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST)));
    }
    if (checkReferences && m.path("schemaVersion").asInt(0) != 2) {
      throw invalid("schemaVersion must be 2");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw invalid("tag '" + tag + "' is not valid: use up to 128 letters, digits, '_', '.'"
          + " and '-', not starting with '.' or '-'");
    }
    String digest = BlobStore.digest(manifest);
    if (expectedDigest != null && !expectedDigest.equals(digest)) {
      throw new AwsError("ImageDigestDoesNotMatchException", 400, "The specified image digest "
          + expectedDigest + " does not match the digest of the manifest, " + digest + ".");
    }
    long size = 0;
    String artifactType = "";
    synchronized (repo) {
      if (INDEXES.contains(mediaType)) {
        List<String> missing = new ArrayList<>();
        for (JsonNode child : m.path("manifests")) {
          String d = child.path("digest").asText("");
          if (checkReferences && !repo.images.containsKey(d)) {
            missing.add(d);
          }
          size += child.path("size").asLong(0);
        }
        if (!missing.isEmpty()) {
          throw new AwsError("ReferencedImagesNotFoundException", 400, "The manifest list "
              + "references images that are not in repository '" + repo.name + "': "
              + String.join(", ", missing) + ". Push them before the index.");
        }
      } else {
        List<String> missing = new ArrayList<>();
        List<JsonNode> refs = new ArrayList<>();
        if (m.has("config")) {
          refs.add(m.get("config"));
          artifactType = m.get("config").path("mediaType").asText("");
        }
        m.path("layers").forEach(refs::add);
        for (JsonNode ref : refs) {
          String d = ref.path("digest").asText("");
          size += ref.path("size").asLong(0);
          // Foreign layers (with urls) live elsewhere, as the distribution spec allows.
          if (checkReferences && !ref.has("urls")
              && !(repo.layers.contains(d) && blobs.has(d))) {
            missing.add(d);
          }
        }
        if (!missing.isEmpty()) {
          throw new AwsError("LayersNotFoundException", 400, "The image manifest references "
              + "blobs that are not in repository '" + repo.name + "': "
              + String.join(", ", missing) + ". Upload them before the manifest.");
        }
      }
      State.Image existing = repo.images.get(digest);
      if (tag != null && "IMMUTABLE".equals(repo.tagMutability)) {
        String current = repo.tags.get(tag);
        if (current != null && !current.equals(digest)) {
          throw new AwsError("ImageTagAlreadyExistsException", 400, "The image tag '" + tag
              + "' already exists in the '" + repo.name + "' repository and cannot be "
              + "overwritten because the repository is immutable.");
        }
      }
      boolean changed = existing == null || (tag != null && !digest.equals(repo.tags.get(tag)));
      State.Image image = existing != null ? existing
          : new State.Image(digest, manifest.clone(), mediaType, now, size, artifactType);
      repo.images.put(digest, image);
      if (tag != null) {
        repo.tags.put(tag, digest);
      }
      return new Put(image, changed);
    }
  }

  /** Deletes an image and every tag on it; empty when it was not there. */
  static Optional<State.Image> deleteDigest(State.Repository repo, String digest) {
    synchronized (repo) {
      State.Image image = repo.images.remove(digest);
      if (image != null) {
        repo.tags.values().removeIf(digest::equals);
      }
      return Optional.ofNullable(image);
    }
  }

  /**
   * Removes a tag; the image goes with its last tag, as ECR's {@code BatchDeleteImage} does.
   *
   * @return the digest the tag pointed at, empty when there was no such tag
   */
  static Optional<String> deleteTag(State.Repository repo, String tag) {
    synchronized (repo) {
      String digest = repo.tags.remove(tag);
      if (digest != null && !repo.tags.containsValue(digest)) {
        repo.images.remove(digest);
      }
      return Optional.ofNullable(digest);
    }
  }

  static AwsError invalid(String why) {
    return new AwsError("InvalidParameterException", 400, "Invalid parameter at "
        + "'imageManifest': " + why + ".");
  }
}
