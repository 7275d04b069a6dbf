package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PolicyRoundTripPropertyTest {

  @Property(tries = 500)
  void parseOfToJson_equalsOriginal(@ForAll("policies") PolicyDocument policy) {
    assertThat(PolicyDocument.parse(policy.toJson())).isEqualTo(policy);
    assertThat(PolicyDocument.parse(policy.toPrettyJson())).isEqualTo(policy);
  }

  @Property(tries = 200)
  void toJson_isStable(@ForAll("policies") PolicyDocument policy) {
    String once = policy.toJson();
    assertThat(PolicyDocument.parse(once).toJson()).isEqualTo(once);
    assertThat(policy.quotaSize()).isEqualTo(PolicyDocument.parse(policy.toPrettyJson())
        .quotaSize());
  }

  @Provide
  Arbitrary<PolicyDocument> policies() {
    return Combinators.combine(
            Arbitraries.of(PolicyDocument.VERSION_2012_10_17, PolicyDocument.VERSION_2008_10_17),
            text().optional(),
            statement().list().ofMaxSize(4))
        .as((version, id, statements) -> PolicyDocument.builder()
            .version(version)
            .id(id)
            .statements(statements)
            .build());
  }

  private Arbitrary<String> text() {
    // Includes characters that JSON must escape and that JSON pointers must escape.
    return Arbitraries.strings().withChars("abcXYZ019:*?/~\"\\ +%-_é").ofMinLength(1)
        .ofMaxLength(12);
  }

  private Arbitrary<List<String>> values() {
    return text().list().ofMinSize(0).ofMaxSize(3);
  }

  private Arbitrary<Principal> principal() {
    Arbitrary<Principal> typed = Combinators.combine(values(), values(), values(), values())
        .as((aws, fed, svc, cu) -> {
          List<String> a = new ArrayList<>(aws);
          if (a.isEmpty() && fed.isEmpty() && svc.isEmpty() && cu.isEmpty()) {
            a.add("123456789012");
          }
          return Principal.builder().aws(a).federated(fed).service(svc).canonicalUser(cu)
              .build();
        });
    return Arbitraries.oneOf(Arbitraries.just(Principal.all()), typed);
  }

  private Arbitrary<ConditionOperator> operator() {
    return Combinators.combine(
            Arbitraries.of(ConditionOperator.Base.class),
            Arbitraries.of(ConditionOperator.SetQualifier.class),
            Arbitraries.of(true, false))
        .as(ConditionOperator::of);
  }

  private Arbitrary<List<Condition>> conditions() {
    return Combinators.combine(operator(), text(), values())
        .as(Condition::of)
        .list().ofMaxSize(4)
        .uniqueElements(c -> c.operator().jsonName() + "\u0000" + c.key());
  }

  private Arbitrary<Statement> statement() {
    Arbitrary<Boolean> not = Arbitraries.of(true, false);
    return Combinators.combine(
            text().optional(), Arbitraries.of(Effect.class), principal().optional(), not,
            values(), not, values(), not)
        .flatAs((sid, effect, principal, notPrincipal, actions, notAction, resources, notRes) ->
            conditions().map(conds -> {
              Statement.Builder b = Statement.builder().sid(sid).effect(effect);
              principal.ifPresent(p -> {
                if (notPrincipal) {
                  b.notPrincipal(p);
                } else {
                  b.principal(p);
                }
              });
              if (notAction) {
                b.notActions(actions);
              } else {
                b.actions(actions);
              }
              if (notRes) {
                b.notResources(resources);
              } else {
                b.resources(resources);
              }
              return b.conditions(conds).build();
            }));
  }
}
