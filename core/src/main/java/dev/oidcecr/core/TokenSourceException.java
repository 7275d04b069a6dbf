package dev.oidcecr.core;

/** Thrown when a token source cannot produce a token: file missing, variable unset, command failed or timed out. */
public class TokenSourceException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the problem and the fix. */
  public TokenSourceException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the cause it explains. */
  public TokenSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
