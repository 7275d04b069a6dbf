package dev.oidcecr.policies;

/** The root of the exceptions thrown by the policies module. */
public class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the problem and the fix.
   *
   * @param message the detail message, naming the problem and the fix
   */
  public PolicyException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message the detail message, naming the problem and the fix
   * @param cause the underlying failure, kept as the cause
   */
  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
