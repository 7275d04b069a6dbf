package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * One fake and one set of real SDK clients per test class, the fake's state reset before each
 * test (test classes run one after another, so the static fields are never shared at once).
 */
abstract class SharedFakeTest {
  static FakeAws fake;
  static Clients clients;

  @BeforeAll
  static void startFake() {
    fake = FakeAws.builder().build().start();
    clients = new Clients(fake);
  }

  @AfterAll
  static void stopFake() {
    clients.close();
    fake.close();
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  /** Asserts the SDK exception class, AWS error code, HTTP status and message of a failure. */
  static void assertAws(Throwable t, Class<?> type, String code, int status, String message) {
    assertThat(t).isInstanceOf(type);
    AwsServiceException e = (AwsServiceException) t;
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorMessage()).contains(message);
  }
}
