package dev.oidcecr.core;

/** Thrown when a text is not the ARN of an IAM role. */
public class InvalidRoleArnException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public InvalidRoleArnException(String message) {
    super(message);
  }
}
