package dev.oidcecr.testing.internal;

/**
 * An AWS error to send back: the code, the HTTP status and the message, in the protocol of the
 * service that raised it. Messages never hold a secret.
 */
public final class AwsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int status;

  /** Creates an error. */
  public AwsError(String code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** Returns the AWS error code. */
  public String code() {
    return code;
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  static AwsError validation(String message) {
    return new AwsError("ValidationError", 400, message);
  }
}
