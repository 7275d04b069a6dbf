package dev.oidcecr.core;

/** Thrown when a text is not a usable web identity token (not a JWT, or a claim is missing or malformed). */
public class InvalidTokenException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public InvalidTokenException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public InvalidTokenException(String message, Throwable cause) {
    super(message, cause);
  }
}
