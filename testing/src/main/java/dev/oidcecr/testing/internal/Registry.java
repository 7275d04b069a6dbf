package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry API (OCI Distribution, Docker Registry HTTP API V2) as ECR serves it: pulls and
 * pushes of manifests and blobs, chunked and monolithic uploads, cross-repository mounts, tag
 * lists and deletes. Basic credentials must be an unexpired ECR password the fake issued for
 * this registry; then each request is authorised as the ECR action it stands for, against the
 * caller's role policies and the repository policy.
 *
 * <p>Facts from the OCI Distribution Specification v1.1 (endpoints end-1 to end-13, error codes)
 * and from ECR's documentation of the IAM actions each registry call needs.
 */
final class Registry {
  static final String DOWNLOAD_PREFIX = "/v2/_fake-layer/";
  private static final Pattern ROUTE = Pattern.compile(
      "/v2/(.+?)/(manifests/([^/]+)|blobs/uploads/?([^/]*)|blobs/([^/]+)|tags/list)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes )?(\\d+)-(\\d+)(?:/.*)?");
  private static final String PULL = "ecr:BatchGetImage";
  private static final String LAYER_PULL = "ecr:GetDownloadUrlForLayer";
  private static final String CHECK = "ecr:BatchCheckLayerAvailability";
  private static final String INITIATE = "ecr:InitiateLayerUpload";
  private static final String PART = "ecr:UploadLayerPart";
  private static final String COMPLETE = "ecr:CompleteLayerUpload";
  private static final String PUT_IMAGE = "ecr:PutImage";

  private final Engine engine;
  /** The account whose registry this is. */
  private final String account;
  /** That account's repositories. */
  private final State repos;

  record Download(String digest, Instant expires) {}

  /** A registry error: status, code and message in the distribution spec's format. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient HttpAnswer answer;

    Refusal(HttpAnswer answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  Registry(Engine engine, String account, State repos) {
    this.engine = engine;
    this.account = account;
    this.repos = repos;
  }

  HttpAnswer handle(HttpCall call) {
    try {
      return route(call);
    } catch (Refusal r) {
      return r.answer;
    } catch (BlobStore.Full e) {
      return error(413, "BLOB_UPLOAD_INVALID", e.getMessage());
    } catch (BlobStore.TooManyUploads e) {
      // The distribution spec's code for a client over a rate or quota.
      return error(429, "TOOMANYREQUESTS", e.getMessage());
    }
  }

  private HttpAnswer route(HttpCall call) {
    String path = call.path();
    String method = call.method();
    if (path.startsWith(DOWNLOAD_PREFIX)) {
      return download(call, path.substring(DOWNLOAD_PREFIX.length()));
    }
    Caller caller = authenticate(call);
    if (path.equals("/v2/") || path.equals("/v2")) {
      return HttpAnswer.of(200, "application/json", "{}")
          .with("Docker-Distribution-API-Version", "registry/2.0");
    }
    Matcher m = ROUTE.matcher(path);
    if (!m.matches()) {
      return error(404, "NOT_FOUND", "The fake registry does not serve " + method + " " + path
          + "; it serves /v2/<name>/manifests/, /blobs/, /blobs/uploads/ and /tags/list.");
    }
    String name = m.group(1);
    Target t = new Target(call, caller, name, lookup(name));
    if (m.group(3) != null) {
      return switch (method) {
        case "GET", "HEAD" -> getManifest(t, m.group(3));
        case "PUT" -> putManifest(t, m.group(3));
        case "DELETE" -> deleteManifest(t, m.group(3));
        default -> unsupported(method, path);
      };
    }
    if (m.group(2).startsWith("blobs/uploads")) {
      String id = m.group(4);
      if (id.isEmpty()) {
        return "POST".equals(method) ? startUpload(t) : unsupported(method, path);
      }
      return switch (method) {
        case "PATCH" -> patchUpload(t, id);
        case "PUT" -> finishUpload(t, id);
        case "GET" -> uploadStatus(t, id);
        case "DELETE" -> cancelUpload(t, id);
        default -> unsupported(method, path);
      };
    }
    if (m.group(5) != null) {
      return switch (method) {
        case "GET", "HEAD" -> getBlob(t, m.group(5));
        default -> unsupported(method, path);
      };
    }
    return "GET".equals(method) ? tags(t) : unsupported(method, path);
  }

  /** The request's caller and repository; the repository may not exist. */
  private record Target(HttpCall call, Caller caller, String name, State.Repository repo) {
    boolean head() {
      return "HEAD".equals(call.method());
    }
  }

