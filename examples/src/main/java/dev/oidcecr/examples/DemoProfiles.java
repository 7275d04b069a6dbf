package dev.oidcecr.examples;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeOidcIssuer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the demo does per issuer profile: who may assume the role (the typed builder of the
 * profile), the token of an allowed job and of a refused one, minted by the fake issuer, and
 * the variables the job's environment has.
 */
final class DemoProfiles {
  private DemoProfiles() {}

  /** One profile's demo inputs. */
  record Case(String id, String who, Consumer<AwsSetup.Builder> rules,
      Function<FakeOidcIssuer, String> allowed, String allowedWho,
      Function<FakeOidcIssuer, String> refused, String refusedWho, Map<String, String> env) {}

  static final String ONA_ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String ONA_PROJECT = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  static final String CIRCLE_ORG = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
  static final String CIRCLE_PROJECT = "2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
  static final String BITBUCKET_REPO = "437da666-7aab-4b60-a947-ec542536ca0d";
  static final String EKS_ISSUER =
      "https://oidc.eks.eu-west-1.amazonaws.com/id/5E5D7BAA84911ACC36EE4D978F209DD7";

  /** The profile ids the demo knows, {@code gitpod} (the default) first. */
  static final List<String> IDS = List.of("gitpod", "ona", "github-actions", "gitlab",
      "circleci", "bitbucket", "buildkite", "eks");

  static Case of(String id) {
    return switch (id) {
      case "gitpod" -> new Case(id, "Gitpod workspaces",
          b -> b.allowRepository(Demo.ALLOWED).gitpodAccountId("210987654321"),
          i -> i.token().repository(Demo.ALLOWED + "/tree/main")
              .workspaceId("acme-app-0a1b2c3d4e5").mint(), "a workspace of " + Demo.ALLOWED,
          i -> i.token().repository(Demo.OTHER).mint(), "a workspace of " + Demo.OTHER,
          Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d4e5"));
      case "ona" -> new Case(id, "Ona environments",
          b -> b.trust(TrustPolicy.ona().organization(ONA_ORG).project(ONA_PROJECT)),
          i -> i.ona().mint(), "an environment of project " + ONA_PROJECT,
          i -> i.ona().v2().mint(), "an environment whose organization still issues V2 tokens",
          Map.of("GITPOD_ENVIRONMENT_ID", "019527e4-75d5-704d-a5a4-a2b52cf56196"));
      case "github-actions" -> new Case(id, "GitHub Actions jobs",
          b -> b.trust(TrustPolicy.githubActions().repository("acme/app").branch("main")),
          i -> i.githubActions().branch("main").mint(), "a job of acme/app on main",
          i -> i.githubActions().environment("production").mint(),
          "a job of acme/app in the environment production", Map.of("GITHUB_ACTIONS", "true"));
      case "gitlab" -> new Case(id, "GitLab CI/CD jobs",
          b -> b.trust(TrustPolicy.gitlab().project("acme/app").branch("main"))
              .audience("sts.amazonaws.com"),
          i -> i.gitlab().branch("main").mint(), "a job of acme/app on main",
          i -> i.gitlab().branch("feature").mint(), "a job of acme/app on feature",
          Map.of("GITLAB_CI", "true"));
      case "circleci" -> new Case(id, "CircleCI jobs",
          b -> b.trust(TrustPolicy.circleci(CIRCLE_ORG).project(CIRCLE_PROJECT))
              .audience("sts.amazonaws.com"),
          i -> i.circleci().audience("sts.amazonaws.com").mint(),
          "a job that asked for audience sts.amazonaws.com",
          i -> i.circleci().mint(), "a job still carrying CircleCI's default audience",
          Map.of("CIRCLECI", "true"));
      case "bitbucket" -> new Case(id, "Bitbucket Pipelines steps",
          b -> b.trust(TrustPolicy.bitbucket("acme").repository(BITBUCKET_REPO))
              .audience("sts.amazonaws.com"),
          i -> i.bitbucket().audience("sts.amazonaws.com").mint(),
          "a step with audience sts.amazonaws.com",
          i -> i.bitbucket().mint(), "a step still carrying Bitbucket's default audience",
          Map.of("BITBUCKET_BUILD_NUMBER", "7"));
      case "buildkite" -> new Case(id, "Buildkite jobs",
          b -> b.trust(TrustPolicy.buildkite().organization("acme").pipeline("app")),
          i -> i.buildkite().mint(), "a job of pipeline acme/app",
          i -> i.buildkite().pipeline("deploy").mint(), "a job of pipeline acme/deploy",
          Map.of("BUILDKITE", "true"));
      case "eks" -> new Case(id, "pods of an EKS cluster",
          b -> b.trust(TrustPolicy.eks(EKS_ISSUER).serviceAccount("default", "app")),
          i -> i.eks().mint(), "a pod running as default/app",
          i -> i.eks().serviceAccount("default", "other").mint(),
          "a pod running as default/other", Map.of());
      default -> throw new IllegalArgumentException("Unknown --issuer \"" + id + "\": use one"
          + " of " + String.join(", ", IDS));
    };
  }
}
