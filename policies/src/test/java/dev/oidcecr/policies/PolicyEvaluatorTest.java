package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The statement-level rules: effects, principals, actions and resources. */
class PolicyEvaluatorTest {

  private static final String ACCOUNT = "123456789012";
  private static final String OTHER = "210987654321";
  private static final String REPO = "arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/app";
  private static final String PROVIDER =
      "arn:aws:iam::" + ACCOUNT + ":oidc-provider/services.gitpod.example.com/idp";

  private static Decision decide(Consumer<Statement.Builder> statement, EvaluationRequest r) {
    PolicyDocument p = PolicyDocument.builder().addStatement(statement).build();
    return PolicyEvaluator.of(p).evaluate(r).decision();
  }

  private static EvaluationRequest.Builder request(String action) {
    return EvaluationRequest.builder().action(action);
  }

  static Stream<Arguments> actions() {
    return Stream.of(
        arguments("ecr:GetAuthorizationToken", "ecr:GetAuthorizationToken", true),
        // Actions are case-insensitive, both ways.
        arguments("ECR:getauthorizationTOKEN", "ecr:GetAuthorizationToken", true),
        arguments("ecr:GetAuthorizationToken", "ECR:GETAUTHORIZATIONTOKEN", true),
        arguments("ecr:Get*", "ecr:GetDownloadUrlForLayer", true),
        arguments("ecr:get*", "ecr:GetDownloadUrlForLayer", true),
        arguments("ecr:Batch?etImage", "ecr:BatchGetImage", true),
        arguments("ecr:Put*", "ecr:BatchGetImage", false),
        arguments("ecr:*", "sts:AssumeRole", false),
        arguments("*", "iam:CreateRole", true),
        arguments("ecr:BatchGetImage", "ecr:BatchGetImages", false));
  }

