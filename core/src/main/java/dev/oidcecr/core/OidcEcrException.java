package dev.oidcecr.core;

import java.util.Optional;

/**
 * The root of the exceptions thrown by the core module.
 *
 * <p>Every message names what failed (the token, the registry host, the file, the role) and the
 * next step to fix it, and never contains a token, password or secret key. When the failure came
 * from AWS, {@link #awsErrorCode()} and {@link #requestId()} keep AWS's error code and request id
 * so that callers can branch on the code rather than on the text.
 */
public class OidcEcrException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** AWS's error code, such as {@code AccessDenied}, or {@code null} when AWS did not answer. */
  private final String awsErrorCode;
  /** AWS's request id of the failed call, or {@code null} when AWS did not answer. */
  private final String requestId;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public OidcEcrException(String message) {
    this(message, null, null, null);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public OidcEcrException(String message, Throwable cause) {
    this(message, cause, null, null);
  }

  /**
   * Creates an exception for a failure reported by AWS.
   *
   * @param message what failed and what to check
   * @param cause the SDK exception, or {@code null}
   * @param awsErrorCode AWS's error code (for example {@code AccessDenied}), or {@code null}
   * @param requestId AWS's request id, or {@code null}
   */
  protected OidcEcrException(
      String message, Throwable cause, String awsErrorCode, String requestId) {
    super(message, cause);
    this.awsErrorCode = blankToNull(awsErrorCode);
    this.requestId = blankToNull(requestId);
  }

  /**
   * Returns the error code AWS answered with, when the failure came from AWS.
   *
   * @return the error code AWS answered with, when the failure came from AWS
   */
  public Optional<String> awsErrorCode() {
    return Optional.ofNullable(awsErrorCode);
  }

  /**
   * Returns the id of the AWS request that failed, when the failure came from AWS.
   *
   * @return the id of the AWS request that failed, when the failure came from AWS
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
