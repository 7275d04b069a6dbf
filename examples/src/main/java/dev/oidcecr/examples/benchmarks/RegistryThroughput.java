package dev.oidcecr.examples.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.oidcecr.testing.FakeAws;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Push and pull of a 50 MiB blob through the fake registry, in MiB/s, beside the same transfers
 * to a bare JDK HTTP server that only reads or writes the bytes (the floor of this machine's
 * loopback HTTP); then 1 GiB of distinct blobs pushed against a 256 MiB memory limit, to show
 * the heap stays bounded. Not JMH: one transfer is long enough to time with a clock.
 *
 * <pre>
 * ./mvnw -B -o -q -pl examples -am package -DskipTests
 * java -Xmx1g -cp "examples/target/oidc-ecr-examples.jar:examples/target/lib/*" \
 *     dev.oidcecr.examples.benchmarks.RegistryThroughput
 * </pre>
 */
public final class RegistryThroughput {
  private static final int MIB = 1024 * 1024;
  private static final int SIZE = 50 * MIB;
  private static final int RUNS = 5;

  private RegistryThroughput() {}

  /** Runs the benchmark and prints one line per figure. */
  public static void main(String[] args) throws Exception {
    byte[] blob = new byte[SIZE];
    new Random(42).nextBytes(blob);
    HttpClient http = HttpClient.newHttpClient();
    try (FakeAws aws = FakeAws.builder().registryMemoryLimit(256L * MIB).build().start()) {
      final String auth;
      try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
          .region(Region.of(aws.region())).credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()))).build()) {
        ecr.createRepository(r -> r.repositoryName("bench"));
        auth = "Basic " + ecr.getAuthorizationToken().authorizationData().get(0)
            .authorizationToken();
      }
      String base = "http://" + aws.registryAddress() + "/v2/bench/blobs/";
      HttpServer bare = bareServer(blob);
      String bareBase = "http://127.0.0.1:" + bare.getAddress().getPort() + "/";
      List<Double> push = new ArrayList<>();
      List<Double> pull = new ArrayList<>();
      List<Double> barePush = new ArrayList<>();
      List<Double> barePull = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        blob[0] = (byte) i; // a new digest each run: every push stores a new blob
        String digest = sha256(blob);
        push.add(time(() -> send(http, HttpRequest.newBuilder(URI.create(base
            + "uploads/?digest=" + digest)).header("Authorization", auth)
            .POST(HttpRequest.BodyPublishers.ofByteArray(blob)), 201)));
        pull.add(time(() -> send(http, HttpRequest.newBuilder(URI.create(base + digest))
            .header("Authorization", auth).GET(), 200)));
        barePush.add(time(() -> send(http, HttpRequest.newBuilder(URI.create(bareBase))
            .POST(HttpRequest.BodyPublishers.ofByteArray(blob)), 201)));
        barePull.add(time(() -> send(http, HttpRequest.newBuilder(URI.create(bareBase)).GET(),
            200)));
      }
      bare.stop(0);
      report("push 50 MiB (monolithic POST)", push, barePush);
      report("pull 50 MiB (GET blob)", pull, barePull);

      // 1 GiB of distinct 50 MiB blobs against the 256 MiB limit (five are stored already).
      int accepted = 0;
      int refused = 0;
      for (int i = 0; i < 1024 / 50 + 1; i++) {
        blob[1] = (byte) i;
        String digest = sha256(blob);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base
            + "uploads/?digest=" + digest)).header("Authorization", auth)
            .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 201) {
          accepted++;
        } else if (r.statusCode() == 413) {
          refused++;
        } else {
          throw new IllegalStateException("unexpected " + r.statusCode() + " " + r.body());
        }
      }
      System.gc();
      Runtime rt = Runtime.getRuntime();
      System.out.printf(Locale.ROOT, "1 GiB pushed: %d blobs stored, %d refused (413), fake "
          + "holds %.0f MiB, JVM heap used after GC %.0f MiB (includes the client's 50 MiB "
          + "buffer), max heap %.0f MiB%n", accepted, refused,
          aws.registryMemoryUsed() / (double) MIB,
          (rt.totalMemory() - rt.freeMemory()) / (double) MIB, rt.maxMemory() / (double) MIB);
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private static double time(Action a) throws Exception {
    long t0 = System.nanoTime();
    a.run();
    return SIZE / (double) MIB / ((System.nanoTime() - t0) / 1e9);
  }

  private static void send(HttpClient http, HttpRequest.Builder b, int expected)
      throws Exception {
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != expected) {
      throw new IllegalStateException("expected " + expected + ", got " + r.statusCode() + ": "
          + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static void report(String what, List<Double> fake, List<Double> bare) {
    double f = median(fake);
    double b = median(bare);
    System.out.printf(Locale.ROOT, "%-32s fake %6.0f MiB/s   bare JDK server %6.0f MiB/s   "
        + "fake/bare %.2f   (median of %d)%n", what, f, b, f / b, fake.size());
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a[a.length / 2];
  }

  private static HttpServer bareServer(byte[] content) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        0);
    s.createContext("/", ex -> {
      try (ex) {
        if ("POST".equals(ex.getRequestMethod())) {
          try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
          }
          ex.sendResponseHeaders(201, -1);
        } else {
          ex.sendResponseHeaders(200, content.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(content);
          }
        }
      }
    });
    s.start();
    return s;
  }

  private static String sha256(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
