package dev.oidcecr.testing.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A tiny XML writer for the query protocols' responses. */
final class Xml {
  private final StringBuilder sb = new StringBuilder(512);

  Xml open(String name) {
    sb.append('<').append(name).append('>');
    return this;
  }

  Xml openNs(String name, String ns) {
    sb.append('<').append(name).append(" xmlns=\"").append(ns).append("\">");
    return this;
  }

  Xml close(String name) {
    sb.append("</").append(name).append('>');
    return this;
  }

  Xml leaf(String name, Object value) {
    if (value == null) {
      return this;
    }
    return open(name).text(String.valueOf(value)).close(name);
  }

  Xml members(String name, List<String> values) {
    open(name);
    for (String v : values) {
      leaf("member", v);
    }
    return close(name);
  }

  /** Appends XML written by another writer (already escaped). */
  Xml append(Xml other) {
    sb.append(other.sb);
    return this;
  }

  Xml text(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> sb.append(c);
      }
    }
    return this;
  }

  /** URL-encodes a policy document as IAM returns it (RFC 3986, spaces as %20). */
  static String urlEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
