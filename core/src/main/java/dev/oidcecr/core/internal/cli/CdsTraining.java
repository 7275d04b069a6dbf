package dev.oidcecr.core.internal.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the launcher's class data sharing archive: the build runs it once with
 * {@code -XX:ArchiveClassesAtExit}, so that every class a real {@code login} or credential helper
 * {@code get} loads (the SDK clients, marshalling, signing, the URL connection client, the Docker
 * config writer) is archived, and later launches map them instead of loading and verifying them.
 *
 * <p>It performs both commands against canned STS and ECR answers served on 127.0.0.1 (no other
 * network), with a made-up token and credentials, in a temporary folder. Exits 0 on success and 1
 * otherwise; the build treats either as success, since the archive is only an optimisation.
 */
public final class CdsTraining {
  private static final String ACCOUNT = "123456789012";
  private static final String ROLE_ARN = "arn:aws:iam::" + ACCOUNT + ":role/cds-training";
  private static final String REGISTRY = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com";

  private CdsTraining() {}

  /**
   * Runs the training and exits with its status. With an argument, the folder the archive is
   * dumped into, it first writes that folder's path to {@code oidc-ecr.jsa.lib} there: the
   * launcher uses the archive only from that folder, since the JVM refuses it from any other.
   */
  public static void main(String[] args) throws IOException {
    if (args.length > 0) {
      Path lib = Path.of(args[0]);
      Files.writeString(lib.resolve("oidc-ecr.jsa.lib"), lib.toString() + "\n");
    }
    System.exit(train());
  }

  /**
   * Runs a login and a credential helper {@code get} against a canned local endpoint, and
   * returns 0 when both succeeded, else 1 (after printing why to stderr).
   */
  static int train() throws IOException {
    Path dir = Files.createTempDirectory("oidc-ecr-cds");
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", CdsTraining::answer);
    server.start();
    int status;
    try {
      String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
      Path token = Files.writeString(dir.resolve("token"), unsignedToken());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int login = OidcEcrCli.run(List.of("login", "--role-arn", ROLE_ARN, "--registry", REGISTRY,
              "--token-file", token.toString(), "--docker-config", dir.resolve("docker").toString(),
              "--endpoint-url", endpoint),
          InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), dir);
      int get = OidcEcrCli.run(List.of("get"),
          new ByteArrayInputStream(REGISTRY.getBytes(StandardCharsets.UTF_8)),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8),
          Map.of("OIDC_ECR_ROLE_ARN", ROLE_ARN, "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
              "AWS_ENDPOINT_URL", endpoint, "OIDC_ECR_CACHE_DIR", dir.resolve("cache").toString()),
          dir);
      status = login == 0 && get == 0 ? 0 : 1;
      if (status != 0) {
        System.err.println("oidc-ecr CDS training: login exited " + login + ", get exited " + get
            + ": " + err.toString(StandardCharsets.UTF_8));
      }
    } finally {
      server.stop(0);
      deleteRecursively(dir);
    }
    return status;
  }

  /** A JWT-shaped token: the CLI parses it, nothing here verifies its signature. */
  private static String unsignedToken() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"RS256\",\"kid\":\"cds\",\"typ\":\"JWT\"}";
    String claims = "{\"iss\":\"https://services.gitpod.example.com/idp\",\"sub\":"
        + "\"https://github.com/acme/app\",\"aud\":[\"sts.amazonaws.com\"],\"iat\":" + now
        + ",\"exp\":" + (now + 3600) + "}";
    return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString("not-a-signature".getBytes(StandardCharsets.UTF_8));
  }

  private static void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      Instant expires = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String body;
      if (target != null && target.endsWith(".GetAuthorizationToken")) {
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        String auth = Base64.getEncoder().encodeToString(
            "AWS:cds-training-password".getBytes(StandardCharsets.UTF_8));
        body = "{\"authorizationData\":[{\"authorizationToken\":\"" + auth + "\",\"expiresAt\":"
            + expires.getEpochSecond() + ",\"proxyEndpoint\":\"https://" + REGISTRY + "\"}]}";
      } else {
        exchange.getResponseHeaders().add("Content-Type", "text/xml");
        body = "<AssumeRoleWithWebIdentityResponse"
            + " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            + "<AssumeRoleWithWebIdentityResult>"
            + "<SubjectFromWebIdentityToken>https://github.com/acme/app"
            + "</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>"
            + "<AssumedRoleUser><Arn>arn:aws:sts::" + ACCOUNT + ":assumed-role/cds-training/cds"
            + "</Arn><AssumedRoleId>AROACDSTRAINING:cds</AssumedRoleId></AssumedRoleUser>"
            + "<Credentials><AccessKeyId>ASIACDSTRAINING</AccessKeyId>"
            + "<SecretAccessKey>cds-training-secret</SecretAccessKey>"
            + "<SessionToken>cds-training-session</SessionToken><Expiration>" + expires
            + "</Expiration></Credentials>"
            + "<Provider>arn:aws:iam::" + ACCOUNT + ":oidc-provider/services.gitpod.example.com/idp"
            + "</Provider></AssumeRoleWithWebIdentityResult>"
            + "<ResponseMetadata><RequestId>cds-training</RequestId></ResponseMetadata>"
            + "</AssumeRoleWithWebIdentityResponse>";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("x-amzn-RequestId", "cds-training");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(bytes);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
