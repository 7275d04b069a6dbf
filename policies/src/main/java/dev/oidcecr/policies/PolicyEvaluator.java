package dev.oidcecr.policies;

/**
 * Evaluates requests against one policy with IAM's semantics. Compiled once (wildcards and
 * values prepared), then thread-safe and cheap per call.
 */
public final class PolicyEvaluator {
  private PolicyEvaluator() {}

  /** Returns an evaluator for the policy. */
  public static PolicyEvaluator of(PolicyDocument policy) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Evaluates the request. */
  public Evaluation evaluate(EvaluationRequest request) {
    throw new UnsupportedOperationException("TODO");
  }
}
