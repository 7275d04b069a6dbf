package dev.oidcecr.testing.internal;

import dev.oidcecr.policies.Decision;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.PolicyParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake's only door to policy semantics: every decision is the {@code policies} evaluator's,
 * so that a refusal in a test is explained the way the library explains it to users.
 */
final class Authz {
  /** A decision and its explanation. */
  record Verdict(Decision decision, String explanation) {
    boolean allowed() {
      return decision == Decision.ALLOWED;
    }
  }

  private static final int CACHE_LIMIT = 512;

  /**
   * The linter findings IAM and ECR themselves refuse a policy for. The OIDC trust findings
   * (no {@code sub} condition, sibling wildcards...) are advice: AWS stores such policies, and so
   * must the fake, or a test could never show the hole they open. Size is checked by the
   * callers with each service's own error code.
   */
  private static final java.util.Set<String> SERVICE_REJECTS = java.util.Set.of(
      "PARSE_ERROR", "VERSION_INVALID", "SID_INVALID", "SID_DUPLICATE",
      "PRINCIPAL_NOT_ALLOWED", "PRINCIPAL_MISSING", "RESOURCE_NOT_ALLOWED", "RESOURCE_MISSING",
      "ACTION_MISSING", "CONDITION_NO_VALUES");
  private final Map<String, PolicyEvaluator> evaluators = new ConcurrentHashMap<>();
  private volatile PolicyLinter linter;

  /** Evaluates a trust policy for AssumeRoleWithWebIdentity with the token's claims. */
  Verdict trust(String trustPolicy, String providerArn, Map<String, ?> claims) {
    Evaluation e =
        evaluator(trustPolicy).evaluate(EvaluationRequest.webIdentity(providerArn, claims));
    // The explanation costs more than the decision: build it only for a refusal.
    return new Verdict(e.decision(), e.isAllowed() ? "" : e.explanation());
  }

  /**
   * Evaluates a call of a role session against the role's inline policies and, where given, a
   * resource's policy: same account, either may allow; another account, both must; an explicit
   * deny anywhere wins.
   */
  Verdict authorize(Caller caller, List<String> identityPolicies, Optional<String> resourcePolicy,
      String resourceAccount, String action, String resource, Map<String, String> context) {
    return authorize(caller, identityPolicies, List.of(), resourcePolicy, resourceAccount,
        action, resource, context);
  }

  /**
   * As {@link #authorize(Caller, List, Optional, String, String, String, Map)}, with the
   * session policies of the caller's session: when there are any, the identity side allows
   * only what both the role's policies and a session policy allow (the IAM User Guide's
   * "Session policies": the effective permissions are their intersection).
   */
  Verdict authorize(Caller caller, List<String> identityPolicies, List<String> sessionPolicies,
      Optional<String> resourcePolicy, String resourceAccount, String action, String resource,
      Map<String, String> context) {
    if (caller.isAdmin()) {
      return new Verdict(Decision.ALLOWED, "The fake's admin identity may call everything.");
    }
    EvaluationRequest.Builder rb = EvaluationRequest.builder()
        .action(action)
        .resource(resource)
        .principalArn(caller.roleArn().orElseThrow());
    context.forEach((k, v) -> rb.putContext(k, v));
    EvaluationRequest request = rb.build();

    Decision identity = Decision.IMPLICIT_DENY;
    List<Evaluation> identityEvaluations = new java.util.ArrayList<>();
    for (String policy : identityPolicies) {
      Evaluation e = evaluator(policy).evaluate(request);
      identityEvaluations.add(e);
      identity = combine(identity, e.decision());
    }
    Evaluation sessionEvaluation = null;
    if (!sessionPolicies.isEmpty()) {
      Decision session = Decision.IMPLICIT_DENY;
      for (String policy : sessionPolicies) {
        Evaluation e = evaluator(policy).evaluate(request);
        session = combine(session, e.decision());
        if (sessionEvaluation == null || e.decision() != Decision.IMPLICIT_DENY) {
          sessionEvaluation = e;
        }
      }
      if (session == Decision.EXPLICIT_DENY) {
        identity = Decision.EXPLICIT_DENY;
      } else if (session != Decision.ALLOWED && identity == Decision.ALLOWED) {
        identity = Decision.IMPLICIT_DENY;
      }
    }
    Decision decision = identity;
    Evaluation resourceEvaluation = null;
    boolean sameAccount = resourceAccount.equals(caller.account());
    if (!sameAccount && resourcePolicy.isEmpty() && !resource.equals("*")
        && identity != Decision.EXPLICIT_DENY) {
      // Another account's resource without a resource policy: nothing in its account allows.
      decision = Decision.IMPLICIT_DENY;
    }
    if (resourcePolicy.isPresent()) {
      resourceEvaluation = evaluator(resourcePolicy.get()).evaluate(request);
      Decision r = resourceEvaluation.decision();
      if (identity == Decision.EXPLICIT_DENY || r == Decision.EXPLICIT_DENY) {
        decision = Decision.EXPLICIT_DENY;
      } else if (sameAccount) {
        decision = identity == Decision.ALLOWED || r == Decision.ALLOWED
            ? Decision.ALLOWED : Decision.IMPLICIT_DENY;
      } else {
        decision = identity == Decision.ALLOWED && r == Decision.ALLOWED
            ? Decision.ALLOWED : Decision.IMPLICIT_DENY;
      }
    }
    if (decision == Decision.ALLOWED) {
      return new Verdict(decision, "");
    }
    StringBuilder why = new StringBuilder();
    if (!sameAccount && !resource.equals("*")) {
      boolean resourceAllows = resourceEvaluation != null
          && resourceEvaluation.decision() == Decision.ALLOWED;
      boolean identityAllows = identity == Decision.ALLOWED;
      String resourceSide = "the resource policy of " + resource + " (account "
          + resourceAccount + ")" + (resourceEvaluation == null ? ", which has none" : "");
      String identitySide = "the identity policies of " + caller.roleArn().get() + " (account "
          + caller.account() + ")";
      why.append("Cross-account call from account ").append(caller.account())
          .append(" to account ").append(resourceAccount).append(": refused by ")
          .append(!resourceAllows && !identityAllows ? identitySide + " and " + resourceSide
              : !resourceAllows ? resourceSide : identitySide)
          .append(". Both must allow.\n");
    }
    if (sessionEvaluation != null && sessionEvaluation.decision() != Decision.ALLOWED) {
      why.append("Session policy of ").append(caller.arn()).append(": ")
          .append(sessionEvaluation.decision()).append(" (a session policy narrows the role's "
              + "permissions to what both allow)\n").append(sessionEvaluation.explanation())
          .append('\n');
    }
    if (identityPolicies.isEmpty()) {
      why.append("Identity policies of ").append(caller.roleArn().get())
          .append(": none attached, so nothing allows ").append(action).append('\n');
    }
    int n = 0;
    for (Evaluation e : identityEvaluations) {
      why.append("Identity policy #").append(++n).append(" of ").append(caller.roleArn().get())
          .append(": ").append(e.decision()).append('\n').append(e.explanation()).append('\n');
    }
    if (resourceEvaluation != null) {
      why.append("Resource policy of ").append(resource).append(": ")
          .append(resourceEvaluation.decision()).append('\n')
          .append(resourceEvaluation.explanation()).append('\n');
    } else if (!resource.equals("*")) {
      why.append("Resource ").append(resource).append(" has no resource policy.\n");
    }
    return new Verdict(decision, why.toString().strip());
  }

