package dev.oidcecr.core;

/** Thrown when a Docker {@code config.json} cannot be read, locked or written. */
public class DockerConfigException extends OidcEcrException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public DockerConfigException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the cause it explains.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public DockerConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
