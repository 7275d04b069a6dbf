package dev.oidcecr.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure the fake injects into calls, with {@link FakeAws#failNext(String, int, Fault)} or
 * {@link FakeAws#addFault(String, Fault)}. Every fault applies to every endpoint: STS, ECR, IAM
 * and the registry ({@code /v2/...}).
 *
 * <ul>
 *   <li>{@link #awsError(String, int)}: an error answer in the service's own format (AWS query
 *       XML, ECR JSON, or the registry's {@code {"errors":[...]}});
 *   <li>{@link #latency(Duration)}: the call is answered normally, that much later;
 *   <li>{@link #connectionReset()}: the connection is reset before any answer;
 *   <li>{@link #truncatedBody()}: the call is carried out, the status line, the headers with
 *       the full {@code Content-Length} and half the body are sent, then the connection closes
 *       (an HTTP/1.1 client reads an early end of stream; one that upgraded to cleartext
 *       HTTP/2, as the JDK's {@code HttpClient} does by default, sees a short body);
 *   <li>{@link #hang()}: the call is never answered: the fake holds the connection until the
 *       client gives up, or until {@link FakeAws#reset()} or {@link FakeAws#close()}.
 * </ul>
 */
public sealed interface Fault {

  /**
   * Returns an error answer whose message reads {@code Injected fault (FakeAws.failNext).}
   *
   * @param code the AWS error code, such as {@code ThrottlingException}, or for the registry a
   *     Docker error code such as {@code TOOMANYREQUESTS}
   * @param httpStatus the HTTP status of the answer, 400 to 599
   * @return the fault
   * @throws IllegalArgumentException for a blank code or a status outside 400-599
   */
  static AwsError awsError(String code, int httpStatus) {
    return new AwsError(code, httpStatus, "Injected fault (FakeAws.failNext).");
  }

  /**
   * Returns an error answer with the given message, as the service's error body carries it.
   *
   * @param code the AWS error code, such as {@code AccessDenied}, or for the registry a Docker
   *     error code such as {@code DENIED}
   * @param httpStatus the HTTP status of the answer, 400 to 599
   * @param message the error message the client will read
   * @return the fault
   * @throws IllegalArgumentException for a blank code or a status outside 400-599
   */
  static AwsError awsError(String code, int httpStatus, String message) {
    return new AwsError(code, httpStatus, message);
  }

  /**
   * Returns a delay before the normal answer, for timeouts and slow-service tests.
   *
   * @param delay how long to wait before answering, zero or more
   * @return the fault
   * @throws IllegalArgumentException for a negative delay
   */
  static Latency latency(Duration delay) {
    return new Latency(delay);
  }

  /**
   * Returns a fault that resets the connection before any byte of the answer is sent (the
   * call is not carried out).
   *
   * @return the fault
   */
  static ConnectionReset connectionReset() {
    return new ConnectionReset();
  }

  /**
   * Returns a fault that carries the call out, then sends the full headers and only the
   * first half of the body before closing the connection.
   *
   * @return the fault
   */
  static TruncatedBody truncatedBody() {
    return new TruncatedBody();
  }

  /**
   * Returns a fault that never answers the call: the fake holds the connection until the
   * client gives up, or until {@link FakeAws#reset()} or {@link FakeAws#close()}.
   *
   * @return the fault
   */
  static Hang hang() {
    return new Hang();
  }

  /**
   * An error answer, such as {@code ThrottlingException} with status 400 or
   * {@code ServiceUnavailable} with 503 (for the registry, a Docker error code such as
   * {@code TOOMANYREQUESTS} with 429).
   */
  record AwsError(String code, int status, String message) implements Fault {
    /**
     * Checks the code and the status.
     *
     * @param code the error code, not blank
     * @param status the HTTP status, 400 to 599
     * @param message the error message the client will read
     * @throws IllegalArgumentException for a blank code or a status outside 400-599
     */
    public AwsError {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
      if (code.isBlank() || status < 400 || status > 599) {
        throw new IllegalArgumentException("Fault.awsError needs an error code and an HTTP "
            + "status 400-599, got code='" + code + "', status=" + status
            + ": use e.g. Fault.awsError(\"ThrottlingException\", 400).");
      }
    }
  }

  /** A delay before the normal answer. */
  record Latency(Duration delay) implements Fault {
    /**
     * Checks the delay.
     *
     * @param delay how long to wait before answering, zero or more
     * @throws IllegalArgumentException for a negative delay
     */
    public Latency {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("Fault.latency needs a delay of zero or more, got "
            + delay + ".");
      }
    }
  }

  /** A connection reset before any answer. */
  record ConnectionReset() implements Fault {}

  /** Full headers, then half the body, then the connection closes. */
  record TruncatedBody() implements Fault {}

  /** No answer until the client gives up or the fake is reset or closed. */
  record Hang() implements Fault {}
}
