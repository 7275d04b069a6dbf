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
   * Returns an AWS error with a message naming the injected fault.
   *
   * @param code the error code
   * @return an AWS error with a message naming the injected fault
   */
  static AwsError awsError(String code, int httpStatus) {
    return new AwsError(code, httpStatus, "Injected fault (FakeAws.failNext).");
  }

  /**
   * Returns an AWS error with the given message.
   *
   * @param code the error code
   * @param message the detail message, naming the problem and the fix
   * @return an AWS error with the given message
   */
  static AwsError awsError(String code, int httpStatus, String message) {
    return new AwsError(code, httpStatus, message);
  }

  /**
   * Returns a delay before the normal answer.
   *
   * @param delay how long to wait before answering
   * @return a delay before the normal answer
   */
  static Latency latency(Duration delay) {
    return new Latency(delay);
  }

  /**
   * Returns a connection reset before any answer.
   *
   * @return a connection reset before any answer
   */
  static ConnectionReset connectionReset() {
    return new ConnectionReset();
  }

  /**
   * Returns a body cut in half after the full headers.
   *
   * @return a body cut in half after the full headers
   */
  static TruncatedBody truncatedBody() {
    return new TruncatedBody();
  }

  /**
   * Returns a call that is never answered.
   *
   * @return a call that is never answered
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
     * @param code the error code
     * @param status the HTTP status code
     * @param message the detail message, naming the problem and the fix
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
     * @param delay how long to wait before answering
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
