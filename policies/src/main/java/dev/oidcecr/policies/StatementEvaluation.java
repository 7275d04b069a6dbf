package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.immutables.value.Value;

/**
 * How one statement fared against a request: whether its principal, action and resource elements
 * matched, how each of its conditions fared, and so whether it applies.
 *
 * <p>An element the statement does not have, or that the request gives nothing to compare with
 * (no principal in the request, no resource), counts as matched.
 */
@Value.Immutable
@ValueStyle
public abstract class StatementEvaluation {

  StatementEvaluation() {}

  static ImmutableStatementEvaluation.Builder builder() {
    return ImmutableStatementEvaluation.builder();
  }

  /**
   * Returns the statement's position in the policy, from 0.
   *
   * @return the statement's position in the policy, from 0
   */
  public abstract int index();

  /**
   * Returns the statement as written in the policy.
   *
   * @return the statement as written in the policy
   */
  public abstract Statement statement();

  /**
   * Returns the statement's Sid, if it has one.
   *
   * @return the statement's Sid, if it has one
   */
  public Optional<String> sid() {
    return statement().sid();
  }

  /**
   * Returns the statement's effect.
   *
   * @return the statement's effect
   */
  public Effect effect() {
    return statement().effect();
  }

  /**
   * Returns the name used in explanations: {@code Statement[0] "Sid"} or {@code Statement[0]}.
   *
   * @return the name used in explanations
   */
  public String label() {
    return "Statement[" + index() + "]" + sid().map(s -> " \"" + s + "\"").orElse("");
  }

  /**
   * Returns whether the Principal or NotPrincipal element matched the request's principal.
   *
   * @return whether the Principal or NotPrincipal element matched the request's principal
   */
  public abstract boolean principalMatched();

  /**
   * Returns whether the Action or NotAction element matched the request's action.
   *
   * @return whether the Action or NotAction element matched the request's action
   */
  public abstract boolean actionMatched();

  /**
   * Returns whether the Resource or NotResource element matched the request's resource.
   *
   * @return whether the Resource or NotResource element matched the request's resource
   */
  public abstract boolean resourceMatched();

  /**
   * Returns each condition's result, in the order of the statement's conditions.
   *
   * @return each condition's result, in the order of the statement's conditions
   */
  public abstract List<ConditionEvaluation> conditions();

  /**
   * Returns the conditions that did not hold.
   *
   * @return the conditions that did not hold
   */
  public List<ConditionEvaluation> failedConditions() {
    return conditions().stream().filter(c -> !c.matched()).collect(Collectors.toList());
  }

  /**
   * Returns whether every element matched and every condition held.
   *
   * @return whether every element matched and every condition held
   */
  public boolean applies() {
    return principalMatched() && actionMatched() && resourceMatched()
        && conditions().stream().allMatch(ConditionEvaluation::matched);
  }
}
