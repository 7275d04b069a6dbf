package dev.oidcecr.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link FakeAws} as a standalone server for tests written in any language:
 * {@code java -jar oidc-ecr-testing-<version>-standalone.jar [--port N] [--region R]
 * [--account A]... [--issuer URL] [--verify-signatures true|false]
 * [--registry-memory-limit BYTES] [--registry-port N] [--verbose]}. Logs warnings only, on
 * stderr, unless {@code --verbose}. Prints one JSON line
 * (endpoint, region, accountId, issuer, jwksUrl, registry, accessKeyId, secretAccessKey of the
 * first account, and {@code accounts}: accountId, accessKeyId, secretAccessKey, registry and
 * registryHost of each, {@code --account} being repeatable) and
 * serves until killed. Mint tokens with
 * {@code POST /_fake/tokens} ({@code {"profile": "github-actions", "repository": "acme/app"}}:
 * a profile of {@link ProfileTokens#IDS}, default {@code gitpod}, then claims and an {@code iss}
 * override), seed images with {@code POST /_fake/images}.
 */
public final class FakeAwsMain {
  private FakeAwsMain() {}

  /** Starts the fake; see the class description for the arguments. */
  public static void main(String[] args) throws InterruptedException {
    args = quietLogs(args);
    FakeAws.Builder b = FakeAws.builder();
    FakeOidcIssuer.Builder ib = FakeOidcIssuer.builder();
    java.util.List<String> accounts = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println("Usage: java -jar oidc-ecr-testing-standalone.jar [--port N] "
            + "[--region R] [--account A]... [--issuer URL] [--verify-signatures true|false] "
            + "[--registry-memory-limit BYTES] [--registry-port N] [--verbose]");
        return;
      }
      if (i + 1 >= args.length) {
        usage("Option " + a + " needs a value.");
        return;
      }
      String v = args[++i];
      try {
        switch (a) {
          case "--port" -> b.port(port(v));
          case "--region" -> b.region(v);
          case "--account" -> accounts.add(v);
          case "--issuer" -> ib.issuer(v);
          case "--verify-signatures" -> b.verifySignatures(Boolean.parseBoolean(v));
          case "--registry-memory-limit" -> b.registryMemoryLimit(Long.parseLong(v));
          case "--registry-port" -> b.registryPort(Integer.parseInt(v));
          default -> {
            usage("Unknown option " + a + ".");
            return;
          }
        }
      } catch (IllegalArgumentException e) {
        usage(e.getMessage());
        return;
      }
    }
    if (!accounts.isEmpty()) {
      try {
        b.accounts(accounts.get(0), accounts.subList(1, accounts.size()).toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        usage(e.getMessage());
        return;
      }
    }
    FakeOidcIssuer issuer = ib.build();
    FakeAws fake;
    try {
      fake = b.issuer(issuer).build().start();
    } catch (RuntimeException e) {
      // One clear line and a non-zero exit: nothing keeps the JVM alive after a failed start.
      System.err.println(startFailure(e, port));
      issuer.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fake.close();
      issuer.close();
    }, "fake-aws-shutdown"));
    ObjectNode line = new ObjectMapper().createObjectNode()
        .put("endpoint", fake.endpoint().toString())
        .put("region", fake.region())
        .put("accountId", fake.accountId())
        .put("issuer", issuer.issuer())
        .put("jwksUrl", issuer.jwksUrl().toString())
        .put("registry", fake.registryEndpoint().toString())
        .put("registryAddress", fake.registryAddress())
        .put("registryHost", fake.registryHost())
        .put("accessKeyId", fake.accessKeyId())
        .put("secretAccessKey", fake.secretAccessKey());
    com.fasterxml.jackson.databind.node.ArrayNode all = line.putArray("accounts");
    for (FakeAccount a : fake.accounts()) {
      all.addObject().put("accountId", a.accountId()).put("accessKeyId", a.accessKeyId())
          .put("secretAccessKey", a.secretAccessKey())
          .put("registry", fake.registryEndpoint().toString())
          .put("registryHost", a.registryHost());
    }
    // The admin secret is printed on purpose: it is the one way other processes get it.
    System.out.println(line);
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /**
   * Configures the shipped binding (slf4j-simple) before the first logger: warnings only, on
   * stderr, unless {@code --verbose}; a level set with {@code -D} wins. Returns the other
   * arguments.
   */
  private static String[] quietLogs(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    String prefix = "org.slf4j.simpleLogger.";
    if (System.getProperty(prefix + "defaultLogLevel") == null) {
      System.setProperty(prefix + "defaultLogLevel", verbose ? "debug" : "warn");
    }
    if (System.getProperty(prefix + "logFile") == null) {
      System.setProperty(prefix + "logFile", "System.err");
    }
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    return java.util.Arrays.stream(args).filter(a -> !a.equals("--verbose"))
        .toArray(String[]::new);
  }

  private static int port = 0;

  private static int port(String v) {
    int p;
    try {
      p = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port '" + v + "' is not a number: give a port "
          + "from 1 to 65535, or 0 for a free one.");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("--port " + p + " is out of range: give a port from "
          + "1 to 65535, or 0 for a free one.");
    }
    port = p;
    return p;
  }

  static String startFailure(Throwable e, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return "Cannot listen on 127.0.0.1:" + port + ": the port is already in use (or not "
            + "allowed). Choose another --port, or --port 0 for a free one.";
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return "The fake could not start: " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static void usage(String problem) {
    System.err.println(problem + " Usage: java -jar oidc-ecr-testing-standalone.jar "
        + "[--port N] [--region R] [--account A]... [--issuer URL] "
        + "[--verify-signatures true|false] [--registry-memory-limit BYTES] "
        + "[--registry-port N]");
    System.exit(2);
  }
}
