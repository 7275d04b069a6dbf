package dev.oidcecr.testing.bench;

import dev.oidcecr.testing.FakeAws;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The in-JVM second start: after one fake has started, answered and closed in this JVM, the time
 * of {@code FakeAws.builder().build().start()} and from there to the first answer (an STS
 * {@code GetCallerIdentity} POST, answered 403 unsigned), for {@code runs} more fakes, each
 * closed before the next. Argument: runs (default 20). A plain main, not a test.
 */
public final class SecondStartBenchmark {
  private SecondStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    once(http);
    List<Double> starts = new ArrayList<>();
    List<Double> answers = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      double[] r = once(http);
      starts.add(r[0]);
      answers.add(r[1]);
    }
    Collections.sort(starts);
    Collections.sort(answers);
    System.out.printf(Locale.ROOT, "second start, %d runs: start() median %.1f ms (min %.1f, "
            + "max %.1f); start() to first answer median %.1f ms (min %.1f, max %.1f); load %s%n",
        runs, starts.get(runs / 2), starts.get(0), starts.get(runs - 1), answers.get(runs / 2),
        answers.get(0), answers.get(runs - 1), new String(java.nio.file.Files.readAllBytes(
            java.nio.file.Path.of("/proc/loadavg"))).trim());
  }

  private static double[] once(HttpClient http) throws Exception {
    long t0 = System.nanoTime();
    try (FakeAws fake = FakeAws.builder().build().start()) {
      long t1 = System.nanoTime();
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(fake.endpoint())
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(
              "Action=GetCallerIdentity&Version=2011-06-15")).build(),
          HttpResponse.BodyHandlers.discarding());
      long t2 = System.nanoTime();
      if (r.statusCode() == 0) {
        throw new IllegalStateException("no answer");
      }
      return new double[] {(t1 - t0) / 1e6, (t2 - t0) / 1e6};
    }
  }
}