  // --- pull ---

  private HttpAnswer getManifest(Target t, String reference) {
    authorize(t, PULL);
    State.Repository repo = existing(t);
    State.Image image = repo.image(reference).orElseThrow(() -> new Refusal(error(404,
        "MANIFEST_UNKNOWN", "Requested image not found: no manifest '" + reference
            + "' in repository '" + t.name() + "'")));
    HttpAnswer a = new HttpAnswer(200, new LinkedHashMap<>(),
        t.head() ? new byte[0] : image.manifest())
        .with("Content-Type", image.mediaType())
        .with("Docker-Content-Digest", image.digest())
        .with("Docker-Distribution-API-Version", "registry/2.0");
    return t.head() ? a.with("Content-Length", String.valueOf(image.manifest().length)) : a;
  }

  private HttpAnswer getBlob(Target t, String digest) {
    if (t.head()) {
      // A push checks for existing layers with HEAD: ECR lets either the pull or the push
      // permission answer it.
      authorizeEither(t, CHECK, LAYER_PULL);
    } else {
      authorize(t, LAYER_PULL);
    }
    State.Repository repo = existing(t);
    checkDigest(digest);
    Optional<byte[]> blob = repo.hasLayer(digest) ? engine.state.blobs.get(digest)
        : Optional.empty();
    if (blob.isEmpty()) {
      return error(404, "BLOB_UNKNOWN", "The blob " + digest + " is not in repository '"
          + t.name() + "'");
    }
    return serve(t.call(), blob.get(), digest);
  }

  private HttpAnswer serve(HttpCall call, byte[] content, String digest) {
    boolean head = "HEAD".equals(call.method());
    Optional<String> range = call.header("range");
    int status = 200;
    int from = 0;
    int to = content.length - 1;
    if (range.isPresent() && !head) {
      Matcher r = RANGE.matcher(range.get().strip());
      boolean ok = r.matches() && !(r.group(1).isEmpty() && r.group(2).isEmpty());
      if (ok) {
        if (r.group(1).isEmpty()) {
          long suffix = Long.parseLong(r.group(2));
          from = (int) Math.max(0, content.length - suffix);
        } else {
          long start = Long.parseLong(r.group(1));
          long end = r.group(2).isEmpty() ? content.length - 1 : Long.parseLong(r.group(2));
          ok = start < content.length && start <= end;
          from = (int) Math.min(start, Integer.MAX_VALUE);
          to = (int) Math.min(end, content.length - 1);
        }
      }
      if (!ok || content.length == 0) {
        return error(416, "BLOB_UNKNOWN", "Range '" + range.get() + "' is not satisfiable for "
            + "a blob of " + content.length + " bytes")
            .with("Content-Range", "bytes */" + content.length);
      }
      status = 206;
    }
    byte[] body = head ? new byte[0]
        : status == 200 ? content : java.util.Arrays.copyOfRange(content, from, to + 1);
    HttpAnswer a = new HttpAnswer(status, new LinkedHashMap<>(), body)
        .with("Content-Type", "application/octet-stream")
        .with("Docker-Content-Digest", digest)
        .with("Accept-Ranges", "bytes")
        .with("Docker-Distribution-API-Version", "registry/2.0");
    if (status == 206) {
      a = a.with("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
    }
    return head ? a.with("Content-Length", String.valueOf(content.length)) : a;
  }

  private HttpAnswer tags(Target t) {
    authorize(t, "ecr:ListImages");
    State.Repository repo = existing(t);
    List<String> all;
    synchronized (repo) {
      all = new ArrayList<>(repo.tags.keySet());
    }
    String last = t.call().queryParam("last").orElse("");
    int n = Integer.MAX_VALUE;
    Optional<String> nText = t.call().queryParam("n");
    if (nText.isPresent()) {
      try {
        n = Integer.parseInt(nText.get());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        return error(400, "PAGINATION_NUMBER_INVALID", "n must be a whole number of tags, not '"
            + nText.get() + "'");
      }
    }
    List<String> page = all.stream().filter(tag -> tag.compareTo(last) > 0).limit(n).toList();
    ObjectNode out = Json.MAPPER.createObjectNode().put("name", t.name());
    ArrayNode arr = out.putArray("tags");
    page.forEach(arr::add);
    HttpAnswer a = HttpAnswer.of(200, "application/json", out.toString())
        .with("Docker-Distribution-API-Version", "registry/2.0");
    boolean more = !page.isEmpty()
        && all.stream().anyMatch(tag -> tag.compareTo(page.get(page.size() - 1)) > 0);
    if (more) {
      a = a.with("Link", "</v2/" + t.name() + "/tags/list?n=" + n + "&last="
          + java.net.URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8)
          + ">; rel=\"next\"");
    }
    return a;
  }

