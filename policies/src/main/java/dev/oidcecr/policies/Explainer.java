package dev.oidcecr.policies;

import dev.oidcecr.policies.ConditionOperator.SetQualifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes an {@link Evaluation} as text a person can act on. */
final class Explainer {
  private static final String MATCHED = "matched";
  private static final String NOT_MATCHED = "NOT matched";

  private Explainer() {}

  static String explain(Evaluation e, PolicyEvaluator evaluator) {
    EvaluationRequest r = e.request();
    StringBuilder sb = new StringBuilder();
    sb.append("Decision: ").append(e.decision());
    switch (e.decision()) {
      case ALLOWED:
        sb.append(" by ").append(e.decidingStatement().map(StatementEvaluation::label)
            .orElse("an Allow statement"));
        break;
      case EXPLICIT_DENY:
        sb.append(" by ").append(e.decidingStatement().map(StatementEvaluation::label)
            .orElse("a Deny statement"));
        break;
      default:
        sb.append(": no Allow statement applies to ").append(r.action());
        break;
    }
    sb.append('\n');
    sb.append("Request: action ").append(r.action());
    if (r.principalArnOrNull() != null) {
      sb.append(", principal ").append(r.principalArnOrNull());
    }
    if (r.federatedProviderOrNull() != null) {
      sb.append(", federated provider ").append(r.federatedProviderOrNull());
    }
    sb.append(r.resourceOrNull() == null ? ", no resource" : ", resource " + r.resourceOrNull());
    sb.append('\n');
    for (Map.Entry<String, List<String>> c : r.context().entrySet()) {
      sb.append("  context ").append(c.getKey()).append(" = ").append(list(c.getValue()))
          .append('\n');
    }
    if (e.statements().isEmpty()) {
      sb.append("The policy has no statements.\n");
    }
    for (StatementEvaluation s : e.statements()) {
      CompiledStatement cs = evaluator.compiled(s.index());
      sb.append(s.label()).append(" (").append(s.effect().jsonName()).append("): ")
          .append(s.applies() ? "applies" : "does not apply").append('\n');
      principal(sb, s, cs, r);
      action(sb, s, r);
      resource(sb, s, cs, r);
      for (ConditionEvaluation c : s.conditions()) {
        condition(sb, c);
      }
    }
    return sb.toString();
  }

  private static void principal(StringBuilder sb, StatementEvaluation s, CompiledStatement cs,
      EvaluationRequest r) {
    Statement st = s.statement();
    if (!cs.hasPrincipalElement()) {
      sb.append("  Principal: none in statement: applies to the caller of an identity policy\n");
      return;
    }
    boolean not = st.notPrincipal().isPresent();
    Principal p = not ? st.notPrincipal().get() : st.principal().get();
    sb.append("  ").append(not ? "NotPrincipal " : "Principal ").append(describe(p)).append(": ");
    if (r.principalArnOrNull() == null && r.federatedProviderOrNull() == null) {
      sb.append("not checked (the request names no principal)\n");
      return;
    }
    sb.append(s.principalMatched() ? MATCHED : NOT_MATCHED).append(" (request ");
    List<String> who = new ArrayList<>();
    if (r.principalArnOrNull() != null) {
      who.add("principal " + r.principalArnOrNull());
    }
    if (r.federatedProviderOrNull() != null) {
      who.add("federated provider " + r.federatedProviderOrNull());
    }
    sb.append(String.join(", ", who)).append(")\n");
  }

  private static String describe(Principal p) {
    if (p.isWildcard()) {
      return "\"*\"";
    }
    List<String> parts = new ArrayList<>();
    if (!p.aws().isEmpty()) {
      parts.add("AWS " + list(p.aws()));
    }
    if (!p.federated().isEmpty()) {
      parts.add("Federated " + list(p.federated()));
    }
    if (!p.service().isEmpty()) {
      parts.add("Service " + list(p.service()));
    }
    if (!p.canonicalUser().isEmpty()) {
      parts.add("CanonicalUser " + list(p.canonicalUser()));
    }
    return String.join(" ", parts);
  }

  private static void action(StringBuilder sb, StatementEvaluation s, EvaluationRequest r) {
    Statement st = s.statement();
    if (st.actions().isEmpty() && st.notActions().isEmpty()) {
      sb.append("  Action: none in statement: applies to every action\n");
      return;
    }
    boolean not = !st.notActions().isEmpty();
    sb.append("  ").append(not ? "NotAction " : "Action ")
        .append(list(not ? st.notActions() : st.actions())).append(": ")
        .append(s.actionMatched() ? MATCHED : NOT_MATCHED)
        .append(" (request ").append(r.action()).append(")\n");
  }

  private static void resource(StringBuilder sb, StatementEvaluation s, CompiledStatement cs,
      EvaluationRequest r) {
    Statement st = s.statement();
    if (!cs.hasResourceElement()) {
      sb.append("  Resource: none in statement: applies to the resource the policy is attached"
          + " to\n");
      return;
    }
    boolean not = !st.notResources().isEmpty();
    sb.append("  ").append(not ? "NotResource " : "Resource ")
        .append(list(not ? st.notResources() : st.resources())).append(": ");
    if (r.resourceOrNull() == null) {
      sb.append("not checked (the request names no resource)\n");
      return;
    }
    sb.append(s.resourceMatched() ? MATCHED : NOT_MATCHED)
        .append(" (request ").append(r.resourceOrNull()).append(")\n");
  }

  private static void condition(StringBuilder sb, ConditionEvaluation c) {
    ConditionOperator op = c.operator();
    sb.append("  Condition ").append(op).append(" \"").append(c.key()).append("\": ");
    if (op.base() == ConditionOperator.Base.NULL) {
      sb.append("expected the key to be ")
          .append(c.expected().stream().anyMatch(v -> v.trim().equalsIgnoreCase("true"))
              ? "absent" : "present");
    } else {
      sb.append("expected ").append(expectation(op)).append(' ').append(list(c.expected()));
    }
    sb.append(", actual ").append(c.keyPresent() ? list(c.actual()) : "missing").append(": ")
        .append(c.matched() ? MATCHED : NOT_MATCHED);
    String why = missingReason(c);
    if (why != null) {
      sb.append(" (").append(why).append(')');
    }
    sb.append('\n');
  }

  private static String expectation(ConditionOperator op) {
    boolean negated = op.base().isNegated();
    if (op.qualifier() == SetQualifier.FOR_ALL_VALUES) {
      return negated ? "every request value to match none of" : "every request value in";
    }
    if (op.qualifier() == SetQualifier.FOR_ANY_VALUE) {
      return negated ? "some request value to match none of" : "some request value in";
    }
    return negated ? "none of" : "any of";
  }

  private static String missingReason(ConditionEvaluation c) {
    if (c.keyPresent() || c.operator().base() == ConditionOperator.Base.NULL) {
      return null;
    }
    ConditionOperator op = c.operator();
    if (op.ifExists()) {
      return "IfExists holds when the key is missing";
    }
    if (op.qualifier() == SetQualifier.FOR_ALL_VALUES) {
      return "ForAllValues holds when the key is missing";
    }
    if (op.qualifier() == SetQualifier.FOR_ANY_VALUE) {
      return "ForAnyValue fails when the key is missing";
    }
    if (op.base().isNegated()) {
      return "a negated operator holds when the key is missing";
    }
    return "the request has no such key";
  }

  private static String list(List<String> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('"').append(values.get(i)).append('"');
    }
    return sb.append(']').toString();
  }
}
