package dev.oidcecr.testing.leaks;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeAwsExtension.Lifecycle;
import dev.oidcecr.testing.WithFakeAws;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Run by {@link ExtensionLeaksTest} only: every test and invocation gets its own fake. */
@WithFakeAws(lifecycle = Lifecycle.PER_TEST)
class PerTestSample {
  @Test
  void first(FakeAws aws) {
    Fakes.record("per-test", aws);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void invocation(int n, FakeAws aws) {
    Fakes.record("per-test", aws);
  }

  @Nested
  class Inner {
    @Test
    void nested(FakeAws aws) {
      Fakes.record("per-test", aws);
    }
  }
}
