package dev.oidcecr.core;

/** Thrown when Amazon ECR fails to issue an authorization token for a reason other than a denial. */
public class EcrAuthorizationException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public EcrAuthorizationException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public EcrAuthorizationException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception for a failure reported by AWS.
   *
   * @param message what failed and what to check
   * @param cause the SDK exception, or {@code null}
   * @param awsErrorCode AWS's error code, or {@code null}
   * @param requestId AWS's request id, or {@code null}
   */
  public EcrAuthorizationException(String message, Throwable cause, String awsErrorCode, String requestId) {
    super(message, cause, awsErrorCode, requestId);
  }
}
