package dev.oidcecr.policies;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One condition of a statement: an operator, a context key and the values to compare with. The
 * values of one condition are ORed; the conditions of a statement are ANDed.
 */
public final class Condition {
  private final ConditionOperator operator;
  private final String key;
  private final List<String> values;

  private Condition(ConditionOperator operator, String key, List<String> values) {
    this.operator = Objects.requireNonNull(operator, "operator");
    this.key = Objects.requireNonNull(key, "key");
    this.values = List.copyOf(values);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("A condition key cannot be empty");
    }
  }

  /**
   * Returns a condition; values may be empty only to model (and lint) a broken policy.
   *
   * @param operator the condition operator, such as {@code StringEquals}
   * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
   * @param values the accepted values, ORed
   * @return a condition; values may be empty only to model (and lint) a broken policy
   */
  public static Condition of(ConditionOperator operator, String key, List<String> values) {
    return new Condition(operator, key, values);
  }

  /**
   * Returns a condition with the given values.
   *
   * @param operator the condition operator, such as {@code StringEquals}
   * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
   * @param values the accepted values, ORed
   * @return a condition with the given values
   */
  public static Condition of(ConditionOperator operator, String key, String... values) {
    return new Condition(operator, key, List.of(values));
  }

  /**
   * Returns the operator, such as {@code StringLike} or {@code ForAnyValue:StringEquals}.
   *
   * @return the operator, such as {@code StringLike} or {@code ForAnyValue:StringEquals}
   */
  public ConditionOperator operator() {
    return operator;
  }

  /**
   * Returns the context key as written (IAM compares keys case-insensitively).
   *
   * @return the context key as written (IAM compares keys case-insensitively)
   */
  public String key() {
    return key;
  }

  /**
   * Returns the values as strings (numbers and booleans are kept as their JSON text).
   *
   * @return the values as strings (numbers and booleans are kept as their JSON text)
   */
  public List<String> values() {
    return values;
  }

  /**
   * Returns the key in lower case, the form IAM uses to look it up in the request context.
   *
   * @return the key in lower case, the form IAM uses to look it up in the request context
   */
  public String normalizedKey() {
    return key.toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Condition)) {
      return false;
    }
    Condition other = (Condition) o;
    return operator.equals(other.operator) && key.equals(other.key) && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(operator, key, values);
  }

  @Override
  public String toString() {
    return operator + " " + key + " " + values;
  }
}
