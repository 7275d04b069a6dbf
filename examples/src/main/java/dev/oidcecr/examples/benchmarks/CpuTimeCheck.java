package dev.oidcecr.examples.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * A cross-check of the JMH figures on a shared machine: runs the same operations in plain loops
 * and divides by the thread's CPU time rather than wall time, so that other processes competing
 * for the cores do not lower the figure. It is no substitute for JMH on an idle machine (no
 * forking, no dead-code protection beyond summing the results).
 *
 * <p>The authenticator's cache miss is divided by the CPU time of the whole process instead,
 * because the in-process fake serves it on other threads.
 *
 * <p>Run: {@code java -cp examples/target/benchmarks.jar
 * dev.oidcecr.examples.benchmarks.CpuTimeCheck}
 */
public final class CpuTimeCheck {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuTimeCheck() {}

  /** Prints operations per CPU-second for each operation, after warm-up rounds. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("profiles")) {
      profiles();
      return;
    }
    TrustEvaluationBenchmark trust = new TrustEvaluationBenchmark();
    trust.setUp();
    PolicyJsonBenchmark json = new PolicyJsonBenchmark();
    json.setUp();
    long sink = 0;
    for (int round = 1; round <= 5; round++) {
      boolean report = round > 2;
      sink += measure(report, "evaluateAllowed", 5_000_000,
          () -> trust.evaluateAllowed().decision().ordinal());
      sink += measure(report, "evaluateDenied", 5_000_000,
          () -> trust.evaluateDenied().decision().ordinal());
      sink += measure(report, "webIdentityRequestAndEvaluate", 500_000,
          () -> trust.webIdentityRequestAndEvaluate().decision().ordinal());
      sink += measure(report, "evaluateDeniedAndExplain", 50_000,
          () -> trust.evaluateDeniedAndExplain().length());
      sink += measure(report, "parse", 20_000, () -> json.parse().statements().size());
      sink += measure(report, "toJson", 50_000, () -> json.toJson().length());
      sink += measure(report, "parseAndWrite", 20_000, () -> json.parseAndWrite().length());
    }
    AuthenticatorBenchmark auth = new AuthenticatorBenchmark();
    auth.setUp();
    try {
      for (int round = 1; round <= 5; round++) {
        boolean report = round > 2;
        sink += measure(report, "authenticateHit", 5_000_000,
            () -> auth.authenticateHit().password().length());
        sink += measureProcess(report, "authenticateMiss", 500,
            () -> auth.authenticateMiss().password().length());
      }
    } finally {
      auth.tearDown();
    }
    System.out.println("(checksum " + sink + ")");
  }

  /**
   * With the argument {@code profiles}: {@link ProfileTrustEvaluationBenchmark} for every
   * profile, allowed and sibling token.
   */
  private static void profiles() {
    long sink = 0;
    for (String profile : new String[] {"gitpod", "ona", "github-actions", "gitlab", "circleci",
        "bitbucket", "buildkite", "eks"}) {
      ProfileTrustEvaluationBenchmark b = new ProfileTrustEvaluationBenchmark();
      b.profile = profile;
      b.setUp();
      for (int round = 1; round <= 5; round++) {
        boolean report = round > 2;
        sink += measure(report, profile + " allowed", 2_000_000,
            () -> b.evaluateAllowed().decision().ordinal());
        sink += measure(report, profile + " sibling", 2_000_000,
            () -> b.evaluateSibling().decision().ordinal());
      }
    }
    System.out.println("(checksum " + sink + ")");
  }

  /**
   * Like {@link #measure} but divides by the CPU time of the whole process: a cache miss is
   * served by the in-process fake's threads, whose work belongs in the figure. Also prints the
   * wall time per operation, which the load on the machine inflates.
   */
  private static long measureProcess(boolean report, String name, int n, LongSupplier op) {
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    long sink = 0;
    long wallStart = System.nanoTime();
    long start = os.getProcessCpuTime();
    for (int i = 0; i < n; i++) {
      sink += op.getAsLong();
    }
    long cpu = os.getProcessCpuTime() - start;
    long wall = System.nanoTime() - wallStart;
    if (report) {
      System.out.printf("%-30s %,14.0f ops per process CPU-second (%,.0f us CPU, %,.0f us wall"
          + " per op)%n", name, n / (cpu / 1e9), cpu / 1e3 / n, wall / 1e3 / n);
    }
    return sink;
  }

  private static long measure(boolean report, String name, int n, LongSupplier op) {
    long sink = 0;
    long start = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      sink += op.getAsLong();
    }
    long cpu = THREADS.getCurrentThreadCpuTime() - start;
    if (report) {
      System.out.printf("%-30s %,14.0f ops per CPU-second%n", name, n / (cpu / 1e9));
    }
    return sink;
  }
}
