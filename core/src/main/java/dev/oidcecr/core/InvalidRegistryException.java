package dev.oidcecr.core;

/** Thrown when a text is not an Amazon ECR registry host or image reference. */
public class InvalidRegistryException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public InvalidRegistryException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public InvalidRegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
