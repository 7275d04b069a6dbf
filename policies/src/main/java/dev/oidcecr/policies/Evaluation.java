package dev.oidcecr.policies;

/**
 * The result of evaluating a request: the decision and an explanation naming every statement and
 * condition with what it expected, what the request had, and whether it matched.
 *
 * <p>CONTRACT: {@code decision()}, {@code isAllowed()}, {@code explanation()} (multi-line text),
 * and a structured per-statement view; {@code toString()} returns the explanation.
 */
public final class Evaluation {
  /** Returns the decision. */
  public Decision decision() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Returns whether the decision is {@link Decision#ALLOWED}. */
  public boolean isAllowed() {
    return decision() == Decision.ALLOWED;
  }

  /** Returns the multi-line explanation. */
  public String explanation() {
    throw new UnsupportedOperationException("TODO");
  }
}
