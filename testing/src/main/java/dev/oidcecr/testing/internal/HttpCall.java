package dev.oidcecr.testing.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as the fake's handlers see it, free of WireMock types.
 *
 * @param headers header names lower-cased
 * @param query the raw query string after {@code ?}, empty when there is none
 */
public record HttpCall(String method, String path, Map<String, List<String>> headers, byte[] body,
    String query) {

  /** Creates a call without a query string. */
  public HttpCall(String method, String path, Map<String, List<String>> headers, byte[] body) {
    this(method, path, headers, body, "");
  }

  /** Returns the first value of a query parameter, URL-decoded. */
  public Optional<String> queryParam(String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (k.equals(name)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1),
            StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** Returns the first value of a header. */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** Returns the body as UTF-8 text. */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Parses a form-encoded body; the last value of a repeated name wins. */
  public Map<String, String> form() {
    Map<String, String> out = new LinkedHashMap<>();
    String s = text();
    if (s.isEmpty()) {
      return out;
    }
    for (String pair : s.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
