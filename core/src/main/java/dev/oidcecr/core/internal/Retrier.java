package dev.oidcecr.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Retries what AWS says may succeed later (throttling, {@code IDPCommunicationError}, 5xx, I/O)
 * with exponential backoff and jitter, within a total deadline; everything else fails at once.
 */
public final class Retrier {
  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

  private static final Set<String> RETRYABLE_CODES = Set.of(
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete",
      "IDPCommunicationError", "IDPCommunicationErrorException", "ServiceUnavailable",
      "InternalFailure", "InternalError", "ServerException", "RequestTimeout",
      "RequestTimeoutException");
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(5);

  /** Waits between attempts; tests inject one that does not really sleep. */
  @FunctionalInterface
  public interface Sleeper {
    /** Waits for the given time. */
    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps with {@link Thread#sleep(long)}. */
    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  private final Duration deadline;
  private final Sleeper sleeper;

  /** Creates a retrier giving up after {@code deadline} of waiting and working. */
  public Retrier(Duration deadline, Sleeper sleeper, Clock clock) {
    this.deadline = deadline;
    this.sleeper = sleeper;
  }

  /** Calls {@code call}, retrying retryable failures; {@code what} names the call in logs. */
  public <T> T call(String what, Supplier<T> call) {
    long start = System.nanoTime();
    Duration slept = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        if (!isRetryable(e) || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        long capMillis = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt - 1, 10));
        Duration backoff = Duration.ofMillis(
            capMillis / 2 + ThreadLocalRandom.current().nextLong(capMillis / 2 + 1));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start).plus(slept);
        if (elapsed.plus(backoff).compareTo(deadline) > 0) {
          throw e;
        }
        LOG.debug("{} failed (attempt {}): {}; retrying in {} ms", what, attempt,
            errorCode(e), backoff.toMillis());
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        slept = slept.plus(backoff);
      }
    }
  }

  /** Returns whether the failure, or the AWS failure it wraps, may succeed if retried. */
  public static boolean isRetryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException) {
        AwsServiceException ase = (AwsServiceException) t;
        return ase.statusCode() >= 500 || ase.isThrottlingException()
            || RETRYABLE_CODES.contains(errorCode(ase));
      }
      if (t instanceof SdkClientException) {
        // Only I/O (connection refused, reset, timeout) is worth another try.
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
          if (c instanceof java.io.IOException) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }

  private static String errorCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException && ((AwsServiceException) t).awsErrorDetails() != null) {
        return ((AwsServiceException) t).awsErrorDetails().errorCode();
      }
    }
    return e.getClass().getSimpleName();
  }
}