  // --- push ---

  private HttpAnswer startUpload(Target t) {
    authorize(t, INITIATE);
    State.Repository repo = existing(t);
    Optional<String> mount = t.call().queryParam("mount");
    Optional<String> from = t.call().queryParam("from");
    if (mount.isPresent() && from.isPresent() && mounted(t, mount.get(), from.get())) {
      synchronized (repo) {
        repo.layers.add(mount.get());
      }
      return created(t.name(), mount.get());
    }
    Optional<String> digest = t.call().queryParam("digest");
    if (digest.isPresent()) {
      authorize(t, PART);
      authorize(t, COMPLETE);
      checkDigest(digest.get());
      return store(t, repo, t.call().body(), digest.get());
    }
    BlobStore.Upload u = engine.state.blobs.start(uploadKey(t), engine.config.clock().instant());
    return uploadAnswer(202, t.name(), u.id, 0);
  }

  // A mount needs the layer in the source repository and the right to pull it from there; any
  // miss falls back to an upload session, as the spec says.
  private boolean mounted(Target t, String digest, String fromName) {
    State.Repository source = lookup(fromName);
    if (source == null || !source.hasLayer(digest) || !engine.state.blobs.has(digest)) {
      return false;
    }
    return engine.ecrAllowed(t.caller(), LAYER_PULL, arn(fromName),
        Optional.ofNullable(source.policy)).allowed();
  }

  private HttpAnswer patchUpload(Target t, String id) {
    authorize(t, PART);
    existing(t);
    BlobStore.Upload u = upload(t, id);
    long offset = u.size();
    Optional<String> contentRange = t.call().header("content-range");
    if (contentRange.isPresent()) {
      Matcher r = CONTENT_RANGE.matcher(contentRange.get().strip());
      if (!r.matches()) {
        return error(416, "BLOB_UPLOAD_INVALID", "Content-Range '" + contentRange.get()
            + "' is not '<start>-<end>'").with("Range", range(u.size()));
      }
      offset = Long.parseLong(r.group(1));
    }
    long size = engine.state.blobs.append(u, offset, t.call().body());
    if (size < 0) {
      return error(416, "BLOB_UPLOAD_INVALID", "The chunk starts at " + offset
          + " but the upload holds " + u.size() + " bytes: send chunks in order")
          .with("Range", range(u.size()));
    }
    return uploadAnswer(202, t.name(), id, size);
  }

  private HttpAnswer finishUpload(Target t, String id) {
    authorize(t, COMPLETE);
    State.Repository repo = existing(t);
    BlobStore.Upload u = upload(t, id);
    String digest = t.call().queryParam("digest").orElseThrow(() -> new Refusal(error(400,
        "DIGEST_INVALID", "PUT of an upload needs ?digest=sha256:<hex> of the whole blob")));
    if (t.call().body().length > 0) {
      authorize(t, PART);
      engine.state.blobs.append(u, u.size(), t.call().body());
    }
    checkDigest(digest);
    byte[] content = engine.state.blobs.finish(u);
    return store(t, repo, content, digest);
  }

  private HttpAnswer store(Target t, State.Repository repo, byte[] content, String digest) {
    String actual = BlobStore.digest(content);
    if (!actual.equals(digest)) {
      return error(400, "DIGEST_INVALID", "The uploaded content has digest " + actual
          + ", not the " + digest + " given");
    }
    engine.state.blobs.put(content);
    synchronized (repo) {
      repo.layers.add(digest);
    }
    return created(t.name(), digest);
  }

  private HttpAnswer uploadStatus(Target t, String id) {
    authorize(t, PART);
    existing(t);
    BlobStore.Upload u = upload(t, id);
    return uploadAnswer(204, t.name(), id, u.size());
  }

  private HttpAnswer cancelUpload(Target t, String id) {
    authorize(t, PART);
    existing(t);
    engine.state.blobs.cancel(upload(t, id));
    return new HttpAnswer(204, new LinkedHashMap<>(), new byte[0])
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }

  // Uploads live in the shared blob store: the key keeps one account's from another's.
  private String uploadKey(Target t) {
    return account + "/" + t.name();
  }

  private BlobStore.Upload upload(Target t, String id) {
    return engine.state.blobs.upload(id).filter(u -> u.repository.equals(uploadKey(t)))
        .orElseThrow(() -> new Refusal(error(404, "BLOB_UPLOAD_UNKNOWN", "No upload '" + id
            + "' in progress for repository '" + t.name() + "': start one with POST /v2/"
            + t.name() + "/blobs/uploads/")));
  }