  @ParameterizedTest(name = "Action {0} vs {1} -> {2}")
  @MethodSource("actions")
  void evaluate_action_caseInsensitiveWithWildcards(String pattern, String action,
      boolean allowed) {
    Decision d = decide(s -> s.allow().addActions(pattern).addResources("*"),
        request(action).build());
    assertThat(d).isEqualTo(allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
  }

  @ParameterizedTest(name = "NotAction iam:* vs {0} -> {1}")
  @MethodSource
  void evaluate_notAction_matchesEverythingElse(String action, boolean allowed) {
    Decision d = decide(s -> s.allow().addNotActions("iam:*").addResources("*"),
        request(action).build());
    assertThat(d).isEqualTo(allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
  }

  static Stream<Arguments> evaluate_notAction_matchesEverythingElse() {
    return Stream.of(arguments("ecr:BatchGetImage", true), arguments("IAM:CreateRole", false));
  }

  static Stream<Arguments> resources() {
    return Stream.of(
        arguments(REPO, REPO, true),
        // Resources are case-sensitive.
        arguments(REPO.replace("app", "App"), REPO, false),
        arguments("arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/*", REPO, true),
        arguments("arn:aws:ecr:*:" + ACCOUNT + ":repository/app", REPO, true),
        arguments("arn:aws:ecr:*:" + OTHER + ":repository/app", REPO, false),
        arguments("arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/a?p", REPO, true),
        arguments("arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/lib", REPO, false),
        arguments("*", REPO, true));
  }

  @ParameterizedTest(name = "Resource {0} vs {1} -> {2}")
  @MethodSource("resources")
  void evaluate_resource_caseSensitiveWithWildcards(String pattern, String resource,
      boolean allowed) {
    Decision d = decide(s -> s.allow().addActions("ecr:BatchGetImage").addResources(pattern),
        request("ecr:BatchGetImage").resource(resource).build());
    assertThat(d).isEqualTo(allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
  }

  @ParameterizedTest(name = "NotResource repository/secret vs {0} -> {1}")
  @MethodSource
  void evaluate_notResource_matchesEverythingElse(String resource, boolean allowed) {
    Decision d = decide(s -> s.allow().addActions("ecr:*")
            .addNotResources("arn:aws:ecr:*:*:repository/secret"),
        request("ecr:BatchGetImage").resource(resource).build());
    assertThat(d).isEqualTo(allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
  }

  static Stream<Arguments> evaluate_notResource_matchesEverythingElse() {
    return Stream.of(arguments(REPO, true),
        arguments("arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/secret", false));
  }

  @Test
  void evaluate_whenStatementHasNoResource_appliesToAnyRequestedResource() {
    Decision d = decide(s -> s.allow().principal(Principal.aws(OTHER))
            .addActions("ecr:BatchGetImage"),
        request("ecr:BatchGetImage").principalArn("arn:aws:iam::" + OTHER + ":role/ci")
            .resource(REPO).build());
    assertThat(d).isEqualTo(Decision.ALLOWED);
  }

  static Stream<Arguments> principals() {
    String role = "arn:aws:iam::" + OTHER + ":role/ci";
    return Stream.of(
        arguments("everyone", Principal.all(), role, null, true),
        arguments("AWS *", Principal.aws("*"), role, null, true),
        arguments("account id, role in account", Principal.aws(OTHER), role, null, true),
        arguments("account id, role elsewhere", Principal.aws(ACCOUNT), role, null, false),
        arguments("account root, role in account", Principal.aws("arn:aws:iam::" + OTHER
            + ":root"), role, null, true),
        arguments("account root, role elsewhere", Principal.aws("arn:aws:iam::" + ACCOUNT
            + ":root"), role, null, false),
        arguments("account id, bare account", Principal.aws(OTHER), OTHER, null, true),
        arguments("role ARN, same role", Principal.aws(role), role, null, true),
        arguments("role ARN, other role", Principal.aws(role), role + "2", null, false),
        arguments("role ARN, session of role", Principal.aws(role),
            "arn:aws:sts::" + OTHER + ":assumed-role/ci/ws-1", null, true),
        arguments("role ARN, session of other role", Principal.aws(role),
            "arn:aws:sts::" + OTHER + ":assumed-role/cd/ws-1", null, false),
        arguments("Federated, same provider", Principal.federated(PROVIDER), null, PROVIDER, true),
        arguments("Federated, other provider", Principal.federated(PROVIDER), null,
            PROVIDER.replace("gitpod", "evil"), false),
        arguments("Federated vs AWS principal", Principal.federated(PROVIDER), role, null, false),
        arguments("Service", Principal.service("ecs-tasks.amazonaws.com"),
            "ecs-tasks.amazonaws.com", null, true),
        arguments("Service, other", Principal.service("ecs-tasks.amazonaws.com"),
            "lambda.amazonaws.com", null, false),
        arguments("request without principal is not checked", Principal.aws(ACCOUNT), null,
            null, true));
  }

  @ParameterizedTest(name = "Principal {0} -> {4}")
  @MethodSource("principals")
  void evaluate_principal(String rule, Principal principal, String principalArn,
      String federated, boolean allowed) {
    EvaluationRequest.Builder r = request("sts:AssumeRoleWithWebIdentity");
    if (principalArn != null) {
      r.principalArn(principalArn);
    }
    if (federated != null) {
      r.federatedProvider(federated);
    }
    Decision d = decide(s -> s.allow().principal(principal).addActions("sts:*"), r.build());
    assertThat(d).as(rule).isEqualTo(allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
  }

  @ParameterizedTest(name = "NotPrincipal account {0} vs {1} -> {2}")
  @MethodSource
  void evaluate_notPrincipal_excludesListedPrincipals(String excluded, String caller,
      boolean denied) {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().principal(Principal.all()).addActions("ecr:*"))
        .addStatement(s -> s.deny().notPrincipal(Principal.aws(excluded)).addActions("ecr:*"))
        .build();
    Decision d = PolicyEvaluator.of(p)
        .evaluate(request("ecr:BatchGetImage").principalArn(caller).build()).decision();
    assertThat(d).isEqualTo(denied ? Decision.EXPLICIT_DENY : Decision.ALLOWED);
  }

  static Stream<Arguments> evaluate_notPrincipal_excludesListedPrincipals() {
    return Stream.of(
        arguments(ACCOUNT, "arn:aws:iam::" + ACCOUNT + ":role/ci", false),
        arguments(ACCOUNT, "arn:aws:iam::" + OTHER + ":role/ci", true));
  }

  static Stream<Arguments> effects() {
    return Stream.of(
        arguments("deny beats allow", "ecr:BatchGetImage", Decision.EXPLICIT_DENY),
        arguments("allow when the deny does not match", "ecr:GetDownloadUrlForLayer",
            Decision.ALLOWED),
        arguments("implicit deny when nothing matches", "s3:GetObject", Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("effects")
  void evaluate_explicitDenyBeatsAllow(String rule, String action, Decision expected) {
    // The Deny comes last so that a first-match evaluator would get it wrong.
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.sid("AllowEcr").allow().addActions("ecr:*").addResources("*"))
        .addStatement(s -> s.sid("DenyImages").deny().addActions("ecr:BatchGetImage")
            .addResources("*"))
        .build();
    Evaluation e = PolicyEvaluator.of(p).evaluate(request(action).resource(REPO).build());
    assertThat(e.decision()).as(rule).isEqualTo(expected);
    assertThat(e.decidingStatement().map(StatementEvaluation::label)).isEqualTo(
        expected == Decision.EXPLICIT_DENY ? java.util.Optional.of("Statement[1] \"DenyImages\"")
            : expected == Decision.ALLOWED ? java.util.Optional.of("Statement[0] \"AllowEcr\"")
                : java.util.Optional.empty());
  }

  @Test
  void evaluate_denyWithFailingCondition_doesNotDeny() {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("*").addResources("*"))
        .addStatement(s -> s.deny().addActions("*").addResources("*")
            .addCondition(ConditionOperator.BOOL, "aws:SecureTransport", "false"))
        .build();
    PolicyEvaluator ev = PolicyEvaluator.of(p);
    assertThat(ev.evaluate(request("s3:GetObject").putContext("aws:SecureTransport", "true")
        .build()).decision()).isEqualTo(Decision.ALLOWED);
    assertThat(ev.evaluate(request("s3:GetObject").putContext("aws:SecureTransport", "false")
        .build()).decision()).isEqualTo(Decision.EXPLICIT_DENY);
  }

  @Test
  void evaluate_withConsumer_buildsTheRequest() {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:BatchGetImage").addResources(REPO))
        .build();
    PolicyEvaluator ev = PolicyEvaluator.of(p);
    assertThat(ev.evaluate(r -> r.action("ecr:BatchGetImage").resource(REPO)).isAllowed())
        .isTrue();
    assertThat(ev.evaluate(r -> r.action("ecr:BatchGetImage").resource(REPO + "x")).decision())
        .isEqualTo(Decision.IMPLICIT_DENY);
  }

  @Test
  void evaluate_gitpodTrust_allocatesOnlyTheEvaluation() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory
        .getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        mx instanceof com.sun.management.ThreadMXBean
            && ((com.sun.management.ThreadMXBean) mx).isThreadAllocatedMemorySupported(),
        "this JVM cannot count allocated bytes");
    com.sun.management.ThreadMXBean bytes = (com.sun.management.ThreadMXBean) mx;
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().principal(Principal.federated(PROVIDER))
            .addActions("sts:AssumeRoleWithWebIdentity")
            .addCondition(ConditionOperator.STRING_EQUALS, "services.gitpod.example.com/idp:aud",
                "sts.amazonaws.com")
            .addCondition(ConditionOperator.STRING_LIKE, "services.gitpod.example.com/idp:sub",
                "https://github.com/acme/app", "https://github.com/acme/app/*",
                "https://github.com/acme/lib/*"))
        .build();
    PolicyEvaluator ev = PolicyEvaluator.of(p);
    EvaluationRequest denied = EvaluationRequest.webIdentity(PROVIDER, java.util.Map.of(
        "aud", "sts.amazonaws.com", "sub", "https://github.com/acme/app-evil"));
    int n = 100_000;
    long decisions = 0;
    long before = bytes.getThreadAllocatedBytes(Thread.currentThread().getId());
    for (int i = 0; i < n; i++) {
      decisions += ev.evaluate(denied).decision().ordinal();
    }
    long perCall = (bytes.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
    assertThat(decisions).isEqualTo((long) n * Decision.IMPLICIT_DENY.ordinal());
    // The Evaluation object is 24 to 32 bytes; matching itself must not allocate.
    assertThat(perCall).as("bytes allocated per evaluate()").isLessThanOrEqualTo(48);
  }

  @Test
  void evaluate_emptyPolicy_deniesImplicitly() {
    PolicyDocument p = PolicyDocument.builder().build();
    Evaluation e = PolicyEvaluator.of(p).evaluate(request("s3:GetObject").build());
    assertThat(e.decision()).isEqualTo(Decision.IMPLICIT_DENY);
    assertThat(e.statements()).isEmpty();
    assertThat(e.explanation()).contains("no statements");
  }

  @Test
  void of_whenNumericValueIsNotANumber_throwsNamingStatementKeyAndValue() {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.sid("Small").allow().addActions("*").addResources("*")
            .addCondition(ConditionOperator.NUMERIC_LESS_THAN, "s3:max-keys", "ten"))
        .build();
    assertThatThrownBy(() -> PolicyEvaluator.of(p))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("Statement[0] \"Small\"")
        .hasMessageContaining("NumericLessThan")
        .hasMessageContaining("s3:max-keys")
        .hasMessageContaining("\"ten\"")
        .hasMessageContaining("not a number");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource
  void of_whenConditionValueHasWrongType_throws(ConditionOperator op, String value) {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("*").addResources("*")
            .addCondition(op, "k", value))
        .build();
    assertThatThrownBy(() -> PolicyEvaluator.of(p)).isInstanceOf(PolicyException.class)
        .hasMessageContaining(value);
  }

  static Stream<Arguments> of_whenConditionValueHasWrongType_throws() {
    return Stream.of(
        arguments(ConditionOperator.DATE_LESS_THAN, "next tuesday"),
        arguments(ConditionOperator.BOOL, "yes"),
        arguments(ConditionOperator.NULL, "maybe"),
        arguments(ConditionOperator.BINARY_EQUALS, "not base64!"),
        arguments(ConditionOperator.IP_ADDRESS, "localhost"),
        arguments(ConditionOperator.IP_ADDRESS, "10.0.0.0/33"));
  }

  @Test
  void evaluate_detailedViewAgreesWithDecision_forManyRandomRequests() {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:*").addResources("*")
            .addCondition(ConditionOperator.STRING_LIKE, "k1", "a*", "b?")
            .addConditions(Condition.of(ConditionOperator.STRING_NOT_EQUALS.withIfExists(),
                "k2", List.of("x"))))
        .addStatement(s -> s.deny().addActions("ecr:Put*").addResources("*")
            .addConditions(Condition.of(ConditionOperator.STRING_EQUALS.forAnyValue(), "k3",
                List.of("evil"))))
        .addStatement(s -> s.allow().addActions("ecr:Batch*").addResources("*")
            .addConditions(Condition.of(ConditionOperator.NULL, "k1", List.of("true"))))
        .build();
    PolicyEvaluator ev = PolicyEvaluator.of(p);
    java.util.Random random = new java.util.Random(42);
    String[] actions = {"ecr:PutImage", "ecr:BatchGetImage", "s3:GetObject"};
    String[] values = {"a", "ab", "b1", "bb1", "x", "evil", "good"};
    int[] seen = new int[Decision.values().length];
    for (int i = 0; i < 2000; i++) {
      EvaluationRequest.Builder r = request(actions[random.nextInt(actions.length)]);
      for (String key : new String[] {"k1", "k2", "k3"}) {
        int n = random.nextInt(3);
        if (n > 0) {
          String[] v = new String[n];
          for (int j = 0; j < n; j++) {
            v[j] = values[random.nextInt(values.length)];
          }
          r.putContext(key, v);
        }
      }
      Evaluation e = ev.evaluate(r.build());
      boolean deny = e.statements().stream()
          .anyMatch(s -> s.effect() == Effect.DENY && s.applies());
      boolean allow = e.statements().stream()
          .anyMatch(s -> s.effect() == Effect.ALLOW && s.applies());
      Decision fromDetails = deny ? Decision.EXPLICIT_DENY
          : allow ? Decision.ALLOWED : Decision.IMPLICIT_DENY;
      assertThat(e.decision()).as(e.explanation()).isEqualTo(fromDetails);
      seen[e.decision().ordinal()]++;
    }
    assertThat(java.util.stream.IntStream.of(seen).min().getAsInt())
        .as("each decision occurs").isGreaterThan(50);
  }
}
