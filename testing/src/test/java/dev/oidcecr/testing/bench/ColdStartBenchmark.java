package dev.oidcecr.testing.bench;

import dev.oidcecr.testing.FakeAws;
import java.net.HttpURLConnection;

/**
 * Measures, in a fresh JVM, the time from {@code FakeAws.start()} (builder included) to the
 * first answered request. Run it several times in new JVMs; see BENCHMARKS.md for the command.
 */
public final class ColdStartBenchmark {
  private ColdStartBenchmark() {}

  /** Prints one line: build+start ms, first request ms, total ms. */
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    FakeAws fake = FakeAws.builder().build().start();
    long t1 = System.nanoTime();
    HttpURLConnection c = (HttpURLConnection) fake.registryEndpoint().toURL().openConnection();
    c.setConnectTimeout(5000);
    c.setReadTimeout(5000);
    int status = c.getResponseCode();
    long t2 = System.nanoTime();
    long cpu = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    fake.close();
    // CPU time shows the work itself; wall time also shows how busy the machine was.
    System.out.printf("cold start: start() %d ms, first request %d ms (HTTP %d), "
            + "start()->first answer %d ms wall; process CPU so far %d ms; load %.1f%n",
        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, status, (t2 - t0) / 1_000_000,
        cpu / 1_000_000, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage());
  }
}
