package dev.oidcecr.examples.benchmarks;

import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.TrustPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Measures {@link PolicyEvaluator#evaluate} on each issuer profile's typed builder output, for a
 * real-shaped token of that issuer it allows and a sibling's token it refuses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProfileTrustEvaluationBenchmark {

  static final String ACCOUNT = "123456789012";
  static final String ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String PRJ = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  static final String OTHER = "019527e4-75d5-704d-a5a4-a2b52cf56199";
  static final String EKS = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  /** The profile whose builder output is evaluated. */
  @Param({"gitpod", "ona", "github-actions", "gitlab", "circleci", "bitbucket", "buildkite",
      "eks"})
  public String profile;

  private PolicyEvaluator evaluator;
  private EvaluationRequest allowed;
  private EvaluationRequest denied;

  /** Builds the profile's policy with its typed builder and prepares the two requests. */
  @Setup
  public void setUp() {
    PolicyDocument policy;
    String issuer;
    String aud = "sts.amazonaws.com";
    String sub;
    String sibling;
    switch (profile) {
      case "gitpod" -> {
        issuer = "https://services.gitpod.example.com/idp";
        policy = TrustPolicy.gitpod().issuer(issuer).account(ACCOUNT)
            .repository("https://github.com/acme/app").build();
        sub = "https://github.com/acme/app/pull/42";
        sibling = "https://github.com/acme/app-evil/pull/42";
      }
      case "ona" -> {
        issuer = "https://app.gitpod.io";
        policy = TrustPolicy.ona().account(ACCOUNT).organization(ORG).project(PRJ).build();
        sub = "organization_id:" + ORG + ":project_id:" + PRJ;
        sibling = "organization_id:" + ORG + ":project_id:" + OTHER;
      }
      case "github-actions" -> {
        issuer = "https://token.actions.githubusercontent.com";
        policy = TrustPolicy.githubActions().account(ACCOUNT).repository("acme/app")
            .branch("main").environment("prod").build();
        sub = "repo:acme/app:environment:prod";
        sibling = "repo:acme/app-evil:environment:prod";
      }
      case "gitlab" -> {
        issuer = "https://gitlab.com";
        aud = "https://gitlab.com";
        policy = TrustPolicy.gitlab().account(ACCOUNT).audience(aud).project("acme/app")
            .branch("main").build();
        sub = "project_path:acme/app:ref_type:branch:ref:main";
        sibling = "project_path:acme/app2:ref_type:branch:ref:main";
      }
      case "circleci" -> {
        issuer = "https://oidc.circleci.com/org/" + ORG;
        aud = ORG;
        policy = TrustPolicy.circleci(ORG).account(ACCOUNT).project(PRJ).build();
        sub = "org/" + ORG + "/project/" + PRJ + "/user/" + OTHER;
        sibling = "org/" + ORG + "/project/" + OTHER + "/user/" + OTHER;
      }
      case "bitbucket" -> {
        issuer = "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";
        aud = "ari:cloud:bitbucket::workspace/" + ORG;
        policy = TrustPolicy.bitbucket("acme").account(ACCOUNT).workspaceUuid(ORG)
            .repository(PRJ).build();
        sub = "{" + PRJ + "}:{" + OTHER + "}";
        sibling = "{" + OTHER + "}:{" + OTHER + "}";
      }
      case "buildkite" -> {
        issuer = "https://agent.buildkite.com";
        policy = TrustPolicy.buildkite().account(ACCOUNT).organization("acme").pipeline("app")
            .branch("main").build();
        sub = "organization:acme:pipeline:app:ref:refs/heads/main:commit:"
            + "9f3182061f1e2cca4702c368cbc039b7dc9d4485:step:build";
        sibling = sub.replace("pipeline:app:", "pipeline:app-evil:");
      }
      case "eks" -> {
        issuer = EKS;
        policy = TrustPolicy.eks(EKS).account(ACCOUNT).serviceAccount("ci", "puller").build();
        sub = "system:serviceaccount:ci:puller";
        sibling = "system:serviceaccount:ci:puller2";
      }
      default -> throw new IllegalArgumentException("Unknown profile " + profile);
    }
    evaluator = PolicyEvaluator.of(policy);
    allowed = EvaluationRequest.webIdentity(issuer, ACCOUNT,
        Map.of("iss", issuer, "aud", List.of(aud), "sub", sub));
    denied = EvaluationRequest.webIdentity(issuer, ACCOUNT,
        Map.of("iss", issuer, "aud", List.of(aud), "sub", sibling));
    if (!evaluator.evaluate(allowed).isAllowed() || evaluator.evaluate(denied).isAllowed()) {
      throw new IllegalStateException("Benchmark setup is wrong for " + profile);
    }
  }

  /** The token the policy was built for. */
  @Benchmark
  public Evaluation evaluateAllowed() {
    return evaluator.evaluate(allowed);
  }

  /** A sibling's token (another repository, project, pipeline or service account). */
  @Benchmark
  public Evaluation evaluateSibling() {
    return evaluator.evaluate(denied);
  }
}
