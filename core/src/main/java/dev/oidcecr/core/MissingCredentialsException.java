package dev.oidcecr.core;

/**
 * Thrown when the SDK clients an {@link AwsSetup} built find no AWS credentials. The message
 * says which Java calls give them; the command line prints its own advice (options and
 * environment variables) for this type.
 */
public class MissingCredentialsException extends AwsSetupException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with the message and the SDK's failure.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public MissingCredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
