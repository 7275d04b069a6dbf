package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Registry HTTP API v2 as far as a login check and a manifest pull need: Basic
 * credentials must be an unexpired ECR password the fake issued, and pulls are authorised like
 * {@code ecr:BatchGetImage}.
 */
final class Registry {
  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

  private final Engine engine;

  Registry(Engine engine) {
    this.engine = engine;
  }

  HttpAnswer handle(HttpCall call) {
    boolean head = "HEAD".equals(call.method());
    if (!"GET".equals(call.method()) && !head) {
      return error(405, "UNSUPPORTED", "The fake registry serves only GET and HEAD.");
    }
    Optional<Caller> caller = authenticate(call);
    if (caller.isEmpty()) {
      return error(401, "UNAUTHORIZED", "authentication required")
          .with("WWW-Authenticate", "Basic realm=\"https://" + engine.config.accountId()
              + ".dkr.ecr." + engine.config.region() + ".amazonaws.com/\",service=\"ecr.amazonaws.com\"");
    }
    String path = call.path();
    if (path.equals("/v2/") || path.equals("/v2")) {
      return HttpAnswer.of(200, "application/json", "{}")
          .with("Docker-Distribution-API-Version", "registry/2.0");
    }
    Matcher m = MANIFEST.matcher(path);
    if (!m.matches()) {
      return error(404, "NOT_FOUND", "The fake registry serves /v2/ and manifests only.");
    }
    String name = m.group(1);
    String reference = m.group(2);
    State.Repository repo;
    synchronized (engine.state) {
      repo = engine.state.repositories.get(name);
    }
    String arn = "arn:aws:ecr:" + engine.config.region() + ":" + engine.config.accountId()
        + ":repository/" + name;
    Authz.Verdict v = engine.ecrAllowed(caller.get(), "ecr:BatchGetImage", arn,
        repo == null ? Optional.empty() : Optional.ofNullable(repo.policy));
    if (!v.allowed()) {
      engine.deny(call.method() + " " + path, caller.get().arn(), "ecr:BatchGetImage", arn,
          v.explanation());
      return error(403, "DENIED", "User: " + caller.get().arn()
          + " is not authorized to perform: ecr:BatchGetImage on resource: " + arn);
    }
    if (repo == null) {
      return error(404, "NAME_UNKNOWN", "The repository with name '" + name
          + "' does not exist in the registry with id '" + engine.config.accountId() + "'");
    }
    Optional<State.Image> image = repo.image(reference);
    if (image.isEmpty()) {
      return error(404, "MANIFEST_UNKNOWN", "Requested image not found");
    }
    byte[] body = image.get().manifest().getBytes(StandardCharsets.UTF_8);
    HttpAnswer a = new HttpAnswer(200, new java.util.LinkedHashMap<>(), head ? new byte[0] : body)
        .with("Content-Type", image.get().mediaType())
        .with("Docker-Content-Digest", image.get().digest())
        .with("Docker-Distribution-API-Version", "registry/2.0");
    return head ? a.with("Content-Length", String.valueOf(body.length)) : a;
  }

  private Optional<Caller> authenticate(HttpCall call) {
    Optional<String> auth = call.header("authorization");
    if (auth.isEmpty() || !auth.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.get().substring(6).trim()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon < 0 || !"AWS".equals(decoded.substring(0, colon))) {
      return Optional.empty();
    }
    State.EcrGrant grant = engine.state.ecrPasswords.get(decoded.substring(colon + 1));
    if (grant == null || !engine.config.clock().instant().isBefore(grant.expiresAt())) {
      return Optional.empty();
    }
    return Optional.of(grant.caller());
  }

  private static HttpAnswer error(int status, String code, String message) {
    ObjectNode body = Engine.JSON.createObjectNode();
    body.putArray("errors").addObject().put("code", code).put("message", message)
        .putNull("detail");
    return HttpAnswer.of(status, "application/json; charset=utf-8", body.toString())
        .with("Docker-Distribution-API-Version", "registry/2.0");
  }
}
