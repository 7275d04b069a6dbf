package dev.oidcecr.policies;

/** Whether a statement allows or denies what it matches. */
public enum Effect {
  /** Grants what the statement matches, unless another statement denies it. */
  ALLOW("Allow"),
  /** Refuses what the statement matches, overriding every {@code Allow}. */
  DENY("Deny");

  private final String jsonName;

  Effect(String jsonName) {
    this.jsonName = jsonName;
  }

  /**
   * Returns the name IAM writes in JSON: {@code Allow} or {@code Deny}.
   *
   * @return the name IAM writes in JSON
   */
  public String jsonName() {
    return jsonName;
  }

  /**
   * Returns the effect named by IAM's JSON value, which is case-sensitive.
   *
   * @throws IllegalArgumentException for anything but {@code Allow} or {@code Deny}
   *
   * @param name {@code Allow} or {@code Deny}, as in a statement's {@code Effect}
   * @return the effect named by IAM's JSON value, which is case-sensitive
   */
  public static Effect fromJsonName(String name) {
    for (Effect e : values()) {
      if (e.jsonName.equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not \"" + name + "\"");
  }
}
