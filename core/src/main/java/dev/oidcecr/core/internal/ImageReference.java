package dev.oidcecr.core.internal;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container image reference as Docker reads it: {@code [host[:port]/]repository[:tag][@digest]}.
 *
 * @param host the registry host, {@code docker.io} when the reference names none
 * @param repository the repository path, such as {@code acme/app}
 * @param tag the tag, if any
 * @param digest the digest, if any
 */
public record ImageReference(String host, String repository, Optional<String> tag,
    Optional<String> digest) {

  private static final Pattern REPOSITORY = Pattern.compile(
      "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}");

  /**
   * Parses a reference.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static ImageReference parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("The image reference is empty: give one such as"
          + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:latest");
    }
    for (String prefix : new String[] {"https://", "http://", "docker://"}) {
      if (s.startsWith(prefix)) {
        s = s.substring(prefix.length());
      }
    }
    Optional<String> digest = Optional.empty();
    int at = s.indexOf('@');
    if (at >= 0) {
      String d = s.substring(at + 1);
      if (!DIGEST.matcher(d).matches()) {
        throw new IllegalArgumentException("Invalid digest \"" + d + "\" in image reference \""
            + text + "\": a digest looks like sha256:<64 hex digits>");
      }
      digest = Optional.of(d);
      s = s.substring(0, at);
    }
    String host = "docker.io";
    int slash = s.indexOf('/');
    if (slash > 0) {
      String first = s.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        host = first.toLowerCase(Locale.ROOT);
        s = s.substring(slash + 1);
      }
    }
    Optional<String> tag = Optional.empty();
    int colon = s.lastIndexOf(':');
    if (colon >= 0) {
      String t = s.substring(colon + 1);
      if (!TAG.matcher(t).matches()) {
        throw new IllegalArgumentException("Invalid tag \"" + t + "\" in image reference \""
            + text + "\": tags are up to 128 letters, digits, _, . and -");
      }
      tag = Optional.of(t);
      s = s.substring(0, colon);
    }
    if (!REPOSITORY.matcher(s).matches()) {
      throw new IllegalArgumentException("Invalid repository \"" + s + "\" in image reference \""
          + text + "\": repository names are lowercase path segments such as acme/app");
    }
    return new ImageReference(host, s, tag, digest);
  }

  /** Returns the reference as text. */
  @Override
  public String toString() {
    return host + "/" + repository + tag.map(t -> ":" + t).orElse("")
        + digest.map(d -> "@" + d).orElse("");
  }
}
