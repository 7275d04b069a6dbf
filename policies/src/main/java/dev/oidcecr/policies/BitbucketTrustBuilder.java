package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the trust policy of a role that Bitbucket Pipelines steps assume; see
 * {@link TrustPolicy#bitbucket(String)}. UUIDs are shown on the repository's OpenID Connect
 * settings page, with or without braces.
 *
 * <pre>{@code
 * TrustPolicy.bitbucket("acme").account("123456789012")
 *     .workspaceUuid(workspaceUuid)   // aud ari:cloud:bitbucket::workspace/<uuid>
 *     .repository(repositoryUuid)     // sub {<repository uuid>}:*
 *     .build();
 * }</pre>
 */
public final class BitbucketTrustBuilder extends IssuerTrustBuilder<BitbucketTrustBuilder> {

  private static final Pattern WORKSPACE = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  private final List<String> repositories = new ArrayList<>();
  private final List<Set<String>> environments = new ArrayList<>();

  BitbucketTrustBuilder(String workspace) {
    super(IssuerProfile.byId("bitbucket").orElseThrow(),
        "https://api.bitbucket.org/2.0/workspaces/"
            + name(workspace, WORKSPACE, "workspace", "the workspace slug such as acme")
            + "/pipelines-config/identity/oidc");
  }

  /**
   * Sets the audience from the workspace UUID: {@code ari:cloud:bitbucket::workspace/<uuid>}.
   *
   * @param uuid the UUID, with or without braces
   * @return this builder
   */
  public BitbucketTrustBuilder workspaceUuid(String uuid) {
    return audience("ari:cloud:bitbucket::workspace/" + bare(uuid, "workspace UUID"));
  }

  /**
   * Starts a rule for one repository: every step.
   *
   * @param repositoryUuid the repository UUID, with or without braces
   * @return this builder
   */
  public BitbucketTrustBuilder repository(String repositoryUuid) {
    repositories.add("{" + bare(repositoryUuid, "repository UUID") + "}");
    environments.add(new LinkedHashSet<>());
    return this;
  }

  /**
   * Narrows the current repository to deployment steps of one environment.
   *
   * @param environmentUuid the deployment environment UUID, with or without braces
   * @return this builder
   */
  public BitbucketTrustBuilder deploymentEnvironment(String environmentUuid) {
    if (environments.isEmpty()) {
      throw new PolicyException("deploymentEnvironment(...) narrows a repository: call"
          + " repository(uuid) first");
    }
    environments.get(environments.size() - 1)
        .add("{" + bare(environmentUuid, "environment UUID") + "}");
    return this;
  }

  private static String bare(String uuid, String what) {
    Objects.requireNonNull(uuid, what);
    String v = uuid.startsWith("{") && uuid.endsWith("}") ? uuid.substring(1, uuid.length() - 1)
        : uuid;
    return uuid(v, what);
  }

  @Override
  String noAudienceHint() {
    return "workspaceUuid(uuid) (the Audience on the OpenID Connect settings page)";
  }

  @Override
  boolean hasRules() {
    return !repositories.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (repositories.isEmpty()) {
      throw new PolicyException("No repository: call repository(uuid) with the repository UUID"
          + " from the repository's OpenID Connect settings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < repositories.size(); i++) {
      String r = repositories.get(i);
      if (environments.get(i).isEmpty()) {
        out.add(r + ":*");
      } else {
        environments.get(i).forEach(e -> out.add(r + ":" + e + ":*"));
      }
    }
    return out;
  }
}
