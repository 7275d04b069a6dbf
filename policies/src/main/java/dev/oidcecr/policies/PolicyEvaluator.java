package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Evaluates requests against one policy with IAM's semantics. Compiled once (wildcards and
 * values prepared), then thread-safe and cheap per call.
 *
 * <pre>{@code
 * PolicyEvaluator trust = PolicyEvaluator.of(trustPolicy);
 * Evaluation e = trust.evaluateWebIdentity(
 *     "https://services.gitpod.example.com/idp", "123456789012",
 *     Map.of("aud", List.of("sts.amazonaws.com"), "sub", "https://github.com/acme/app"));
 * if (!e.isAllowed()) {
 *   System.out.println(e.explanation());
 * }
 * }</pre>
 *
 * <p>The rules: an applying Deny statement beats everything; otherwise an applying Allow
 * statement allows; otherwise the request is implicitly denied. A statement applies when its
 * principal, action and resource elements match and all its conditions hold. Elements the
 * statement lacks, or that the request gives nothing to compare with (no principal, no
 * resource), do not stop it from applying. Policy variables such as {@code ${aws:username}} are
 * not substituted.
 */
public final class PolicyEvaluator {
  private final PolicyDocument policy;
  private final CompiledStatement[] statements;
  private final CompiledStatement[] denies;
  private final CompiledStatement[] allows;

  private PolicyEvaluator(PolicyDocument policy) {
    this.policy = policy;
    List<CompiledStatement> all = new ArrayList<>();
    List<CompiledStatement> deny = new ArrayList<>();
    List<CompiledStatement> allow = new ArrayList<>();
    List<Statement> source = policy.statements();
    for (int i = 0; i < source.size(); i++) {
      CompiledStatement s = new CompiledStatement(i, source.get(i));
      all.add(s);
      (s.deny ? deny : allow).add(s);
    }
    this.statements = all.toArray(new CompiledStatement[0]);
    this.denies = deny.toArray(new CompiledStatement[0]);
    this.allows = allow.toArray(new CompiledStatement[0]);
  }

  /**
   * Returns an evaluator for the policy.
   *
   * @throws PolicyException when a condition value is not of its operator's type (a number for
   *     {@code NumericLessThan}, a CIDR range for {@code IpAddress}, ...), which IAM rejects too
   *
   * @param policy the policy document
   * @return an evaluator for the policy
   */
  public static PolicyEvaluator of(PolicyDocument policy) {
    return new PolicyEvaluator(Objects.requireNonNull(policy, "policy"));
  }

  /**
   * Evaluates a trust policy against decoded token claims as STS would for
   * {@code AssumeRoleWithWebIdentity}: a shortcut for
   * {@code of(trustPolicy).evaluateWebIdentity(issuerUrl, accountId, claims)}.
   *
   * @param trustPolicy the role's trust policy
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @param accountId the 12-digit AWS account ID
   * @param claims the decoded token claims, by name
   * @return the decision, with every statement's and condition's result
   */
  public static Evaluation checkWebIdentity(
      PolicyDocument trustPolicy, String issuerUrl, String accountId, Map<String, ?> claims) {
    return of(trustPolicy).evaluateWebIdentity(issuerUrl, accountId, claims);
  }

  /**
   * Returns the policy this evaluator was compiled from.
   *
   * @return the policy this evaluator was compiled from
   */
  public PolicyDocument policy() {
    return policy;
  }

  /**
   * Evaluates the request.
   *
   * @param request the request to evaluate
   * @return the decision, with every statement's and condition's result
   */
  public Evaluation evaluate(EvaluationRequest request) {
    return new Evaluation(this, request, decide(Objects.requireNonNull(request, "request")));
  }

  /**
   * Evaluates the request configured by the consumer, for example
   * {@code evaluate(r -> r.action("ecr:BatchGetImage").resource(repositoryArn))}.
   *
   * @throws IllegalStateException when the consumer sets no action
   *
   * @param request the request to evaluate
   * @return the decision, with every statement's and condition's result
   */
  public Evaluation evaluate(Consumer<EvaluationRequest.Builder> request) {
    EvaluationRequest.Builder b = EvaluationRequest.builder();
    request.accept(b);
    return evaluate(b.build());
  }

  /**
   * Evaluates the request STS builds for a token with these claims from the issuer registered as
   * an OIDC provider in the account; see {@link EvaluationRequest#webIdentity(String, String,
   * Map)}.
   *
   * @param issuerUrl the token's {@code iss}, such as {@code https://services.gitpod.example.com/idp}
   * @param accountId the 12-digit id of the account with the OIDC provider and the role
   * @param claims decoded token claims ({@code aud} a string or a list)
   *
   * @return the decision, with every statement's and condition's result
   */
  public Evaluation evaluateWebIdentity(
      String issuerUrl, String accountId, Map<String, ?> claims) {
    return evaluate(EvaluationRequest.webIdentity(issuerUrl, accountId, claims));
  }

  private Decision decide(EvaluationRequest request) {
    for (CompiledStatement s : denies) {
      if (s.applies(request)) {
        return Decision.EXPLICIT_DENY;
      }
    }
    for (CompiledStatement s : allows) {
      if (s.applies(request)) {
        return Decision.ALLOWED;
      }
    }
    return Decision.IMPLICIT_DENY;
  }

  /** Evaluates every statement and condition in full, for the explanation. */
  List<StatementEvaluation> explainStatements(EvaluationRequest request) {
    List<StatementEvaluation> out = new ArrayList<>(statements.length);
    for (CompiledStatement s : statements) {
      out.add(s.explain(request));
    }
    return out;
  }

  CompiledStatement compiled(int index) {
    return statements[index];
  }

  /** Returns the number of statements and the policy's Id, if any. */
  @Override
  public String toString() {
    return "PolicyEvaluator{" + statements.length + " statements"
        + policy.id().map(id -> ", id=" + id).orElse("") + "}";
  }
}