  private HttpAnswer putManifest(Target t, String reference) {
    authorize(t, PUT_IMAGE);
    State.Repository repo = existing(t);
    boolean byDigest = reference.startsWith("sha256:");
    Images.Put put;
    try {
      put = Images.put(repo, engine.state.blobs, t.call().body(),
          t.call().header("content-type").orElse(null), byDigest ? null : reference,
          byDigest ? reference : null, engine.config.clock().instant(), true);
    } catch (AwsError e) {
      throw new Refusal(switch (e.code()) {
        case "ImageDigestDoesNotMatchException" -> error(400, "DIGEST_INVALID", e.getMessage());
        case "LayersNotFoundException", "ReferencedImagesNotFoundException" ->
            error(400, "MANIFEST_BLOB_UNKNOWN", e.getMessage());
        case "ImageTagAlreadyExistsException" -> error(400, "TAG_INVALID", e.getMessage());
        default -> error(400, "MANIFEST_INVALID", e.getMessage());
      });
    }
    String digest = put.image().digest();
    return new HttpAnswer(201, new LinkedHashMap<>(), new byte[0])
        .with("Location", "/v2/" + t.name() + "/manifests/" + digest)
        .with("Docker-Content-Digest", digest)
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }

  private HttpAnswer deleteManifest(Target t, String reference) {
    authorize(t, "ecr:BatchDeleteImage");
    State.Repository repo = existing(t);
    if (!reference.startsWith("sha256:")) {
      return error(400, "UNSUPPORTED", "Delete a manifest by its digest, not by the tag '"
          + reference + "'; untag with ECR's BatchDeleteImage");
    }
    if (Images.deleteDigest(repo, reference).isEmpty()) {
      return error(404, "MANIFEST_UNKNOWN", "Requested image not found: no manifest "
          + reference + " in repository '" + t.name() + "'");
    }
    return new HttpAnswer(202, new LinkedHashMap<>(), new byte[0])
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }

  // --- download URLs for GetDownloadUrlForLayer ---

  /**
   * Returns a short-lived, unauthenticated path that serves a blob, like S3's signed URL: the
   * digest and the expiry sealed under the fake's key, so nothing is kept per URL.
   */
  String downloadPath(String digest) {
    Instant expires = engine.config.clock().instant().plus(Duration.ofHours(1));
    return DOWNLOAD_PREFIX + engine.sessionCodec.seal("download",
        Map.of("d", digest, "e", expires.toEpochMilli()));
  }

  private HttpAnswer download(HttpCall call, String token) {
    Download d = engine.sessionCodec.unseal("download", token).map(b -> new Download(
        (String) b.get("d"), Instant.ofEpochMilli(((Number) b.get("e")).longValue())))
        .orElse(null);
    Optional<byte[]> blob = d == null || !engine.config.clock().instant().isBefore(d.expires())
        ? Optional.empty() : engine.state.blobs.get(d.digest());
    if (blob.isEmpty()) {
      return HttpAnswer.of(403, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
          + "<Error><Code>AccessDenied</Code><Message>Request has expired or the URL is not one "
          + "GetDownloadUrlForLayer returned</Message></Error>");
    }
    return serve(call, blob.get(), d.digest());
  }

  // --- authentication and authorisation ---

