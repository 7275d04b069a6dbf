package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin endpoints that let tests in any language drive the fake: mint a token, seed an
 * image, read the last denial, reset.
 */
final class Admin {
  private final Engine engine;

  Admin(Engine engine) {
    this.engine = engine;
  }

  HttpAnswer handle(HttpCall call) {
    String route = call.method() + " " + call.path();
    try {
      return switch (route) {
        case "POST /_fake/tokens" -> tokens(call);
        case "POST /_fake/images" -> images(call);
        case "GET /_fake/denials/last" -> lastDenial();
        case "POST /_fake/reset" -> {
          engine.reset();
          yield json(200, Json.MAPPER.createObjectNode().put("reset", true));
        }
        default -> json(404, Json.MAPPER.createObjectNode().put("message", "Unknown admin "
            + "endpoint " + route + ": use POST /_fake/tokens, POST /_fake/images, "
            + "GET /_fake/denials/last or POST /_fake/reset."));
      };
    } catch (IllegalArgumentException | IOException e) {
      return json(400, Json.MAPPER.createObjectNode().put("message", e.getMessage()));
    }
  }

  private HttpAnswer tokens(HttpCall call) throws IOException {
    Map<String, Object> overrides = call.body().length == 0 ? new LinkedHashMap<>()
        : Json.MAPPER.readValue(call.body(), new TypeReference<Map<String, Object>>() {});
    String token = engine.config.tokenMinter().apply(overrides);
    return json(200, Json.MAPPER.createObjectNode().put("token", token));
  }

  private HttpAnswer images(HttpCall call) throws IOException {
    JsonNode in = Json.MAPPER.readTree(call.body());
    String repo = in.path("repository").asText("");
    String tag = in.path("tag").asText("latest");
    JsonNode manifest = in.path("manifest");
    if (repo.isEmpty() || manifest.isMissingNode()) {
      throw new IllegalArgumentException("POST /_fake/images needs {\"repository\":\"app\","
          + "\"tag\":\"latest\",\"manifest\":{...}} (manifest as an object or a string).");
    }
    String text = manifest.isTextual() ? manifest.asText() : manifest.toString();
    String digest = engine.seedImage(repo, tag, text);
    return json(200, Json.MAPPER.createObjectNode().put("repository", repo).put("tag", tag)
        .put("digest", digest));
  }

  private HttpAnswer lastDenial() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    engine.lastDenial().ifPresentOrElse(d -> out.put("time", d.time().toString())
        .put("operation", d.operation()).put("caller", d.caller()).put("action", d.action())
        .put("resource", d.resource()).put("explanation", d.explanation()),
        () -> out.putNull("operation"));
    return json(200, out);
  }

  private static HttpAnswer json(int status, ObjectNode body) {
    return HttpAnswer.of(status, "application/json", body.toString());
  }
}
