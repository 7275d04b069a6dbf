package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * A repository (or organization) moved to GitHub's immutable subjects writes
 * {@code repo:OWNER@OWNER_ID/REPO@REPO_ID:...}; rules written with names only no longer match,
 * and rules with ids do not match tokens of repositories that did not move. Source: GitHub
 * changelog, "OpenID Connect tokens can use immutable subject claims" (2025).
 */
final class GithubImmutableSubjectTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("github-actions");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    if (c.subject().isEmpty()) {
      return Optional.empty();
    }
    var s = c.subject().get();
    String owner = s.part("owner").orElse("OWNER");
    String repo = s.part("repository").orElse("REPO");
    String byName = "repo:" + owner + "/" + repo + ":";
    boolean tokenImmutable = s.part("owner_id").isPresent();
    boolean policyByName = c.values("sub").stream().anyMatch(v -> v.startsWith(byName));
    boolean policyImmutable = c.values("sub").stream()
        .anyMatch(v -> v.startsWith("repo:" + owner + "@"));
    if (tokenImmutable && policyByName && !policyImmutable) {
      return Optional.of("Trap: the repository moved to immutable subjects: its token's sub is "
          + c.sub() + " (owner and repository ids after @), while the trust policy names "
          + owner + "/" + repo + " without ids. Fix: write the rule with the ids,"
          + " TrustPolicy.githubActions().repository(\"" + owner + "/" + repo
          + "\").immutableIds(\"" + s.part("owner_id").get() + "\", \""
          + s.part("repository_id").orElse("REPO_ID") + "\").");
    }
    if (!tokenImmutable && policyImmutable && !policyByName) {
      return Optional.of("Trap: the trust policy uses immutable subjects (repo:" + owner
          + "@ID/...), but this token's sub " + c.sub() + " has no ids: the repository has not"
          + " moved to immutable subjects. Fix: TrustPolicy.githubActions().repository(\""
          + owner + "/" + repo + "\") without immutableIds, or switch the repository's OIDC"
          + " subject setting.");
    }
    return Optional.empty();
  }
}
