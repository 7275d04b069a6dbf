package dev.oidcecr.core;

/** Thrown when the on-disk credential cache cannot be written. */
public class CredentialCacheException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public CredentialCacheException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public CredentialCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
