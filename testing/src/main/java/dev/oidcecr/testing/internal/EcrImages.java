package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ECR's image and layer operations (JSON 1.1), on the same store the registry API uses: what
 * Jib or skopeo pushed, {@code DescribeImages} lists, and what {@code PutImage} stores, a registry
 * client pulls. Shapes follow the service model of the AWS SDK for Java v2 (2.57.x).
 */
final class EcrImages {
  private static final int PART_SIZE = 10 * 1024 * 1024;

  private final Engine engine;
  private final Ecr ecr;

  EcrImages(Engine engine, Ecr ecr) {
    this.engine = engine;
    this.ecr = ecr;
  }

  private State.Repository repo(Caller caller, JsonNode in, String op, String action) {
    State.Repository repo = ecr.lookup(ecr.name(in));
    ecr.check(caller, op, action, repo.arn, Optional.ofNullable(repo.policy));
    return repo;
  }

  private ObjectNode out(State.Repository repo) {
    return Json.MAPPER.createObjectNode().put("registryId", repo.registryId)
        .put("repositoryName", repo.name);
  }

  ObjectNode putImage(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "PutImage", "ecr:PutImage");
    String manifest = in.path("imageManifest").asText("");
    if (manifest.isEmpty()) {
      throw new AwsError("InvalidParameterException", 400,
          "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must "
              + "have length greater than or equal to 1'");
    }
    String tag = in.path("imageTag").asText(null);
    String digest = in.path("imageDigest").asText(null);
    Images.Put put = Images.put(repo, engine.state.blobs, manifest.getBytes(StandardCharsets.UTF_8),
        in.path("imageManifestMediaType").asText(null), tag, digest,
        engine.config.clock().instant(), true);
    if (!put.changed()) {
      throw new AwsError("ImageAlreadyExistsException", 400, "Image with digest '"
          + put.image().digest() + "'" + (tag == null ? "" : " and tag '" + tag + "'")
          + " already exists in the repository with name '" + repo.name + "' in registry with "
          + "id '" + repo.registryId + "'");
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    ObjectNode image = out.putObject("image");
    image.setAll(out(repo));
    ObjectNode id = image.putObject("imageId").put("imageDigest", put.image().digest());
    if (tag != null) {
      id.put("imageTag", tag);
    }
    image.put("imageManifest", put.image().manifestText())
        .put("imageManifestMediaType", put.image().mediaType());
    return out;
  }

