package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the trust policy of a role that Ona environments assume; see {@link TrustPolicy#ona()}.
 *
 * <pre>{@code
 * TrustPolicy.ona().account("123456789012")
 *     .organization("0191e223-1c3c-7607-badf-303c98b52d2f")
 *     .project("019527e4-75d5-704d-a5a4-a2b52cf56198")
 *     .build();
 * }</pre>
 *
 * <p>V3 tokens (the default) write {@code organization_id:<org>:project_id:<proj>}, and an
 * organization may append extra sub fields, so a project is allowed as that exact subject and
 * that subject followed by {@code :*}. Ids are fixed-length UUIDs: no sibling can match. V2
 * tokens ({@link #tokenVersion(int) tokenVersion(2)}) write {@code org:<org>/prj:<proj>/env:<env>}.
 */
public final class OnaTrustBuilder extends IssuerTrustBuilder<OnaTrustBuilder> {

  private String organization;
  private final Set<String> projects = new LinkedHashSet<>();
  private final Set<String> environments = new LinkedHashSet<>();
  private boolean allProjects;
  private int version = 3;

  OnaTrustBuilder() {
    super(IssuerProfile.byId("ona").orElseThrow(), "https://app.gitpod.io");
  }

  /**
   * Sets the Ona organization id (a lower-case UUID, as in the dashboard URL).
   *
   * @param organizationId the organization ID
   * @return this builder
   */
  public OnaTrustBuilder organization(String organizationId) {
    this.organization = uuid(organizationId, "organization id");
    return this;
  }

  /**
   * Allows the environments of one project.
   *
   * @param projectId the project ID
   * @return this builder
   */
  public OnaTrustBuilder project(String projectId) {
    projects.add(uuid(projectId, "project id"));
    return this;
  }

  /**
   * Allows one environment that belongs to no project (V3 {@code environment_id}).
   *
   * @param environmentId the environment ID
   * @return this builder
   */
  public OnaTrustBuilder environment(String environmentId) {
    environments.add(uuid(environmentId, "environment id"));
    return this;
  }

  /**
   * Allows every environment of the organization; the linter warns about this on purpose.
   *
   * @return this builder
   */
  public OnaTrustBuilder allProjects() {
    this.allProjects = true;
    return this;
  }

  /**
   * Sets the token version the organization issues: 3 (the default, current) or 2. Switching
   * an organization from V2 to V3 changes every {@code sub}: update trust policies first.
   *
   * @param version the token version the organization issues: 3 (the default, current) or 2
   * @return this builder
   */
  public OnaTrustBuilder tokenVersion(int version) {
    if (version != 2 && version != 3) {
      throw new PolicyException("Unknown Ona token version " + version + ": use 3 (current) or 2,"
          + " as on the organization's OIDC Token Configuration page");
    }
    this.version = version;
    return this;
  }

  @Override
  boolean hasRules() {
    return organization != null && (allProjects || !projects.isEmpty() || !environments.isEmpty());
  }

  @Override
  List<String> subjects() {
    if (organization == null) {
      throw new PolicyException("No organization: call organization(id) with the Ona"
          + " organization id. Every Ona organization shares the issuer https://app.gitpod.io,"
          + " so a trust policy without a sub condition would let any Ona organization in");
    }
    if (projects.isEmpty() && environments.isEmpty() && !allProjects) {
      throw new PolicyException("No project: call project(id) (or environment(id)), or"
          + " allProjects() to allow every environment of organization " + organization);
    }
    if (allProjects && (!projects.isEmpty() || !environments.isEmpty())) {
      throw new PolicyException("allProjects() contradicts project(...)/environment(...):"
          + " keep one of them");
    }
    List<String> out = new ArrayList<>();
    if (version == 3) {
      String org = "organization_id:" + organization;
      if (allProjects) {
        out.add(org + ":*");
      }
      for (String p : projects) {
        out.add(org + ":project_id:" + p);
        out.add(org + ":project_id:" + p + ":*");
      }
      for (String e : environments) {
        out.add(org + ":environment_id:" + e);
        out.add(org + ":environment_id:" + e + ":*");
      }
    } else {
      String org = "org:" + organization;
      if (allProjects) {
        out.add(org + "/*");
      }
      for (String p : projects) {
        out.add(org + "/prj:" + p + "/*");
      }
      for (String e : environments) {
        out.add(org + "/env:" + e);
      }
    }
    return out;
  }
}
