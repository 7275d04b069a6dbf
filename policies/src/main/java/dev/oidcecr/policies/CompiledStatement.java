package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ArnMatcher;
import dev.oidcecr.policies.internal.Glob;
import java.util.List;

/** A statement prepared for evaluation: every pattern compiled once. */
final class CompiledStatement {
  final int index;
  final Statement source;
  final boolean deny;
  final String label;
  private final PrincipalMatcher principal;
  private final boolean notPrincipal;
  private final Glob[] actions;
  private final boolean notAction;
  private final ArnMatcher[] resources;
  private final boolean notResource;
  final CompiledCondition[] conditions;

  CompiledStatement(int index, Statement s) {
    this.index = index;
    this.source = s;
    this.deny = s.effect() == Effect.DENY;
    this.label = "Statement[" + index + "]" + s.sid().map(x -> " \"" + x + "\"").orElse("");
    this.notPrincipal = s.notPrincipal().isPresent();
    this.principal = s.principal().or(s::notPrincipal).map(PrincipalMatcher::compile).orElse(null);
    this.notAction = !s.notActions().isEmpty();
    List<String> acts = notAction ? s.notActions() : s.actions();
    this.actions = acts.stream().map(a -> Glob.wildcard(a, true)).toArray(Glob[]::new);
    this.notResource = !s.notResources().isEmpty();
    List<String> res = notResource ? s.notResources() : s.resources();
    this.resources = res.stream().map(r -> ArnMatcher.compile(r, true)).toArray(ArnMatcher[]::new);
    this.conditions = s.conditions().stream().map(c -> CompiledCondition.compile(c, label))
        .toArray(CompiledCondition[]::new);
  }

  boolean hasPrincipalElement() {
    return principal != null;
  }

  boolean hasActionElement() {
    return actions.length > 0;
  }

  boolean hasResourceElement() {
    return resources.length > 0;
  }

  /**
   * Returns whether the principal element matches; true when the statement has none or the
   * request names no principal (there is nothing to compare).
   */
  boolean principalMatches(EvaluationRequest r) {
    if (principal == null) {
      return true;
    }
    String arn = r.principalArnOrNull();
    String fed = r.federatedProviderOrNull();
    if (arn == null && fed == null) {
      return true;
    }
    return principal.matches(arn, fed) != notPrincipal;
  }

  /** Returns whether the action element matches; true when the statement has none. */
  boolean actionMatches(EvaluationRequest r) {
    if (actions.length == 0) {
      return true;
    }
    String action = r.action();
    boolean any = false;
    for (Glob g : actions) {
      if (g.matches(action)) {
        any = true;
        break;
      }
    }
    return any != notAction;
  }

  /**
   * Returns whether the resource element matches; true when the statement has none (a trust or
   * repository policy applies to the resource it is attached to) or the request names none.
   */
  boolean resourceMatches(EvaluationRequest r) {
    String resource = r.resourceOrNull();
    if (resources.length == 0 || resource == null) {
      return true;
    }
    boolean any = false;
    for (ArnMatcher m : resources) {
      if (m.matches(resource)) {
        any = true;
        break;
      }
    }
    return any != notResource;
  }

  boolean applies(EvaluationRequest r) {
    if (!actionMatches(r) || !principalMatches(r) || !resourceMatches(r)) {
      return false;
    }
    for (CompiledCondition c : conditions) {
      if (!c.holds(r.valuesOrNull(c.key))) {
        return false;
      }
    }
    return true;
  }

  StatementEvaluation explain(EvaluationRequest r) {
    ImmutableStatementEvaluation.Builder b = StatementEvaluation.builder()
        .index(index)
        .statement(source)
        .principalMatched(principalMatches(r))
        .actionMatched(actionMatches(r))
        .resourceMatched(resourceMatches(r));
    for (CompiledCondition c : conditions) {
      List<String> actual = r.valuesOrNull(c.key);
      b.addConditions(ConditionEvaluation.builder()
          .condition(c.source)
          .actual(actual == null ? List.of() : actual)
          .matched(c.holds(actual))
          .build());
    }
    return b.build();
  }
}
