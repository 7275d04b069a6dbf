package dev.oidcecr.testing.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The client side of {@code examples/benchmarks/fake-load.sh}: drives a standalone fake (another
 * process) with {@code threads} loops of AssumeRoleWithWebIdentity, GetAuthorizationToken and a
 * chunked registry blob upload (POST, PATCH 4 KiB, PUT with the digest) for {@code seconds},
 * and prints the calls per second every 10 s and at the end. Arguments: the file holding the
 * fake's start-up JSON line, threads, seconds. Not a test: run it by hand.
 */
public final class FakeLoad {
  private FakeLoad() {}

  public static void main(String[] args) throws Exception {
    JsonNode info = new ObjectMapper().readTree(Files.readString(Path.of(args[0])));
    int threads = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    URI endpoint = URI.create(info.path("endpoint").asText());
    URI registry = URI.create(info.path("registry").asText());
    Region region = Region.of(info.path("region").asText());
    String account = info.path("accountId").asText();
    SdkHttpClient http = UrlConnectionHttpClient.create();
    HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    StaticCredentialsProvider admin = StaticCredentialsProvider.create(AwsBasicCredentials
        .create(info.path("accessKeyId").asText(), info.path("secretAccessKey").asText()));

    // The token's issuer and audience make the provider and the trust policy.
    String token = new ObjectMapper().readTree(jdk.send(HttpRequest.newBuilder(
            endpoint.resolve("/_fake/tokens")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
    JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder()
        .decode(token.split("\\.")[1]));
    String iss = claims.path("iss").asText();
    String aud = claims.path("aud").isArray() ? claims.path("aud").get(0).asText()
        : claims.path("aud").asText();
    String host = iss.replaceFirst("^https://", "");
    try (IamClient iam = IamClient.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL)
            .httpClient(http).credentialsProvider(admin).build();
        EcrClient ecr = EcrClient.builder().endpointOverride(endpoint).region(region)
            .httpClient(http).credentialsProvider(admin).build()) {
      iam.createOpenIDConnectProvider(r -> r.url(iss).clientIDList(aud));
      iam.createRole(r -> r.roleName("load").assumeRolePolicyDocument("""
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"%s:aud": "%s"}}}]}"""
          .formatted(account, host, host, aud)));
      iam.putRolePolicy(r -> r.roleName("load").policyName("push").policyDocument("""
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*",
            "Resource": "*"}]}"""));
      ecr.createRepository(r -> r.repositoryName("load/app"));
    }

    byte[] blob = new byte[4096];
    new java.util.Random(1).nextBytes(blob);
    String digest = "sha256:" + HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(blob));
    AtomicLong loops = new AtomicLong();
    // Nanoseconds spent in each step, summed over the threads: STS, ECR, POST, PATCH, PUT.
    java.util.concurrent.atomic.AtomicLongArray steps =
        new java.util.concurrent.atomic.AtomicLongArray(5);
    AtomicLong failures = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        AtomicReference<AwsCredentials> current = new AtomicReference<>();
        try (StsClient sts = StsClient.builder().endpointOverride(endpoint).region(region)
                .httpClient(http).credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
            EcrClient ecr = EcrClient.builder().endpointOverride(endpoint).region(region)
                .httpClient(http).credentialsProvider(current::get).build()) {
          int n = 0;
          while (System.nanoTime() < end) {
            try {
              int i = n++;
              long t0 = System.nanoTime();
              Credentials c = sts.assumeRoleWithWebIdentity(r -> r
                  .roleArn("arn:aws:iam::" + account + ":role/load")
                  .roleSessionName("load-" + Thread.currentThread().getId() + "-" + i)
                  .webIdentityToken(token)).credentials();
              current.set(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                  c.sessionToken()));
              long t1 = System.nanoTime();
              steps.addAndGet(0, t1 - t0);
              String basic = ecr.getAuthorizationToken().authorizationData().get(0)
                  .authorizationToken();
              long t2 = System.nanoTime();
              steps.addAndGet(1, t2 - t1);
              HttpResponse<Void> start = jdk.send(HttpRequest.newBuilder(
                      registry.resolve("load/app/blobs/uploads/"))
                  .header("Authorization", "Basic " + basic)
                  .POST(HttpRequest.BodyPublishers.noBody()).build(),
                  HttpResponse.BodyHandlers.discarding());
              URI location = registry.resolve(start.headers().firstValue("Location")
                  .orElseThrow());
              long t3 = System.nanoTime();
              steps.addAndGet(2, t3 - t2);
              HttpResponse<Void> patch = jdk.send(HttpRequest.newBuilder(location)
                  .header("Authorization", "Basic " + basic)
                  .header("Content-Type", "application/octet-stream")
                  .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                  HttpResponse.BodyHandlers.discarding());
              URI put = registry.resolve(patch.headers().firstValue("Location").orElseThrow()
                  + "?digest=" + digest);
              long t4 = System.nanoTime();
              steps.addAndGet(3, t4 - t3);
              HttpResponse<Void> done = jdk.send(HttpRequest.newBuilder(put)
                  .header("Authorization", "Basic " + basic)
                  .PUT(HttpRequest.BodyPublishers.noBody()).build(),
                  HttpResponse.BodyHandlers.discarding());
              steps.addAndGet(4, System.nanoTime() - t4);
              if (done.statusCode() != 201) {
                throw new IllegalStateException("upload answered " + done.statusCode());
              }
              loops.incrementAndGet();
            } catch (Exception e) {
              if (failures.incrementAndGet() <= 3) {
                System.err.println("fake-load: " + e);
              }
            }
          }
        }
      }, "load-" + t);
      workers.add(w);
      w.start();
    }
    long started = System.nanoTime();
    long last = 0;
    while (workers.stream().anyMatch(Thread::isAlive)) {
      Thread.sleep(10_000);
      long now = loops.get();
      System.out.printf("t=%3ds loops/s %.0f (calls/s %.0f)%n",
          (System.nanoTime() - started) / 1_000_000_000L, (now - last) / 10.0,
          (now - last) * 5 / 10.0);
      last = now;
    }
    for (Thread w : workers) {
      w.join();
    }
    double secs = (System.nanoTime() - started) / 1e9;
    System.out.printf(java.util.Locale.ROOT, "done: %d loops in %.0f s, %.0f loops/s, %.0f calls/s"
        + " (5 calls a loop: AssumeRoleWithWebIdentity, GetAuthorizationToken, POST, PATCH, PUT),"
        + " %d failures%n", loops.get(), secs, loops.get() / secs, loops.get() * 5 / secs,
        failures.get());
    long n = Math.max(1, loops.get());
    System.out.printf(java.util.Locale.ROOT, "mean ms per call: AssumeRoleWithWebIdentity %.1f,"
        + " GetAuthorizationToken %.1f, POST upload %.1f, PATCH %.1f, PUT %.1f%n",
        steps.get(0) / 1e6 / n, steps.get(1) / 1e6 / n, steps.get(2) / 1e6 / n,
        steps.get(3) / 1e6 / n, steps.get(4) / 1e6 / n);
    http.close();
  }
}
