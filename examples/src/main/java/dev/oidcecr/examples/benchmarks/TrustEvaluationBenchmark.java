package dev.oidcecr.examples.benchmarks;

import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Measures {@link PolicyEvaluator#evaluate} on a Gitpod trust policy with an audience condition
 * and three subject patterns, for a token it allows and one it denies (which has to try every
 * pattern), plus the cost of building the request from claims and of the explanation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TrustEvaluationBenchmark {

  static final String PROVIDER =
      "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp";
  static final String ISSUER_KEY = "services.gitpod.example.com/idp";

  private PolicyEvaluator evaluator;
  private EvaluationRequest allowed;
  private EvaluationRequest denied;
  private Map<String, Object> allowedClaims;

  /** Compiles the policy and prepares the requests once. */
  @Setup
  public void setUp() {
    PolicyDocument trust = PolicyDocument.builder()
        .addStatement(s -> s.sid("GitpodWorkspaces").allow()
            .principal(Principal.federated(PROVIDER))
            .addActions("sts:AssumeRoleWithWebIdentity")
            .addCondition(ConditionOperator.STRING_EQUALS, ISSUER_KEY + ":aud",
                "sts.amazonaws.com")
            .addCondition(ConditionOperator.STRING_LIKE, ISSUER_KEY + ":sub",
                "https://github.com/acme/app", "https://github.com/acme/app/*",
                "https://github.com/acme/lib/*"))
        .build();
    evaluator = PolicyEvaluator.of(trust);
    allowedClaims = Map.of("aud", List.of("sts.amazonaws.com"), "azp", "sts.amazonaws.com",
        "sub", "https://github.com/acme/lib/pull/42", "email", "dev@acme.example");
    allowed = EvaluationRequest.webIdentity(PROVIDER, allowedClaims);
    denied = EvaluationRequest.webIdentity(PROVIDER, Map.of("aud", List.of("sts.amazonaws.com"),
        "sub", "https://github.com/acme/app-evil/tree/main"));
    if (!evaluator.evaluate(allowed).isAllowed() || evaluator.evaluate(denied).isAllowed()) {
      throw new IllegalStateException("Benchmark setup is wrong: check the trust policy");
    }
  }

  /** A token whose {@code sub} matches the last of the three patterns. */
  @Benchmark
  public Evaluation evaluateAllowed() {
    return evaluator.evaluate(allowed);
  }

  /** A token whose {@code sub} matches none of the patterns (a sibling repository). */
  @Benchmark
  public Evaluation evaluateDenied() {
    return evaluator.evaluate(denied);
  }

  /** Builds the STS request from decoded claims, then evaluates it. */
  @Benchmark
  public Evaluation webIdentityRequestAndEvaluate() {
    return evaluator.evaluate(EvaluationRequest.webIdentity(PROVIDER, allowedClaims));
  }

  /** Evaluates the denied token and writes the full explanation. */
  @Benchmark
  public String evaluateDeniedAndExplain() {
    return evaluator.evaluate(denied).explanation();
  }
}
