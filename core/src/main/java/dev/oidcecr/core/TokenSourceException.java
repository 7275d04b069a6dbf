package dev.oidcecr.core;

/** Thrown when a token source cannot produce a token: file missing, variable unset, command failed or timed out. */
public class TokenSourceException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public TokenSourceException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public TokenSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
