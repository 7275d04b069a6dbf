package dev.oidcecr.testing.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Run by {@link ExtensionLeaksTest} only: nested classes share the outer class's fake. */
@WithFakeAws
class NestedSample {
  @Test
  void outer(FakeAws aws) {
    Fakes.record("nested", aws);
  }

  @Nested
  class Inner {
    @Test
    void inner(FakeAws aws) {
      Fakes.record("nested", aws);
    }

    @Nested
    class Deeper {
      @Test
      void deeper(FakeAws aws, FakeOidcIssuer issuer) {
        assertThat(issuer).isSameAs(aws.issuer());
        Fakes.record("nested", aws);
      }
    }
  }

  @Nested
  @WithFakeAws(region = "us-east-1")
  class WithItsOwnFake {
    @Test
    void own(FakeAws aws) {
      assertThat(aws.region()).isEqualTo("us-east-1");
      Fakes.record("nested-own", aws);
    }
  }
}
