package dev.oidcecr.testing.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP response produced by a handler. */
public record HttpAnswer(int status, Map<String, String> headers, byte[] body) {

  /** Returns an answer with a text body of the given content type. */
  public static HttpAnswer of(int status, String contentType, String body) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", contentType);
    return new HttpAnswer(status, h, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a copy with one more header. */
  public HttpAnswer with(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpAnswer(status, h, body);
  }
}