  ObjectNode batchDeleteImage(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "BatchDeleteImage", "ecr:BatchDeleteImage");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode deleted = out.putArray("imageIds");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode id : in.path("imageIds")) {
      String tag = id.path("imageTag").asText(null);
      String digest = id.path("imageDigest").asText(null);
      if (tag == null && digest == null) {
        failure(failures, id, "MissingDigestAndTag",
            "Invalid request parameters: both tag and digest cannot be null");
        continue;
      }
      if (digest != null && !BlobStore.DIGEST.matcher(digest).matches()) {
        failure(failures, id, "InvalidImageDigest", "Invalid request parameters: image digest "
            + "should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
        continue;
      }
      if (tag != null) {
        Optional<State.Image> current = repo.image(tag);
        if (current.isEmpty() || (digest != null && !current.get().digest().equals(digest))) {
          failure(failures, id, current.isEmpty() ? "ImageNotFound" : "ImageTagDoesNotMatchDigest",
              "Requested image not found");
          continue;
        }
        String d = Images.deleteTag(repo, tag).orElseThrow();
        deleted.addObject().put("imageDigest", d).put("imageTag", tag);
      } else {
        List<String> tags = repo.tagsOf(digest);
        if (Images.deleteDigest(repo, digest).isEmpty()) {
          failure(failures, id, "ImageNotFound", "Requested image not found");
          continue;
        }
        if (tags.isEmpty()) {
          deleted.addObject().put("imageDigest", digest);
        }
        tags.forEach(t -> deleted.addObject().put("imageDigest", digest).put("imageTag", t));
      }
    }
    return out;
  }

  private static void failure(ArrayNode failures, JsonNode id, String code, String reason) {
    ObjectNode f = failures.addObject();
    f.set("imageId", id);
    f.put("failureCode", code).put("failureReason", reason);
  }

  ObjectNode describeImages(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "DescribeImages", "ecr:DescribeImages");
    List<State.Image> found = new ArrayList<>();
    if (in.has("imageIds")) {
      for (JsonNode id : in.get("imageIds")) {
        String ref = id.path("imageTag").asText(id.path("imageDigest").asText(""));
        Optional<State.Image> image = repo.image(ref);
        if (image.isEmpty()) {
          throw new AwsError("ImageNotFoundException", 400, "The image with imageId {"
              + (id.has("imageDigest") ? "imageDigest:'" + id.get("imageDigest").asText()
                  + "', " : "")
              + "imageTag:'" + id.path("imageTag").asText("null") + "'} does not exist within "
              + "the repository with name '" + repo.name + "' in the registry with id '"
              + repo.registryId + "'");
        }
        if (!found.contains(image.get())) {
          found.add(image.get());
        }
      }
    } else {
      synchronized (repo) {
        found.addAll(repo.images.values());
      }
    }
    String tagStatus = in.path("filter").path("tagStatus").asText("ANY");
    found.removeIf(i -> !matches(tagStatus, repo.tagsOf(i.digest()).isEmpty()));
    Page page = page(found.size(), in);
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode details = out.putArray("imageDetails");
    for (State.Image i : found.subList(page.from(), page.to())) {
      ObjectNode d = details.addObject();
      d.setAll(out(repo));
      d.put("imageDigest", i.digest());
      List<String> tags = repo.tagsOf(i.digest());
      if (!tags.isEmpty()) {
        ArrayNode t = d.putArray("imageTags");
        tags.forEach(t::add);
      }
      d.put("imageSizeInBytes", i.size())
          .put("imagePushedAt", seconds(i.pushedAt()))
          .put("imageManifestMediaType", i.mediaType());
      if (!i.artifactMediaType().isEmpty()) {
        d.put("artifactMediaType", i.artifactMediaType());
      }
    }
    page.next().ifPresent(n -> out.put("nextToken", n));
    return out;
  }

  ObjectNode listImages(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "ListImages", "ecr:ListImages");
    String tagStatus = in.path("filter").path("tagStatus").asText("ANY");
    List<ObjectNode> ids = new ArrayList<>();
    synchronized (repo) {
      for (State.Image i : repo.images.values()) {
        List<String> tags = repo.tagsOf(i.digest());
        if (!matches(tagStatus, tags.isEmpty())) {
          continue;
        }
        if (tags.isEmpty()) {
          ids.add(Json.MAPPER.createObjectNode().put("imageDigest", i.digest()));
        }
        for (String t : tags) {
          ids.add(Json.MAPPER.createObjectNode().put("imageDigest", i.digest())
              .put("imageTag", t));
        }
      }
    }
    Page page = page(ids.size(), in);
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("imageIds");
    ids.subList(page.from(), page.to()).forEach(arr::add);
    page.next().ifPresent(n -> out.put("nextToken", n));
    return out;
  }

  private static boolean matches(String tagStatus, boolean untagged) {
    return switch (tagStatus) {
      case "TAGGED" -> !untagged;
      case "UNTAGGED" -> untagged;
      case "ANY" -> true;
      default -> throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
          + "'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value "
          + "set: [TAGGED, UNTAGGED, ANY]'");
    };
  }

  private record Page(int from, int to, Optional<String> next) {}

  // The next token is an opaque offset; ECR's is opaque too, so callers cannot tell.
  private static Page page(int size, JsonNode in) {
    int max = in.path("maxResults").asInt(1000);
    if (max < 1 || max > 1000) {
      throw new AwsError("InvalidParameterException", 400, "Invalid parameter at 'maxResults' "
          + "failed to satisfy constraint: 'Member must have value between 1 and 1000'");
    }
    int from = 0;
    if (in.hasNonNull("nextToken")) {
      try {
        from = Integer.parseInt(new String(Base64.getDecoder().decode(
            in.get("nextToken").asText()), StandardCharsets.UTF_8).substring(5));
      } catch (RuntimeException e) {
        throw new AwsError("InvalidParameterException", 400,
            "Invalid parameter at 'nextToken': pass the nextToken of the previous answer");
      }
    }
    from = Math.min(Math.max(from, 0), size);
    int to = (int) Math.min((long) from + max, size);
    Optional<String> next = to < size ? Optional.of(Base64.getEncoder().encodeToString(
        ("fake:" + to).getBytes(StandardCharsets.UTF_8))) : Optional.empty();
    return new Page(from, to, next);
  }

  ObjectNode batchCheckLayerAvailability(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "BatchCheckLayerAvailability",
        "ecr:BatchCheckLayerAvailability");
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode layers = out.putArray("layers");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode n : in.path("layerDigests")) {
      String d = n.asText();
      if (!BlobStore.DIGEST.matcher(d).matches()) {
        failures.addObject().put("layerDigest", d).put("failureCode", "InvalidLayerDigest")
            .put("failureReason", "Invalid layer digest");
        continue;
      }
      Optional<byte[]> blob = repo.hasLayer(d) ? engine.state.blobs.get(d) : Optional.empty();
      if (blob.isEmpty()) {
        failures.addObject().put("layerDigest", d).put("failureCode", "MissingLayerDigest")
            .put("failureReason", "Could not find layer with digest " + d);
        continue;
      }
      layers.addObject().put("layerDigest", d).put("layerAvailability", "AVAILABLE")
          .put("layerSize", blob.get().length);
    }
    return out;
  }

  ObjectNode initiateLayerUpload(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "InitiateLayerUpload", "ecr:InitiateLayerUpload");
    BlobStore.Upload u = engine.state.blobs.start(repo.name, engine.config.clock().instant());
    return Json.MAPPER.createObjectNode().put("uploadId", u.id).put("partSize", PART_SIZE);
  }

  ObjectNode uploadLayerPart(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "UploadLayerPart", "ecr:UploadLayerPart");
    BlobStore.Upload u = upload(repo, in);
    byte[] part;
    try {
      part = in.path("layerPartBlob").binaryValue();
    } catch (java.io.IOException e) {
      part = null;
    }
    if (part == null) {
      throw new AwsError("InvalidParameterException", 400,
          "Invalid parameter at 'layerPartBlob': pass the part's bytes, base64-encoded");
    }
    long first = in.path("partFirstByte").asLong(-1);
    long last = in.path("partLastByte").asLong(-1);
    if (first < 0 || last - first + 1 != part.length) {
      throw new AwsError("InvalidLayerPartException", 400, "The layer part's byte range "
          + first + "-" + last + " does not hold the " + part.length + " bytes sent");
    }
    long size = engine.state.blobs.append(u, first, part);
    if (size < 0) {
      throw new AwsError("InvalidLayerPartException", 400, "The layer part starts at byte "
          + first + " but the upload holds " + u.size() + " bytes: send parts in order");
    }
    return out(repo).put("uploadId", u.id).put("lastByteReceived", size - 1);
  }

  ObjectNode completeLayerUpload(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "CompleteLayerUpload", "ecr:CompleteLayerUpload");
    BlobStore.Upload u = upload(repo, in);
    List<String> digests = new ArrayList<>();
    in.path("layerDigests").forEach(n -> digests.add(n.asText()));
    if (digests.size() != 1 || !BlobStore.DIGEST.matcher(digests.get(0)).matches()) {
      throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
          + "'layerDigests': pass one digest, sha256:<64 lowercase hex digits>");
    }
    if (u.size() == 0) {
      throw new AwsError("EmptyUploadException", 400, "The upload " + u.id
          + " holds no bytes: send UploadLayerPart first");
    }
    String digest = digests.get(0);
    byte[] content = engine.state.blobs.finish(u);
    String actual = BlobStore.digest(content);
    if (!actual.equals(digest)) {
      throw new AwsError("InvalidLayerException", 400, "The layer digest calculation performed "
          + "by Amazon ECR upon receipt of the image layer, " + actual
          + ", does not match the digest specified, " + digest);
    }
    boolean existed = repo.hasLayer(digest);
    engine.state.blobs.put(content);
    synchronized (repo) {
      repo.layers.add(digest);
    }
    if (existed) {
      throw new AwsError("LayerAlreadyExistsException", 400, "The image layer " + digest
          + " already exists in the repository with name '" + repo.name + "'");
    }
    return out(repo).put("uploadId", u.id).put("layerDigest", digest);
  }

  private BlobStore.Upload upload(State.Repository repo, JsonNode in) {
    String id = in.path("uploadId").asText("");
    return engine.state.blobs.upload(id).filter(u -> u.repository.equals(repo.name))
        .orElseThrow(() -> new AwsError("UploadNotFoundException", 400, "The upload with id '"
            + id + "' could not be found in the repository with name '" + repo.name + "'"));
  }

  ObjectNode getDownloadUrlForLayer(Caller caller, JsonNode in, HttpCall call) {
    State.Repository repo = repo(caller, in, "GetDownloadUrlForLayer",
        "ecr:GetDownloadUrlForLayer");
    String digest = in.path("layerDigest").asText("");
    if (!BlobStore.DIGEST.matcher(digest).matches()) {
      throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
          + "'layerDigest': pass sha256:<64 lowercase hex digits>");
    }
    if (!repo.hasLayer(digest) || !engine.state.blobs.has(digest)) {
      throw new AwsError("LayersNotFoundException", 400, "The image layer " + digest
          + " does not exist in the repository with name '" + repo.name + "'");
    }
    String host = call.header("host").orElse("localhost");
    return Json.MAPPER.createObjectNode()
        .put("downloadUrl", "http://" + host + engine.downloadPath(digest))
        .put("layerDigest", digest);
  }

  ObjectNode putImageTagMutability(Caller caller, JsonNode in) {
    State.Repository repo = repo(caller, in, "PutImageTagMutability",
        "ecr:PutImageTagMutability");
    String m = in.path("imageTagMutability").asText("");
    if (!m.equals("MUTABLE") && !m.equals("IMMUTABLE")) {
      throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
          + "'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum "
          + "value set: [MUTABLE, IMMUTABLE]'");
    }
    repo.tagMutability = m;
    return out(repo).put("imageTagMutability", m);
  }

  /** The images of a repository for {@code FakeAws.images}: digest, tags and the rest. */
  List<Map.Entry<State.Image, List<String>>> list(String repository) {
    State.Repository repo = ecr.lookup(repository);
    List<Map.Entry<State.Image, List<String>>> out = new ArrayList<>();
    synchronized (repo) {
      for (State.Image i : repo.images.values()) {
        out.add(Map.entry(i, repo.tagsOf(i.digest())));
      }
    }
    return out;
  }

  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }
}
