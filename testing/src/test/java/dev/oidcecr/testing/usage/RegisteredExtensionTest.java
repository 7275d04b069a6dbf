package dev.oidcecr.testing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeAwsExtension;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The programmatic form with a fresh fake per test. */
class RegisteredExtensionTest {
  private static final Set<Integer> PORTS = new HashSet<>();

  @RegisterExtension
  static FakeAwsExtension aws = FakeAwsExtension.builder()
      .lifecycle(FakeAwsExtension.Lifecycle.PER_TEST)
      .region("ap-southeast-2")
      .build();

  @RepeatedTest(2)
  void eachTestGetsItsOwnFake(FakeAws injected) {
    assertThat(injected).isSameAs(aws.fake());
    assertThat(injected.region()).isEqualTo("ap-southeast-2");
    assertThat(injected.endpoint().getHost()).isEqualTo("localhost");
    PORTS.add(injected.port());
  }

  @AfterAll
  static void twoServersWereStarted() {
    assertThat(PORTS).hasSize(2);
  }
}
