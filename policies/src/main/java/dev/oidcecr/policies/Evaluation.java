package dev.oidcecr.policies;

import java.util.List;
import java.util.Optional;

/**
 * The result of evaluating a request: the decision and an explanation naming every statement and
 * condition with what it expected, what the request had, and whether it matched.
 *
 * <p>The per-statement view ({@link #statements()}) and the explanation are computed on first
 * use, so that evaluating stays cheap when only the decision is wanted.
 */
// Written by hand rather than with Immutables: the details are computed lazily from the
// compiled policy, which keeps evaluate() to one small allocation.
public final class Evaluation {
  private final PolicyEvaluator evaluator;
  private final EvaluationRequest request;
  private final Decision decision;
  private volatile List<StatementEvaluation> statements;
  private volatile String explanation;

  Evaluation(PolicyEvaluator evaluator, EvaluationRequest request, Decision decision) {
    this.evaluator = evaluator;
    this.request = request;
    this.decision = decision;
  }

  /**
   * Returns the decision.
   *
   * @return the decision
   */
  public Decision decision() {
    return decision;
  }

  /**
   * Returns whether the decision is {@link Decision#ALLOWED}.
   *
   * @return whether the decision is {@link Decision#ALLOWED}
   */
  public boolean isAllowed() {
    return decision == Decision.ALLOWED;
  }

  /**
   * Returns the request that was evaluated.
   *
   * @return the request that was evaluated
   */
  public EvaluationRequest request() {
    return request;
  }

  /**
   * Returns the policy that was evaluated.
   *
   * @return the policy that was evaluated
   */
  public PolicyDocument policy() {
    return evaluator.policy();
  }

  /**
   * Returns how each statement fared, in policy order.
   *
   * @return how each statement fared, in policy order
   */
  public List<StatementEvaluation> statements() {
    List<StatementEvaluation> s = statements;
    if (s == null) {
      s = List.copyOf(evaluator.explainStatements(request));
      statements = s;
    }
    return s;
  }

  /**
   * Returns the statement that decided: the first applying Deny for an explicit deny, the first
   * applying Allow when allowed, and empty for an implicit deny.
   *
   * @return the statement that decided: the first applying Deny for an explicit deny, the first applying Allow when allowed, and empty for an implicit deny
   */
  public Optional<StatementEvaluation> decidingStatement() {
    if (decision == Decision.IMPLICIT_DENY) {
      return Optional.empty();
    }
    Effect wanted = decision == Decision.ALLOWED ? Effect.ALLOW : Effect.DENY;
    return statements().stream().filter(s -> s.effect() == wanted && s.applies()).findFirst();
  }

  /**
   * Returns the multi-line explanation: the decision, the request, then for each statement its
   * principal, action and resource elements and each condition with its operator, key, expected
   * values, the request's values (or "missing") and whether it matched.
   *
   * @return the multi-line explanation: the decision, the request, then for each statement its principal, action and resource elements and each condition with its operator, key, expected values, the request's values (or "missing") and whether it matched
   */
  public String explanation() {
    String e = explanation;
    if (e == null) {
      e = Explainer.explain(this, evaluator);
      explanation = e;
    }
    return e;
  }

  /** Returns the explanation. */
  @Override
  public String toString() {
    return explanation();
  }
}
