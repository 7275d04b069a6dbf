package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the trust policy of a role that GitLab CI/CD jobs assume; see
 * {@link TrustPolicy#gitlab()}.
 *
 * <pre>{@code
 * TrustPolicy.gitlab().account("123456789012").audience("https://gitlab.com")
 *     .project("acme/app").branch("main")   // project_path:acme/app:ref_type:branch:ref:main
 *     .build();
 * }</pre>
 *
 * <p>GitLab has no default audience: give the {@code aud} the job's {@code id_tokens:} sets.
 * Refs are bare names ({@code main}), never {@code refs/heads/main}.
 */
public final class GitlabTrustBuilder extends IssuerTrustBuilder<GitlabTrustBuilder> {

  private static final Pattern PATH =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)+");

  private final List<String> projectPaths = new ArrayList<>();
  private final List<Set<String>> tails = new ArrayList<>();

  GitlabTrustBuilder(String issuerUrl) {
    super(IssuerProfile.byId("gitlab").orElseThrow(), issuerUrl);
  }

  /**
   * Starts a rule for one project, {@code GROUP/PROJECT} (subgroups allowed): all its jobs.
   *
   * @param path the project path, such as {@code acme/app} or {@code acme/team/app}
   * @return this builder
   */
  public GitlabTrustBuilder project(String path) {
    Objects.requireNonNull(path, "path");
    projectPaths.add(name(path, PATH, "project path", "GROUP/PROJECT such as acme/app or"
        + " acme/platform/app, not a URL"));
    tails.add(new LinkedHashSet<>());
    return this;
  }

  /**
   * Allows jobs of the current project on one branch.
   *
   * @param branch the branch name
   * @return this builder
   */
  public GitlabTrustBuilder branch(String branch) {
    current("branch").add(":ref_type:branch:ref:" + bare(branch, "branch"));
    return this;
  }

  /**
   * Allows jobs of the current project on one tag.
   *
   * @param tag the exact tag name without {@code refs/tags/}, such as {@code v1.2.0}
   * @return this builder
   */
  public GitlabTrustBuilder tag(String tag) {
    current("tag").add(":ref_type:tag:ref:" + bare(tag, "tag"));
    return this;
  }

  private static String bare(String name, String what) {
    ref(name, what);
    if (name.startsWith("refs/")) {
      throw new PolicyException("Invalid " + what + " \"" + name + "\": GitLab's sub names the"
          + " bare " + what + " (" + name.replaceFirst("refs/(heads|tags)/", "") + "), not "
          + name);
    }
    return name;
  }

  private Set<String> current(String call) {
    if (tails.isEmpty()) {
      throw new PolicyException(call + "(...) narrows a project: call project(\"acme/app\")"
          + " first");
    }
    return tails.get(tails.size() - 1);
  }

  @Override
  String noAudienceHint() {
    return "audience(\"" + issuerUrl() + "\") (or the aud your job's id_tokens: sets)";
  }

  @Override
  boolean hasRules() {
    return !projectPaths.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (projectPaths.isEmpty()) {
      throw new PolicyException("No project: call project(\"acme/app\"). gitlab.com is shared"
          + " by every customer, so IAM refuses a trust policy for it without a sub condition");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < projectPaths.size(); i++) {
      String prefix = "project_path:" + projectPaths.get(i);
      if (tails.get(i).isEmpty()) {
        out.add(prefix + ":*");
      } else {
        tails.get(i).forEach(t -> out.add(prefix + t));
      }
    }
    return out;
  }
}
