package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the trust policy of a role that GitHub Actions jobs assume; see
 * {@link TrustPolicy#githubActions()}.
 *
 * <pre>{@code
 * TrustPolicy.githubActions().account("123456789012")
 *     .repository("acme/app").branch("main")   // repo:acme/app:ref:refs/heads/main
 *     .build();
 * }</pre>
 *
 * <p>Each {@link #repository(String)} starts a rule; {@link #branch(String)},
 * {@link #tag(String)}, {@link #environment(String)} and {@link #pullRequests()} narrow it. A
 * repository without them allows every job of the repository: {@code repo:acme/app:*}, never
 * {@code repo:acme/app*}, which would also match {@code acme/app-fork}.
 */
public final class GithubActionsTrustBuilder
    extends IssuerTrustBuilder<GithubActionsTrustBuilder> {

  private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
  private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern ID = Pattern.compile("[1-9][0-9]*");

  private final List<Rule> rules = new ArrayList<>();

  private static final class Rule {
    final String owner;
    final String repo;
    String ownerId;
    String repoId;
    final Set<String> tails = new LinkedHashSet<>();

    Rule(String owner, String repo) {
      this.owner = owner;
      this.repo = repo;
    }

    String prefix() {
      return "repo:" + owner + (ownerId == null ? "" : "@" + ownerId) + "/" + repo
          + (repoId == null ? "" : "@" + repoId);
    }
  }

  GithubActionsTrustBuilder() {
    super(IssuerProfile.byId("github-actions").orElseThrow(),
        "https://token.actions.githubusercontent.com");
  }

  /**
   * Uses an enterprise's own issuer, {@code https://token.actions.githubusercontent.com/<slug>}
   * (the enterprise's "issuer" setting), instead of the shared one.
   *
   * @param slug the slug, as it appears in the issuer's claims
   * @return this builder
   */
  public GithubActionsTrustBuilder enterprise(String slug) {
    return issuer("https://token.actions.githubusercontent.com/"
        + name(slug, REPO, "enterprise slug", "the slug of the enterprise, such as acme-corp"));
  }

  /**
   * Starts a rule for one repository, {@code OWNER/REPO} exactly as GitHub spells it (IAM
   * compares case-sensitively): all its jobs until narrowed.
   *
   * @param ownerAndName the repository as {@code OWNER/REPO}
   * @return this builder
   */
  public GithubActionsTrustBuilder repository(String ownerAndName) {
    Objects.requireNonNull(ownerAndName, "ownerAndName");
    int slash = ownerAndName.indexOf('/');
    if (slash < 0 || ownerAndName.indexOf('/', slash + 1) >= 0) {
      throw new PolicyException("Invalid repository \"" + ownerAndName + "\": give OWNER/REPO"
          + " such as acme/app, not a URL");
    }
    rules.add(new Rule(
        name(ownerAndName.substring(0, slash), OWNER, "repository owner", "a GitHub user or"
            + " organization name such as acme"),
        name(ownerAndName.substring(slash + 1), REPO, "repository name", "a name such as app")));
    return this;
  }

  /**
   * Writes the current repository in GitHub's immutable form {@code
   * repo:OWNER@OWNER_ID/REPO@REPO_ID:...}, which survives renames and transfers; the ids are the
   * {@code repository_owner_id} and {@code repository_id} claims.
   *
   * @param ownerId the {@code repository_owner_id} claim
   * @param repositoryId the {@code repository_id} claim
   * @return this builder
   */
  public GithubActionsTrustBuilder immutableIds(String ownerId, String repositoryId) {
    Rule r = current("immutableIds");
    r.ownerId = name(ownerId, ID, "owner id", "the numeric repository_owner_id, such as 1342004");
    r.repoId = name(repositoryId, ID, "repository id", "the numeric repository_id, such as"
        + " 892104551");
    return this;
  }

  /**
   * Allows jobs of the current repository on one branch: {@code :ref:refs/heads/BRANCH}.
   *
   * @param branch the branch name
   * @return this builder
   */
  public GithubActionsTrustBuilder branch(String branch) {
    current("branch").tails.add(":ref:refs/heads/" + ref(branch, "branch"));
    return this;
  }

  /**
   * Allows jobs of the current repository on one tag: {@code :ref:refs/tags/TAG}.
   *
   * @param tag the exact tag name without {@code refs/tags/}, such as {@code v1.2.0} (no
   *     wildcards: use {@link #subjectPattern(String...)} for those)
   * @return this builder
   */
  public GithubActionsTrustBuilder tag(String tag) {
    current("tag").tails.add(":ref:refs/tags/" + ref(tag, "tag"));
    return this;
  }

  /**
   * Allows jobs of the current repository that run in one deployment environment:
   * {@code :environment:NAME} (GitHub writes the environment instead of the ref).
   *
   * @param environment the environment variables to read
   * @return this builder
   */
  public GithubActionsTrustBuilder environment(String environment) {
    current("environment").tails.add(":environment:" + ref(environment, "environment"));
    return this;
  }

  /**
   * Allows jobs of the current repository run for pull requests: {@code :pull_request}.
   *
   * @return this builder
   */
  public GithubActionsTrustBuilder pullRequests() {
    current("pullRequests").tails.add(":pull_request");
    return this;
  }

  private Rule current(String call) {
    if (rules.isEmpty()) {
      throw new PolicyException(call + "(...) narrows a repository: call repository(\"acme/app\")"
          + " first");
    }
    return rules.get(rules.size() - 1);
  }

  @Override
  boolean hasRules() {
    return !rules.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (rules.isEmpty()) {
      throw new PolicyException("No repository: call repository(\"acme/app\"). Every GitHub"
          + " customer shares the issuer, so IAM refuses a trust policy without a sub"
          + " condition");
    }
    List<String> out = new ArrayList<>();
    for (Rule r : rules) {
      if (r.tails.isEmpty()) {
        out.add(r.prefix() + ":*");
      } else {
        r.tails.forEach(t -> out.add(r.prefix() + t));
      }
    }
    return out;
  }
}
