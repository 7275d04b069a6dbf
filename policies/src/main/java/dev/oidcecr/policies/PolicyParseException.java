package dev.oidcecr.policies;

/**
 * A policy document could not be read. The message names the JSON pointer of the offending spot
 * and the problem; {@link #pointer()} gives the pointer alone.
 */
public final class PolicyParseException extends PolicyException {
  private static final long serialVersionUID = 1L;

  /** The JSON pointer (RFC 6901) of the offending element, {@code ""} for the root. */
  private final String pointer;

  /**
   * Creates an exception for the element at {@code pointer} (RFC 6901, {@code ""} for root).
   *
   * @param pointer the JSON pointer (RFC 6901) of the offending element
   * @param problem what is wrong with the element
   */
  public PolicyParseException(String pointer, String problem) {
    super("Invalid policy at " + (pointer.isEmpty() ? "/" : pointer) + ": " + problem);
    this.pointer = pointer;
  }

  /**
   * Returns the JSON pointer of the offending element ({@code ""} for the document).
   *
   * @return the JSON pointer of the offending element ({@code ""} for the document)
   */
  public String pointer() {
    return pointer;
  }
}
