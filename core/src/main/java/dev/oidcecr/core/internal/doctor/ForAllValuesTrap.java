package dev.oidcecr.core.internal.doctor;

import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.ConditionOperator;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ForAllValues:} on {@code sub} or {@code aud} is the wrong tool: it is true when the key
 * is missing and is meant for multivalued keys, so the condition does not say what it seems to.
 * Source: IAM User Guide, "Multivalued context keys" (ForAllValues with single-valued keys).
 */
final class ForAllValuesTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of();
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    for (String claim : new String[] {"sub", "aud"}) {
      for (Condition cond : c.conditions(claim)) {
        if (cond.operator().qualifier() == ConditionOperator.SetQualifier.FOR_ALL_VALUES) {
          return Optional.of("Trap: the condition on " + cond.key() + " uses "
              + cond.operator().jsonName() + ": ForAllValues is for multivalued keys and is true"
              + " when the key is absent, so it does not check what it seems to. Fix: use"
              + " StringEquals (exact values) or StringLike (patterns) without ForAllValues, as "
              + c.profile().builderHint() + " writes.");
        }
      }
    }
    return Optional.empty();
  }
}
