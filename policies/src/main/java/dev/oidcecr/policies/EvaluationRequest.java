package dev.oidcecr.policies;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request to evaluate against a policy: an action, optionally a resource and a principal, and
 * the request context (condition keys, each with one or more values).
 *
 * <p>CONTRACT (implemented by the evaluator work): builder with {@code action(String)},
 * {@code resource(String)}, {@code principalArn(String)} (an AWS principal such as a role or
 * account ARN), {@code federatedProvider(String)} (a provider ARN for web identity), and
 * {@code putContext(String key, String... values)}; plus {@link #webIdentity}.
 */
public final class EvaluationRequest {
  // Filled in by the evaluator implementation.

  /**
   * Returns the request STS evaluates for {@code AssumeRoleWithWebIdentity} with a token from
   * the given OIDC provider: action {@code sts:AssumeRoleWithWebIdentity}, federated principal
   * {@code providerArn}, and context keys {@code <issuer host/path>:aud}, {@code :sub},
   * {@code :azp}, {@code :amr}, {@code :email} (where the claims have them) plus
   * {@code aws:FederatedProvider}.
   *
   * @param providerArn {@code arn:aws:iam::<account>:oidc-provider/<host/path>}
   * @param claims decoded token claims; {@code aud} may be a string or a list
   */
  public static EvaluationRequest webIdentity(String providerArn, Map<String, ?> claims) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Returns the action, such as {@code ecr:BatchGetImage}. */
  public String action() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Returns the resource ARN, if any. */
  public Optional<String> resource() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Returns the context: lower-cased keys to their values. */
  public Map<String, List<String>> context() {
    throw new UnsupportedOperationException("TODO");
  }

  /** TEMPORARY stub (testing branch) until the evaluator lands on main. */
  public static Builder builder() {
    return new Builder();
  }

  /** TEMPORARY stub (testing branch) until the evaluator lands on main. */
  public static final class Builder {
    /** Stub. */
    public Builder action(String action) { return this; }
    /** Stub. */
    public Builder resource(String resource) { return this; }
    /** Stub. */
    public Builder principalArn(String arn) { return this; }
    /** Stub. */
    public Builder federatedProvider(String arn) { return this; }
    /** Stub. */
    public Builder putContext(String key, String... values) { return this; }
    /** Stub. */
    public EvaluationRequest build() { throw new UnsupportedOperationException("TODO"); }
  }
}
