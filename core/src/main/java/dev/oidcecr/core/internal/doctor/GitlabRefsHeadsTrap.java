package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * GitLab's {@code sub} names the bare branch ({@code ref:main}), not {@code refs/heads/main} as
 * GitHub does. Source: GitLab docs, "OpenID Connect (OIDC) Authentication Using ID Tokens",
 * token payload ({@code sub} = {@code project_path:G/P:ref_type:branch:ref:main}).
 */
final class GitlabRefsHeadsTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("gitlab");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    return c.values("sub").stream().filter(v -> v.contains(":ref:refs/")).findFirst()
        .map(v -> "Trap: the rule \"" + v + "\" writes the ref as refs/heads/ or refs/tags/,"
            + " but GitLab's sub names the bare ref (this token: " + c.sub() + "). Fix:"
            + " TrustPolicy.gitlab().project(\"" + c.subject().flatMap(s -> s.part("namespace"))
                .orElse("GROUP") + "/" + c.subject().flatMap(s -> s.part("project"))
                .orElse("PROJECT") + "\").branch(\"" + v.replaceFirst(".*:ref:refs/(heads|tags)/",
                    "").replaceFirst(":.*", "") + "\").");
  }
}
