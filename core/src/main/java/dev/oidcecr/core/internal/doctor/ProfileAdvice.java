package dev.oidcecr.core.internal.doctor;

import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the doctor says per issuer profile: how a job gets a fresh token, and the typed builder
 * call that allows exactly the token's {@code sub}. One entry per profile; the command line
 * rewrites the builder calls into {@code oidc-ecr setup} flags.
 */
public final class ProfileAdvice {
  private ProfileAdvice() {}

  private static final Map<String, String> TOKEN = Map.of(
      "gitpod", "`gp idp token --audience sts.amazonaws.com`",
      "ona", "`ona idp token --audience sts.amazonaws.com` in the environment",
      "github-actions", "give the job `permissions: id-token: write`; oidc-ecr then asks"
          + " GitHub for a token with audience sts.amazonaws.com",
      "gitlab", "declare it in .gitlab-ci.yml: `id_tokens:` with `aud: sts.amazonaws.com`",
      "circleci", "CircleCI sets $CIRCLE_OIDC_TOKEN_V2 in every job of a project with OIDC",
      "bitbucket", "add `oidc: true` to the step; Bitbucket sets $BITBUCKET_STEP_OIDC_TOKEN",
      "buildkite", "`buildkite-agent oidc request-token --audience sts.amazonaws.com`",
      "eks", "give the pod a service account annotated with the role (IRSA); EKS projects the"
          + " token at $AWS_WEB_IDENTITY_TOKEN_FILE");

  private static final Map<String, Function<IssuerProfile.Subject, String>> RULE = Map.of(
      "gitpod", s -> s.part("host").map(h -> "TrustPolicy.gitpod().repository(\"https://" + h
          + "/" + s.part("owner").orElse("") + "/" + s.part("repository").orElse("") + "\")")
          .orElse(null),
      "ona", s -> s.part("organization_id").map(o -> "TrustPolicy.ona().organization(\"" + o
          + "\")" + s.part("project_id").map(p -> ".project(\"" + p + "\")")
              .or(() -> s.part("environment_id").map(e -> ".environment(\"" + e + "\")"))
              .orElse("")).orElseGet(() -> s.part("org").map(o -> "TrustPolicy.ona()"
                  + ".organization(\"" + o + "\")" + s.part("prj").map(p -> ".project(\"" + p
                  + "\")").orElse("") + ".tokenVersion(2)").orElse(null)),
      "github-actions", s -> {
        String repo = s.part("owner").orElse("OWNER") + "/" + s.part("repository").orElse("R");
        String ids = s.part("owner_id").map(o -> ".immutableIds(\"" + o + "\", \""
            + s.part("repository_id").orElse("") + "\")").orElse("");
        String tail = s.part("environment").map(e -> ".environment(\"" + e + "\")")
            .or(() -> s.part("ref").filter(r -> r.startsWith("heads/"))
                .map(r -> ".branch(\"" + r.substring(6) + "\")"))
            .or(() -> s.part("ref").filter(r -> r.startsWith("tags/"))
                .map(r -> ".tag(\"" + r.substring(5) + "\")"))
            .orElse(".pullRequests()"); // the third tail GitHub writes: :pull_request
        return "TrustPolicy.githubActions().repository(\"" + repo + "\")" + ids + tail;
      },
      "gitlab", s -> "TrustPolicy.gitlab().project(\"" + s.part("namespace").orElse("GROUP")
          + "/" + s.part("project").orElse("PROJECT") + "\")" + s.part("ref")
              .map(r -> "tag".equals(s.part("ref_type").orElse("")) ? ".tag(\"" + r + "\")"
                  : ".branch(\"" + r + "\")").orElse(""),
      "circleci", s -> "TrustPolicy.circleci(\"" + s.part("org").orElse("") + "\").project(\""
          + s.part("project").orElse("") + "\")",
      "bitbucket", s -> "TrustPolicy.bitbucket(workspace).repository(\""
          + s.part("repository").orElse("").replaceAll("[{}]", "") + "\")",
      "buildkite", s -> "TrustPolicy.buildkite().organization(\""
          + s.part("organization").orElse("") + "\").pipeline(\"" + s.part("pipeline")
              .orElse("") + "\")" + s.part("ref").filter(r -> r.startsWith("refs/heads/"))
              .map(r -> ".branch(\"" + r.substring(11) + "\")").orElse(""),
      "eks", s -> "TrustPolicy.eks(issuerUrl).serviceAccount(\"" + s.part("namespace")
          .orElse("") + "\", \"" + s.part("service_account").orElse("") + "\")");

  /** Returns the profile of a token's issuer ({@code generic} when none claims it). */
  public static IssuerProfile profileOf(String issuer) {
    try {
      return IssuerProfile.detect(issuer);
    } catch (PolicyException e) {
      return IssuerProfile.byId("generic").orElseThrow();
    }
  }

  /** Returns how to get a fresh token in this profile's environment. */
  public static String tokenHint(IssuerProfile profile) {
    return TOKEN.getOrDefault(profile.id(), TOKEN.get("gitpod"));
  }

  /** Returns one line naming the profile and the parts of the token's {@code sub}. */
  public static String describe(IssuerProfile profile, String sub) {
    Optional<IssuerProfile.Subject> s = profile.parseSubject(sub);
    return "Issuer profile: " + profile.displayName() + " (" + profile.id() + "); sub "
        + s.map(p -> p.form() + " form " + new java.util.TreeMap<>(p.parts()))
            .orElse("is not of the form " + profile.subjectShape());
  }

  /** Returns the typed builder call that allows exactly this sub, when the profile has one. */
  public static Optional<String> rule(IssuerProfile profile, String sub) {
    Function<IssuerProfile.Subject, String> f = RULE.get(profile.id());
    if (f == null) {
      return Optional.empty();
    }
    return profile.parseSubject(sub).map(f).filter(r -> r != null && !r.isEmpty());
  }
}
