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
 *
 * <p>{@code --train} starts the fake on free ports instead (with the other options given),
 * makes over HTTP to itself the requests a typical client's first minute makes (an unsigned STS
 * call, a token mint, signed IAM and ECR admin calls, a web-identity exchange and the registry's
 * {@code GET /v2/}), stops and exits 0 without the JSON line. Run under
 * {@code -XX:ArchiveClassesAtExit=fake.jsa} it leaves an AppCDS archive of the classes those
 * requests load; later starts with {@code -XX:SharedArchiveFile=fake.jsa} map them instead of
 * loading them from the jar, and answer first sooner:
 * <pre>{@code
 * java -XX:ArchiveClassesAtExit=fake.jsa -jar oidc-ecr-testing-<version>-standalone.jar --train
 * java -XX:SharedArchiveFile=fake.jsa -jar oidc-ecr-testing-<version>-standalone.jar --port 4566
 * }</pre>
 * The archive is only valid for the same jar and the same JDK; the JVM ignores a stale one with
 * a warning and starts without it.
 */
public final class FakeAwsMain {
  private FakeAwsMain() {}

  /**
   * Starts the fake, prints its JSON line on stdout and serves until the process is killed;
   * see the class description for the arguments. {@code --help} prints the usage on stdout; a
   * bad argument prints the problem and the usage on stderr and exits with status 2; a failed
   * start (such as a port in use) prints one line on stderr and exits with status 1.
   * {@code --train} serves a client's first requests to itself and exits 0 (see the class
   * description).
   *
   * @param args the command-line options
   * @throws InterruptedException if the main thread is interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    args = quietLogs(args);
    FakeAws.Builder b = FakeAws.builder();
    FakeOidcIssuer.Builder ib = FakeOidcIssuer.builder();
    java.util.List<String> accounts = new java.util.ArrayList<>();
    boolean train = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(USAGE + "\n"
            + "--train serves a typical client's first requests to itself on free ports and "
            + "exits 0, for an AppCDS archive that makes later starts faster:\n"
            + "  java -XX:ArchiveClassesAtExit=fake.jsa -jar <jar> --train\n"
            + "  java -XX:SharedArchiveFile=fake.jsa -jar <jar> --port 4566");
        return;
      }
      if (a.equals("--train")) {
        train = true;
        continue;
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
    if (train) {
      // Free ports, so that training never collides with a fake already serving.
      b.port(0).registryPort(0);
      port = 0;
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
    if (train) {
      String statuses;
      try {
        statuses = train(fake);
      } catch (java.io.IOException | RuntimeException e) {
        System.err.println("Training failed: " + e);
        fake.close();
        issuer.close();
        System.exit(1);
        return;
      }
      fake.close();
      issuer.close();
      System.err.println("Trained: served a client's first requests to itself (HTTP "
          + statuses + "), exiting.");
      // System.exit, not a return: request threads may outlive main. The JVM dumps a
      // -XX:ArchiveClassesAtExit archive on this exit too.
      System.exit(0);
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

  /**
   * Makes over real HTTP the requests a client's first minute makes, so that a
   * {@code -XX:ArchiveClassesAtExit} archive holds the classes that serving them loads. The
   * answers are not checked beyond being HTTP answers: an error answer loads the same classes.
   * Returns the answers' HTTP statuses, space-separated.
   */
  static String train(FakeAws fake) throws java.io.IOException {
    String endpoint = fake.endpoint().toString().replaceAll("/+$", "");
    String sts = "Version=2011-06-15&Action=";
    String form = "application/x-www-form-urlencoded; charset=utf-8";
    // What a client (and the benchmark's poll) sends first: an unsigned STS call.
    call("POST", endpoint + "/", form, sts + "GetCallerIdentity", null, null);
    String minted = call("POST", endpoint + "/_fake/tokens", "application/json",
        "{\"aud\": \"sts.amazonaws.com\"}", null, null);
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(minted);
    String token = m.find() ? m.group(1) : "";
    String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Principal\":{\"Federated\":\"" + fake.providerArn() + "\"},"
        + "\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}";
    call("POST", endpoint + "/", form, "Version=2010-05-08&Action=CreateOpenIDConnectProvider"
        + "&Url=" + enc(fake.issuer().issuer()) + "&ClientIDList.member.1=sts.amazonaws.com",
        fake, "iam");
    call("POST", endpoint + "/", form, "Version=2010-05-08&Action=CreateRole&RoleName=train"
        + "&AssumeRolePolicyDocument=" + enc(trust), fake, "iam");
    call("POST", endpoint + "/", form, sts + "AssumeRoleWithWebIdentity&RoleArn="
        + enc(fake.roleArn("train")) + "&RoleSessionName=train&WebIdentityToken=" + enc(token),
        null, null);
    call("POST", endpoint + "/", "application/x-amz-json-1.1", "{}", fake, "ecr");
    call("GET", fake.registryEndpoint().toString(), null, null, null, null);
    return String.join(" ", STATUSES);
  }

  private static final java.util.List<String> STATUSES = new java.util.ArrayList<>();

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * One request with {@link java.net.HttpURLConnection}; signed with the admin keys (AWS
   * Signature Version 4, host and x-amz-date signed) when {@code signer} is given. Returns the
   * body, error or not.
   */
  private static String call(String method, String url, String contentType, String body,
      FakeAws signer, String service) throws java.io.IOException {
    java.net.HttpURLConnection c =
        (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(10_000);
    c.setReadTimeout(30_000);
    byte[] payload = body == null ? new byte[0]
        : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (contentType != null) {
      c.setRequestProperty("Content-Type", contentType);
    }
    if (signer != null) {
      if (service.equals("ecr")) {
        c.setRequestProperty("X-Amz-Target",
            "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
      }
      String amzDate = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
          .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
      String host = c.getURL().getHost() + ":" + c.getURL().getPort();
      String region = service.equals("iam") ? "us-east-1" : signer.region();
      String scope = amzDate.substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
      String canonical = method + "\n/\n\nhost:" + host + "\nx-amz-date:" + amzDate
          + "\n\nhost;x-amz-date\n" + hex(sha256(payload));
      String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
          + hex(sha256(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      byte[] key = ("AWS4" + signer.secretAccessKey())
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      for (String part : scope.split("/")) {
        key = hmac(key, part);
      }
      c.setRequestProperty("X-Amz-Date", amzDate);
      c.setRequestProperty("Authorization", "AWS4-HMAC-SHA256 Credential="
          + signer.accessKeyId() + "/" + scope + ", SignedHeaders=host;x-amz-date, Signature="
          + hex(hmac(key, toSign)));
    }
    if (body != null) {
      c.setDoOutput(true);
      try (java.io.OutputStream out = c.getOutputStream()) {
        out.write(payload);
      }
    }
    int status = c.getResponseCode();
    STATUSES.add(String.valueOf(status));
    java.io.InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    try (in) {
      return in == null ? "" : new String(in.readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
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

  private static final String USAGE = "Usage: java -jar oidc-ecr-testing-standalone.jar "
      + "[--port N] [--region R] [--account A]... [--issuer URL] "
      + "[--verify-signatures true|false] [--registry-memory-limit BYTES] "
      + "[--registry-port N] [--verbose] [--train]";

  private static void usage(String problem) {
    System.err.println(problem + " " + USAGE);
    System.exit(2);
  }
}
