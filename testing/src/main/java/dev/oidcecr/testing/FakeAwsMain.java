package dev.oidcecr.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link FakeAws} as a standalone server for tests written in any language:
 * {@code java -jar oidc-ecr-testing-<version>-standalone.jar [--port N] [--region R]
 * [--account A] [--issuer URL] [--verify-signatures true|false]
 * [--registry-memory-limit BYTES] [--registry-port N] [--verbose]}. Logs warnings only, on
 * stderr, unless {@code --verbose}. Prints one JSON line
 * (endpoint, region, accountId, issuer, jwksUrl, registry, accessKeyId, secretAccessKey) and
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
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println("Usage: java -jar oidc-ecr-testing-standalone.jar [--port N] "
            + "[--region R] [--account A] [--issuer URL] [--verify-signatures true|false] "
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
          case "--port" -> b.port(Integer.parseInt(v));
          case "--region" -> b.region(v);
          case "--account" -> b.accountId(v);
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
    FakeOidcIssuer issuer = ib.build();
    FakeAws fake = b.issuer(issuer).build().start();
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

  private static void usage(String problem) {
    System.err.println(problem + " Usage: java -jar oidc-ecr-testing-standalone.jar "
        + "[--port N] [--region R] [--account A] [--issuer URL] "
        + "[--verify-signatures true|false] [--registry-memory-limit BYTES] "
        + "[--registry-port N]");
    System.exit(2);
  }
}