  /**
   * Evaluates a role's trust policy for an AWS principal (a user or a role session) calling
   * {@code action} (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) on the role.
   */
  Verdict trustFor(String trustPolicy, String action, String principalArn, String roleArn,
      Map<String, List<String>> context) {
    EvaluationRequest.Builder rb = EvaluationRequest.builder().action(action).resource(roleArn)
        .principalArn(principalArn);
    context.forEach(rb::putContext);
    Evaluation e = evaluator(trustPolicy).evaluate(rb.build());
    return new Verdict(e.decision(), e.isAllowed() ? "" : e.explanation());
  }

  /** Evaluates a trust policy for a web identity action with extra context keys. */
  Verdict trust(String trustPolicy, String providerArn, Map<String, ?> claims, String action,
      Map<String, List<String>> context) {
    EvaluationRequest.Builder rb = EvaluationRequest.webIdentity(providerArn, claims).toBuilder()
        .action(action);
    context.forEach(rb::putContext);
    Evaluation e = evaluator(trustPolicy).evaluate(rb.build());
    return new Verdict(e.decision(), e.isAllowed() ? "" : e.explanation());
  }

  private static Decision combine(Decision a, Decision b) {
    if (a == Decision.EXPLICIT_DENY || b == Decision.EXPLICIT_DENY) {
      return Decision.EXPLICIT_DENY;
    }
    return a == Decision.ALLOWED || b == Decision.ALLOWED ? Decision.ALLOWED
        : Decision.IMPLICIT_DENY;
  }

  /**
   * Parses and lints a policy as IAM or ECR would before storing it.
   *
   * @return the first blocking problem, empty when the policy may be stored
   * @throws PolicyParseException when the text is not a policy
   */
  Optional<String> problems(String json, PolicyKind kind) {
    PolicyDocument doc = PolicyDocument.parse(json);
    PolicyLinter l = linter;
    if (l == null) {
      l = PolicyLinter.create();
      linter = l;
    }
    List<Finding> findings = l.lint(doc, kind);
    return findings.stream()
        .filter(f -> f.severity() == Finding.Severity.ERROR)
        .filter(f -> SERVICE_REJECTS.contains(f.id()))
        .map(f -> f.message() + " (at " + f.location() + ")")
        .findFirst();
  }

  /** Returns IAM's quota size of a policy (whitespace outside strings not counted). */
  int quotaSize(String json) {
    return PolicyDocument.parse(json).quotaSize();
  }

  private PolicyEvaluator evaluator(String policy) {
    PolicyEvaluator cached = evaluators.get(policy);
    if (cached != null) {
      return cached;
    }
    if (evaluators.size() > CACHE_LIMIT) {
      evaluators.clear();
    }
    PolicyEvaluator ev = PolicyEvaluator.of(PolicyDocument.parse(policy));
    evaluators.put(policy, ev);
    return ev;
  }
}
