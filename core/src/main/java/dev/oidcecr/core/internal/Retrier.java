package dev.oidcecr.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Retries what AWS says may succeed later (throttling, {@code IDPCommunicationError}, 5xx, I/O)
 * with exponential backoff and jitter, within a total deadline; everything else fails at once.
 *
 * <p>The deadline covers the whole operation: each attempt is told how much time is left, and
 * passes it to the SDK as the call's {@code apiCallTimeout}, so that a server that answers one
 * byte at a time is cut off too, not only the waits between attempts.
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
  /** The least time an attempt is given, so that a spent deadline still ends in a named call. */
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(1);

  /** Waits between attempts; tests inject one that does not really sleep. */
  @FunctionalInterface
  public interface Sleeper {
    /** Waits for the given time. */
    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps with {@link Thread#sleep(long)}. */
    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  /** The end of one operation (which may make several calls), on the monotonic clock. */
  public static final class Deadline {
    private final long endNanos;
    private final Duration total;
    private long sleptNanos;

    private Deadline(Duration total) {
      this.total = total;
      this.endNanos = System.nanoTime() + total.toNanos();
    }

    /** Returns the whole time the operation was given. */
    public Duration total() {
      return total;
    }

    /** Returns the time left, zero or more; time spent in a fake sleeper counts too. */
    public Duration remaining() {
      long left = endNanos - System.nanoTime() - sleptNanos;
      return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
  }

  private final Duration deadline;
  private final Sleeper sleeper;

  /** Creates a retrier giving up after {@code deadline} of waiting and working. */
  public Retrier(Duration deadline, Sleeper sleeper, Clock clock) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("The deadline must be positive, not " + deadline);
    }
    this.deadline = deadline;
    this.sleeper = sleeper;
  }

  /** Returns the total time an operation may take. */
  public Duration deadline() {
    return deadline;
  }

  /** Starts the clock of one operation. */
  public Deadline start() {
    return new Deadline(deadline);
  }

  /** Calls {@code call}, retrying retryable failures; {@code what} names the call in logs. */
  public <T> T call(String what, Supplier<T> call) {
    return call(what, start(), remaining -> call.get());
  }

  /**
   * Calls {@code call} with the time left before {@code until}, retrying retryable failures while
   * time is left; {@code what} names the call in logs.
   */
  public <T> T call(String what, Deadline until, Function<Duration, T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        Duration left = until.remaining();
        return call.apply(left.compareTo(MIN_ATTEMPT) < 0 ? MIN_ATTEMPT : left);
      } catch (RuntimeException e) {
        if (!isRetryable(e) || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        long capMillis = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt - 1, 10));
        Duration backoff = Duration.ofMillis(
            capMillis / 2 + ThreadLocalRandom.current().nextLong(capMillis / 2 + 1));
        if (backoff.compareTo(until.remaining()) >= 0) {
          throw e;
        }
        LOG.debug("{} failed (attempt {}): {}; retrying in {} ms", what, attempt,
            errorCode(e) != null ? errorCode(e) : e.getClass().getSimpleName(),
            backoff.toMillis());
        long before = System.nanoTime();
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        // A fake sleeper returns at once: count the time it stood for.
        until.sleptNanos += Math.max(0, backoff.toNanos() - (System.nanoTime() - before));
      }
    }
  }

  /** Returns whether the failure, or the AWS failure it wraps, may succeed if retried. */
  public static boolean isRetryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException) {
        AwsServiceException ase = (AwsServiceException) t;
        String code = errorCode(ase);
        // A 4xx without an AWS error code is not AWS answering (a proxy's page, a wrong
        // endpoint): asking again gets the same page.
        return ase.statusCode() >= 500 || ase.isThrottlingException()
            || (code != null && RETRYABLE_CODES.contains(code));
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

  /** Returns AWS's error code in the failure's causes, or {@code null} when there is none. */
  private static String errorCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsServiceException && ((AwsServiceException) t).awsErrorDetails() != null) {
        return ((AwsServiceException) t).awsErrorDetails().errorCode();
      }
    }
    return null;
  }
}
