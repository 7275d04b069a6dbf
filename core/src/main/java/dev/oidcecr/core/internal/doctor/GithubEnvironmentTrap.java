package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * A GitHub job that names an {@code environment:} gets {@code repo:O/R:environment:E} as its
 * {@code sub}, without {@code :ref:}, so a rule on a branch no longer matches it. Source: GitHub,
 * "About security hardening with OpenID Connect", example subject claims ("Filtering for a
 * specific environment").
 */
final class GithubEnvironmentTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("github-actions");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    Optional<String> env = c.subject().flatMap(s -> s.part("environment"));
    if (env.isEmpty() || c.values("sub").stream().noneMatch(v -> v.contains(":ref:"))) {
      return Optional.empty();
    }
    String repo = c.subject().get().part("owner").orElse("OWNER") + "/"
        + c.subject().get().part("repository").orElse("REPO");
    return Optional.of("Trap: the job runs in the deployment environment \"" + env.get()
        + "\", so GitHub writes its sub as " + c.sub() + ", with no ref: the trust policy's"
        + " branch rules (" + String.join(", ", c.values("sub").stream()
            .filter(v -> v.contains(":ref:")).toList()) + ") cannot match it. Fix: allow the"
        + " environment with TrustPolicy.githubActions().repository(\"" + repo
        + "\").environment(\"" + env.get() + "\").");
  }
}
