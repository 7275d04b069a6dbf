package dev.oidcecr.core.internal;

import dev.oidcecr.core.EcrRegistry;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Registry host aliases: another name (a proxy, a mirror, a test's {@code 127.0.0.1:<port>})
 * that stands for an ECR registry, so that credentials of the ECR registry are given for it.
 * Only aliases the user configured are ever answered.
 */
public final class RegistryAliases {
  private RegistryAliases() {}

  /**
   * Normalises a host as Docker and containers-image name it: no scheme, no path, no trailing
   * slash, lower case.
   */
  public static String normalize(String host) {
    String h = host.strip();
    int scheme = h.indexOf("://");
    if (scheme >= 0) {
      h = h.substring(scheme + 3);
    }
    int slash = h.indexOf('/');
    if (slash >= 0) {
      h = h.substring(0, slash);
    }
    return h.toLowerCase(Locale.ROOT);
  }

  /**
   * Parses comma-separated {@code HOST=ECR_HOST} pairs.
   *
   * @param source how the user gave them, for the error message (a flag or a variable)
   * @throws IllegalArgumentException naming the bad pair and the expected form
   */
  public static Map<String, EcrRegistry> parse(String pairs, String source) {
    Map<String, EcrRegistry> out = new LinkedHashMap<>();
    for (String pair : pairs.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException(source + ": \"" + pair.strip() + "\" is not HOST=ECR_HOST,"
            + " such as 127.0.0.1:5000=123456789012.dkr.ecr.eu-west-1.amazonaws.com");
      }
      out.put(normalize(pair.substring(0, eq)), EcrRegistry.parse(pair.substring(eq + 1).strip()));
    }
    return out;
  }
}
