package dev.oidcecr.testing.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeAwsExtension;
import dev.oidcecr.testing.FakeAwsExtension.Lifecycle;
import dev.oidcecr.testing.WithFakeAws;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Run by {@link ExtensionLeaksTest} only: tests that provably overlap (each waits for the other
 * at a barrier) each get their own fake.
 */
final class ParallelSample {
  private ParallelSample() {}

  @WithFakeAws(lifecycle = Lifecycle.PER_TEST)
  @Execution(ExecutionMode.CONCURRENT)
  static class Declarative {
    static final CyclicBarrier BOTH = new CyclicBarrier(2);

    @Test
    void one(FakeAws aws) throws Exception {
      Fakes.record("parallel", aws);
      BOTH.await(20, TimeUnit.SECONDS);
    }

    @Test
    void two(FakeAws aws) throws Exception {
      Fakes.record("parallel", aws);
      BOTH.await(20, TimeUnit.SECONDS);
    }
  }

  @Execution(ExecutionMode.CONCURRENT)
  static class Programmatic {
    static final CyclicBarrier BOTH = new CyclicBarrier(2);

    @RegisterExtension
    static FakeAwsExtension ext = FakeAwsExtension.builder().lifecycle(Lifecycle.PER_TEST).build();

    @Test
    void one(FakeAws aws) throws Exception {
      check(aws);
    }

    @Test
    void two(FakeAws aws) throws Exception {
      check(aws);
    }

    private static void check(FakeAws aws) throws Exception {
      Fakes.record("parallel-programmatic", aws);
      BOTH.await(20, TimeUnit.SECONDS);
      // Both fakes run now: fake() still answers with this test's own.
      assertThat(ext.fake()).isSameAs(aws);
      BOTH.await(20, TimeUnit.SECONDS);
    }
  }

  /** A shared fake reset before each test cannot serve concurrent tests: a clear failure. */
  @WithFakeAws
  @Execution(ExecutionMode.CONCURRENT)
  static class SharedAndReset {
    @org.junit.jupiter.api.BeforeAll
    static void seen(FakeAws aws) {
      Fakes.record("shared-reset", aws);
    }

    @Test
    void refused(FakeAws aws) {
      aws.reset();
    }
  }
}
