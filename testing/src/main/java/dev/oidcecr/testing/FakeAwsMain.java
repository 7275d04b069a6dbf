package dev.oidcecr.testing;

import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link FakeAws} as a standalone server for tests written in any language:
 * {@code java -jar oidc-ecr-testing-<version>-standalone.jar [--port N] [--region R]
 * [--account A]... [--issuer URL] [--verify-signatures true|false]
 * [--registry-memory-limit BYTES] [--registry-port N] [--verbose]}. Logs warnings only, on
 * stderr, unless {@code --verbose}. Prints one JSON line
 * (endpoint, region, accountId, issuer, jwksUrl, registry, accessKeyId, secretAccessKey of the
 * first account, and {@code accounts}: accountId, accessKeyId, secretAccessKey, registry
 * (each account's registry has its own port), registryAddress and registryHost of each,
 * {@code --account} being repeatable) and
 * serves until killed. Mint tokens with
 * {@code POST /_fake/tokens} ({@code {"profile": "github-actions", "repository": "acme/app"}}:
 * a profile of {@link ProfileTokens#IDS}, default {@code gitpod}, then claims and an {@code iss}
 * override), seed images with {@code POST /_fake/images}.
 */
public final class FakeAwsMain {
  private FakeAwsMain() {}

  /**
   * Starts the fake, prints its JSON line on stdout and serves until the process is killed;
   * see the class description for the arguments. {@code --help} prints the usage on stdout; a
   * bad argument prints the problem and the usage on stderr and exits with status 2; a failed
   * start (such as a port in use) prints one line on stderr and exits with status 1.
   *
   * @param args the command-line options
   * @throws InterruptedException if the main thread is interrupted while serving
   */
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
    // Written by hand: Jackson's mapper costs a few hundred classes that the start path does
    // not otherwise need.
    StringBuilder line = new StringBuilder("{");
    field(line, "endpoint", fake.endpoint().toString());
    field(line, "region", fake.region());
    field(line, "accountId", fake.accountId());
    field(line, "issuer", issuer.issuer());
    field(line, "jwksUrl", issuer.jwksUrl().toString());
    field(line, "registry", fake.registryEndpoint().toString());
    field(line, "registryAddress", fake.registryAddress());
    field(line, "registryHost", fake.registryHost());
    field(line, "accessKeyId", fake.accessKeyId());
    field(line, "secretAccessKey", fake.secretAccessKey());
    line.append("\"accounts\":[");
    for (FakeAccount a : fake.accounts()) {
      line.append(line.charAt(line.length() - 1) == '[' ? "{" : ",{");
      field(line, "accountId", a.accountId());
      field(line, "accessKeyId", a.accessKeyId());
      field(line, "secretAccessKey", a.secretAccessKey());
      field(line, "registry", a.registryEndpoint().toString());
      field(line, "registryAddress", a.registryAddress());
      field(line, "registryHost", a.registryHost());
      line.setLength(line.length() - 1);
      line.append('}');
    }
    line.append("]}");
    // The admin secret is printed on purpose: it is the one way other processes get it.
    System.out.println(line);
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /** Appends {@code "name":"value",} with the value escaped as JSON requires. */
  static void field(StringBuilder out, String name, String value) {
    out.append('"').append(name).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append("\",");
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
