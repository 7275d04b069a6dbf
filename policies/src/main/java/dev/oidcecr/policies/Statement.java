package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One statement of an IAM policy: an effect, who it applies to, which actions and resources, and
 * under which conditions.
 *
 * <p>Empty lists stand for absent elements. Conditions are kept grouped by operator in the order
 * the operators first appear, which is how they are written in JSON, so that parsing what was
 * written gives back an equal statement.
 */
@Value.Immutable
@ValueStyle
public abstract class Statement {

  Statement() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this statement's values.
   *
   * @return a builder holding this statement's values
   */
  public Builder toBuilder() {
    return builder().from(this);
  }

  /**
   * Returns the statement id, if it has one.
   *
   * @return the statement id, if it has one
   */
  public abstract Optional<String> sid();

  /**
   * Returns {@link Effect#ALLOW} or {@link Effect#DENY}.
   *
   * @return {@link Effect#ALLOW} or {@link Effect#DENY}
   */
  public abstract Effect effect();

  /**
   * Returns the {@code Principal} element, if present.
   *
   * @return the {@code Principal} element, if present
   */
  public abstract Optional<Principal> principal();

  /**
   * Returns the {@code NotPrincipal} element, if present.
   *
   * @return the {@code NotPrincipal} element, if present
   */
  public abstract Optional<Principal> notPrincipal();

  /**
   * Returns the {@code Action} element's values (empty when absent).
   *
   * @return the {@code Action} element's values (empty when absent)
   */
  public abstract List<String> actions();

  /**
   * Returns the {@code NotAction} element's values (empty when absent).
   *
   * @return the {@code NotAction} element's values (empty when absent)
   */
  public abstract List<String> notActions();

  /**
   * Returns the {@code Resource} element's values (empty when absent).
   *
   * @return the {@code Resource} element's values (empty when absent)
   */
  public abstract List<String> resources();

  /**
   * Returns the {@code NotResource} element's values (empty when absent).
   *
   * @return the {@code NotResource} element's values (empty when absent)
   */
  public abstract List<String> notResources();

  /**
   * Returns the conditions, all of which must hold for the statement to apply.
   *
   * @return the conditions, all of which must hold for the statement to apply
   */
  public abstract List<Condition> conditions();

  /**
   * Returns the conditions grouped by operator, in the order they are written.
   *
   * @return the conditions grouped by operator, in the order they are written
   */
  public Map<ConditionOperator, List<Condition>> conditionsByOperator() {
    Map<ConditionOperator, List<Condition>> grouped = new LinkedHashMap<>();
    for (Condition c : conditions()) {
      grouped.computeIfAbsent(c.operator(), k -> new ArrayList<>()).add(c);
    }
    return grouped;
  }

  @Value.Check
  Statement normalize() {
    if (principal().isPresent() && notPrincipal().isPresent()) {
      throw new IllegalArgumentException(
          "A statement cannot have both Principal and NotPrincipal: keep one of them");
    }
    if (!actions().isEmpty() && !notActions().isEmpty()) {
      throw new IllegalArgumentException(
          "A statement cannot have both Action and NotAction: keep one of them");
    }
    if (!resources().isEmpty() && !notResources().isEmpty()) {
      throw new IllegalArgumentException(
          "A statement cannot have both Resource and NotResource: keep one of them");
    }
    Map<ConditionOperator, List<Condition>> grouped = conditionsByOperator();
    List<Condition> ordered = new ArrayList<>(conditions().size());
    for (Map.Entry<ConditionOperator, List<Condition>> e : grouped.entrySet()) {
      List<String> seen = new ArrayList<>();
      for (Condition c : e.getValue()) {
        if (seen.contains(c.key())) {
          throw new IllegalArgumentException(
              "Condition key \"" + c.key() + "\" appears twice under " + e.getKey()
                  + ": put all its values in one Condition (values of one key are ORed)");
        }
        seen.add(c.key());
        ordered.add(c);
      }
    }
    if (ordered.equals(conditions())) {
      return this;
    }
    return builder().from(this).conditions(ordered).build();
  }

  /** Builds a {@link Statement}; {@link #effect(Effect)} is required. */
  public static final class Builder extends ImmutableStatement.Builder {
    Builder() {}

    /**
     * Shorthand for {@code effect(Effect.ALLOW)}.
     *
     * @return this builder
     */
    public Builder allow() {
      return effect(Effect.ALLOW);
    }

    /**
     * Shorthand for {@code effect(Effect.DENY)}.
     *
     * @return this builder
     */
    public Builder deny() {
      return effect(Effect.DENY);
    }

    /**
     * Adds a condition with one or more values (ORed).
     *
     * @param operator the condition operator, such as {@code StringEquals}
     * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
     * @param values the accepted values, ORed
     * @return this builder
     */
    public Builder addCondition(ConditionOperator operator, String key, String... values) {
      return addConditions(Condition.of(operator, key, List.of(values)));
    }
  }
}
