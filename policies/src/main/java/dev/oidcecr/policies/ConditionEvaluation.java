package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/**
 * How one condition of a statement fared against a request: the operator, the key, the values
 * the policy expected, the values the request had (none when the key was missing) and whether the
 * condition held.
 */
@Value.Immutable
@ValueStyle
public abstract class ConditionEvaluation {

  ConditionEvaluation() {}

  static ImmutableConditionEvaluation.Builder builder() {
    return ImmutableConditionEvaluation.builder();
  }

  /**
   * Returns the condition as written in the policy.
   *
   * @return the condition as written in the policy
   */
  public abstract Condition condition();

  /**
   * Returns the operator, such as {@code StringLike}.
   *
   * @return the operator, such as {@code StringLike}
   */
  public ConditionOperator operator() {
    return condition().operator();
  }

  /**
   * Returns the key as written in the policy.
   *
   * @return the key as written in the policy
   */
  public String key() {
    return condition().key();
  }

  /**
   * Returns the values the policy lists for the key.
   *
   * @return the values the policy lists for the key
   */
  public List<String> expected() {
    return condition().values();
  }

  /**
   * Returns the request's values for the key; empty when the key is missing.
   *
   * @return the request's values for the key; empty when the key is missing
   */
  public abstract List<String> actual();

  /**
   * Returns whether the request had the key (with at least one value).
   *
   * @return whether the request had the key (with at least one value)
   */
  public boolean keyPresent() {
    return !actual().isEmpty();
  }

  /**
   * Returns whether the condition held.
   *
   * @return whether the condition held
   */
  public abstract boolean matched();
}
