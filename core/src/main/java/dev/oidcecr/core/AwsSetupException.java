package dev.oidcecr.core;

/**
 * Thrown by {@link AwsSetup} when the setup cannot be planned or applied: a missing repository, a
 * trust policy the linter refuses, an AWS call that failed (its error code and request id are
 * kept in {@link #awsErrorCode()} and {@link #requestId()}).
 */
public class AwsSetupException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public AwsSetupException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public AwsSetupException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception for a failure AWS reported.
   *
   * @param message what failed and what to check
   * @param cause the SDK exception
   * @param awsErrorCode AWS's error code, or {@code null}
   * @param requestId AWS's request id, or {@code null}
   */
  public AwsSetupException(String message, Throwable cause, String awsErrorCode, String requestId) {
    super(message, cause, awsErrorCode, requestId);
  }
}