  private Caller authenticate(HttpCall call) {
    Optional<String> auth = call.header("authorization");
    if (auth.isEmpty()) {
      throw new Refusal(challenge("authentication required"));
    }
    String why = null;
    Caller caller = null;
    if (!auth.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      why = "the Authorization header is not Basic: ECR's registry takes Basic AWS:<password> "
          + "from GetAuthorizationToken";
    } else {
      String decoded = "";
      try {
        decoded = new String(Base64.getDecoder().decode(auth.get().substring(6).trim()),
            StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        why = "the Basic credentials are not base64";
      }
      int colon = decoded.indexOf(':');
      if (why != null) {
        // keep the first reason
      } else if (colon < 0 || !"AWS".equals(decoded.substring(0, colon))) {
        why = "the user name must be AWS, with the GetAuthorizationToken password";
      } else {
        EcrPasswords.Grant grant =
            engine.ecrPasswords.open(decoded.substring(colon + 1)).orElse(null);
        if (grant == null) {
          why = "the password is not one GetAuthorizationToken issued (or the fake was reset)";
        } else if (!engine.config.clock().instant().isBefore(grant.expiresAt())) {
          // ECR answers an expired password with 403 DENIED and this message, and no
          // challenge (seen in clients' reports, e.g. flipt-io/flipt#3043: "response status
          // code 403: denied: Your authorization token has expired. Reauthenticate and try
          // again."), so clients that wait for a 401 challenge do not log in again by
          // themselves.
          engine.deny(call.method() + " " + call.path(), grant.caller().arn(),
              "ecr:GetAuthorizationToken", "registry " + account, "The GetAuthorizationToken "
                  + "password of " + grant.caller().arn() + " expired at " + grant.expiresAt()
                  + " (ECR passwords last 12 hours): log in again.");
          throw new Refusal(error(403, "DENIED",
              "Your authorization token has expired. Reauthenticate and try again."));
        } else if (!grant.registryId().equals(account)) {
          why = "the password was issued for registry " + grant.registryId() + ", and this is "
              + "registry " + account;
        } else {
          caller = grant.caller();
          grant.sessionToken().ifPresent(tok -> engine.actingSession(grant.caller().accessKeyId(),
              tok));
        }
      }
    }
    if (caller == null) {
      engine.deny(call.method() + " " + call.path(), "(registry client)", "ecr:GetAuthorizationToken",
          "registry " + account, "Authentication failed: " + why);
      throw new Refusal(challenge("authentication required: " + why));
    }
    return caller;
  }

  private HttpAnswer challenge(String message) {
    return error(401, "UNAUTHORIZED", message).with("WWW-Authenticate",
        "Basic realm=\"https://" + account + ".dkr.ecr."
            + engine.config.region() + ".amazonaws.com/\",service=\"ecr.amazonaws.com\"");
  }

  private void authorize(Target t, String action) {
    Authz.Verdict v = verdict(t, action);
    if (!v.allowed()) {
      refuse(t, action, v);
    }
  }

  private void authorizeEither(Target t, String action, String alternative) {
    Authz.Verdict v = verdict(t, action);
    if (!v.allowed() && !verdict(t, alternative).allowed()) {
      refuse(t, action, v);
    }
  }

  private Authz.Verdict verdict(Target t, String action) {
    return engine.ecrAllowed(t.caller(), action, arn(t.name()),
        t.repo() == null ? Optional.empty() : Optional.ofNullable(t.repo().policy));
  }

  private void refuse(Target t, String action, Authz.Verdict v) {
    String arn = arn(t.name());
    engine.deny(t.call().method() + " " + t.call().path(), t.caller().arn(), action, arn,
        v.explanation());
    throw new Refusal(error(403, "DENIED", "User: " + t.caller().arn()
        + " is not authorized to perform: " + action + " on resource: " + arn));
  }

  private State.Repository existing(Target t) {
    if (t.repo() == null) {
      throw new Refusal(error(404, "NAME_UNKNOWN", "The repository with name '" + t.name()
          + "' does not exist in the registry with id '" + account + "'"));
    }
    return t.repo();
  }

  private State.Repository lookup(String name) {
    synchronized (repos) {
      return repos.repositories.get(name);
    }
  }

  private String arn(String name) {
    return "arn:aws:ecr:" + engine.config.region() + ":" + account
        + ":repository/" + name;
  }

  private static void checkDigest(String digest) {
    if (!BlobStore.DIGEST.matcher(digest).matches()) {
      throw new Refusal(error(400, "DIGEST_INVALID", "'" + digest + "' is not a digest of the "
          + "form sha256:<64 lowercase hex digits>"));
    }
  }

  private static HttpAnswer created(String name, String digest) {
    return new HttpAnswer(201, new LinkedHashMap<>(), new byte[0])
        .with("Location", "/v2/" + name + "/blobs/" + digest)
        .with("Docker-Content-Digest", digest)
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }

  private static HttpAnswer uploadAnswer(int status, String name, String id, long size) {
    return new HttpAnswer(status, new LinkedHashMap<>(), new byte[0])
        .with("Location", "/v2/" + name + "/blobs/uploads/" + id)
        .with("Range", range(size))
        .with("Docker-Upload-UUID", id)
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }

  private static String range(long size) {
    return "0-" + Math.max(0, size - 1);
  }

  private static HttpAnswer unsupported(String method, String path) {
    return error(405, "UNSUPPORTED", "The registry does not support " + method + " " + path);
  }

  static HttpAnswer error(int status, String code, String message) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putArray("errors").addObject().put("code", code).put("message", message)
        .putNull("detail");
    return HttpAnswer.of(status, "application/json; charset=utf-8", body.toString())
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }
}
