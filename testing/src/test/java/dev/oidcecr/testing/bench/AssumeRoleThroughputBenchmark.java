package dev.oidcecr.testing.bench;

import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Measures AssumeRoleWithWebIdentity throughput (signature verification, trust policy
 * evaluation, session creation) from N concurrent SDK clients, each with its own client and
 * token. Arguments: [threads=8] [warmupSeconds=5] [seconds=15].
 */
public final class AssumeRoleThroughputBenchmark {
  private AssumeRoleThroughputBenchmark() {}

  /** Returns the CPU time of the client threads and of Jetty's server threads, in ns. */
  private static long[] cpuByRole() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long client = 0;
    long server = 0;
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
      if (info.getThreadName().startsWith("bench-")) {
        client += cpu;
      } else if (info.getThreadName().startsWith("qtp")) {
        server += cpu;
      }
    }
    return new long[] {client, server};
  }

  /** Prints calls per second. */
  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    try (FakeAws fake = FakeAws.builder().build().start();
        IamClient iam = IamClient.builder().endpointOverride(fake.endpoint())
            .region(Region.AWS_GLOBAL).httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey())))
            .build()) {
      iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
          .clientIDList("sts.amazonaws.com"));
      iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(TrustPolicy.builder()
          .issuer(fake.issuer().issuer()).account(fake.accountId())
          .repository("https://github.com/acme/app").build().toJson()));

      AtomicLong count = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      List<Thread> workers = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(threads);
      long end = System.nanoTime() + Duration.ofSeconds(warmup + seconds).toNanos();
      long measureFrom = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
      AtomicLong measured = new AtomicLong();
      for (int i = 0; i < threads; i++) {
        int n = i;
        Thread t = new Thread(() -> {
          String token = fake.issuer().token().repository("https://github.com/acme/app")
              .workspaceId("ws-" + n).mint();
          try (StsClient sts = StsClient.builder().endpointOverride(fake.endpoint())
              .region(Region.of(fake.region())).httpClient(UrlConnectionHttpClient.create())
              .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
            ready.countDown();
            while (System.nanoTime() < end) {
              try {
                sts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
                    .roleSessionName("bench-" + n).webIdentityToken(token));
                count.incrementAndGet();
                if (System.nanoTime() >= measureFrom) {
                  measured.incrementAndGet();
                }
              } catch (RuntimeException e) {
                errors.incrementAndGet();
              }
            }
          }
        }, "bench-" + i);
        workers.add(t);
        t.start();
      }
      var os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      Thread.sleep(Duration.ofSeconds(warmup).toMillis());
      long cpuFrom = os.getProcessCpuTime();
      long[] split0 = cpuByRole();
      long countFrom = measured.get();
      Thread.sleep(Duration.ofSeconds(seconds).toMillis() - 200);
      long[] split1 = cpuByRole();
      long splitCalls = measured.get() - countFrom;
      for (Thread t : workers) {
        t.join(Duration.ofSeconds(warmup + seconds + 60).toMillis());
      }
      long cpuPerCall = (os.getProcessCpuTime() - cpuFrom) / Math.max(1, measured.get() - countFrom);
      System.out.printf("AssumeRoleWithWebIdentity: %d threads, %d s measured after %d s "
              + "warm-up: %.0f calls/s (%d calls, %d errors); CPU per call (SDK client and "
              + "fake together) %.2f ms; load average %.1f on %d CPUs%n", threads, seconds, warmup,
          measured.get() / (double) seconds, count.get(), errors.get(), cpuPerCall / 1e6,
          os.getSystemLoadAverage(), os.getAvailableProcessors());
      System.out.printf("  of which SDK client threads %.2f ms, fake's server threads %.2f ms, "
              + "other threads (JIT, GC, issuer) the rest%n",
          (split1[0] - split0[0]) / 1e6 / splitCalls, (split1[1] - split0[1]) / 1e6 / splitCalls);
    }
  }
}
