package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the trust policy of a role that CircleCI jobs assume; see
 * {@link TrustPolicy#circleci(String)}. The issuer is the organization's
 * ({@code https://oidc.circleci.com/org/<org-id>}) and the default audience its id.
 *
 * <pre>{@code
 * TrustPolicy.circleci(orgId).account("123456789012").project(projectId).build();
 * // sub: org/<org-id>/project/<project-id>/user/*
 * }</pre>
 */
public final class CircleciTrustBuilder extends IssuerTrustBuilder<CircleciTrustBuilder> {

  private final String organization;
  private final Set<String> projects = new LinkedHashSet<>();

  CircleciTrustBuilder(String organizationId) {
    super(IssuerProfile.byId("circleci").orElseThrow(),
        "https://oidc.circleci.com/org/" + uuid(organizationId, "CircleCI organization id"));
    this.organization = organizationId;
  }

  /**
   * Allows jobs of one project, run by any user.
   *
   * @param projectId the project ID
   * @return this builder
   */
  public CircleciTrustBuilder project(String projectId) {
    projects.add(uuid(projectId, "CircleCI project id"));
    return this;
  }

  @Override
  boolean hasRules() {
    return !projects.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (projects.isEmpty()) {
      throw new PolicyException("No project: call project(id) with the project id from"
          + " Project Settings > Overview");
    }
    List<String> out = new ArrayList<>();
    projects.forEach(p -> out.add("org/" + organization + "/project/" + p + "/user/*"));
    return out;
  }
}
