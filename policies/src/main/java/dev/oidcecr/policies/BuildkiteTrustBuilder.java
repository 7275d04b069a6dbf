package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the trust policy of a role that Buildkite jobs assume; see
 * {@link TrustPolicy#buildkite()}.
 *
 * <pre>{@code
 * TrustPolicy.buildkite().account("123456789012")
 *     .organization("acme").pipeline("app").branch("main")
 *     .build();
 * // sub: organization:acme:pipeline:app:ref:refs/heads/main:*
 * }</pre>
 */
public final class BuildkiteTrustBuilder extends IssuerTrustBuilder<BuildkiteTrustBuilder> {

  private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?");

  private String organization;
  private final List<String> pipelines = new ArrayList<>();
  private final List<Set<String>> refs = new ArrayList<>();

  BuildkiteTrustBuilder() {
    super(IssuerProfile.byId("buildkite").orElseThrow(), "https://agent.buildkite.com");
  }

  /**
   * Sets the organization slug, as in {@code buildkite.com/<slug>}.
   *
   * @param slug the slug, as it appears in the issuer's claims
   * @return this builder
   */
  public BuildkiteTrustBuilder organization(String slug) {
    this.organization = name(slug, SLUG, "organization slug", "a slug such as acme-inc");
    return this;
  }

  /**
   * Starts a rule for one pipeline (its slug): every build.
   *
   * @param slug the slug, as it appears in the issuer's claims
   * @return this builder
   */
  public BuildkiteTrustBuilder pipeline(String slug) {
    pipelines.add(name(slug, SLUG, "pipeline slug", "a slug such as app"));
    refs.add(new LinkedHashSet<>());
    return this;
  }

  /**
   * Narrows the current pipeline to builds of one branch.
   *
   * @param branch the branch name
   * @return this builder
   */
  public BuildkiteTrustBuilder branch(String branch) {
    if (refs.isEmpty()) {
      throw new PolicyException("branch(...) narrows a pipeline: call pipeline(\"app\") first");
    }
    refs.get(refs.size() - 1).add("refs/heads/" + ref(branch, "branch"));
    return this;
  }

  @Override
  boolean hasRules() {
    return organization != null && !pipelines.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (organization == null || pipelines.isEmpty()) {
      throw new PolicyException("No " + (organization == null ? "organization" : "pipeline")
          + ": call organization(\"acme\").pipeline(\"app\"). Every Buildkite organization"
          + " shares the issuer, so a trust policy must check sub");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pipelines.size(); i++) {
      String prefix = "organization:" + organization + ":pipeline:" + pipelines.get(i);
      if (refs.get(i).isEmpty()) {
        out.add(prefix + ":*");
      } else {
        refs.get(i).forEach(r -> out.add(prefix + ":ref:" + r + ":*"));
      }
    }
    return out;
  }
}
