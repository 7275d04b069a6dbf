import dev.oidcecr.examples.benchmarks.AuthenticatorBenchmark;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Thread CPU time per cache-hit authenticate(), for comparing two builds on a loaded machine
 * (JMH's wall figures there measure the queue for a core, not the code). Runs the same
 * AuthenticatorBenchmark.authenticateHit as JMH, in plain loops: 3 warm-up rounds, then 7
 * reported rounds of 5 million calls each, every round's figure printed so the spread shows.
 *
 * <p>Run with the Java source launcher against a benchmarks jar:
 * {@code java -cp examples/target/benchmarks.jar examples/benchmarks/CacheHitCpu.java}
 */
public class CacheHitCpu {
  public static void main(String[] args) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    AuthenticatorBenchmark auth = new AuthenticatorBenchmark();
    auth.setUp();
    long sink = 0;
    try {
      for (int round = 1; round <= 10; round++) {
        int n = 5_000_000;
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          sink += auth.authenticateHit().password().length();
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        if (round > 3) {
          System.out.printf("round %d: %.1f ns of thread CPU per hit%n", round, (double) cpu / n);
        }
      }
    } finally {
      auth.tearDown();
    }
    System.out.println("(checksum " + sink + ")");
  }
}
