package dev.oidcecr.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The token builders of each issuer profile other than Gitpod Classic, returned by
 * {@link FakeOidcIssuer#ona()}, {@link FakeOidcIssuer#githubActions()},
 * {@link FakeOidcIssuer#gitlab()}, {@link FakeOidcIssuer#circleci()},
 * {@link FakeOidcIssuer#bitbucket()}, {@link FakeOidcIssuer#buildkite()} and
 * {@link FakeOidcIssuer#eks()}. Claim names, value types and {@code sub} grammars follow each
 * issuer's public documentation (cited on each class); example ids are made up.
 */
public final class ProfileTokens {
  /** The profile ids {@link FakeOidcIssuer#profile(String)} knows, {@code gitpod} first. */
  public static final List<String> IDS = List.of("gitpod", "ona", "github-actions", "gitlab",
      "circleci", "bitbucket", "buildkite", "eks");

  private static final String STS = "sts.amazonaws.com";
  /** GitHub's and Buildkite's: JWKS at {@code /.well-known/jwks}, {@code nbf} and {@code jti}. */
  private static final ProfileToken.Conventions WELL_KNOWN_JWKS_NBF_JTI =
      ProfileToken.Conventions.PLAIN.jwks("/.well-known/jwks").withNotBefore().withJti();

  private ProfileTokens() {}

  static ProfileToken<?> create(FakeOidcIssuer owner, String id) {
    return switch (id.toLowerCase(Locale.ROOT)) {
      case "ona" -> new Ona(owner);
      case "github-actions", "github" -> new GitHubActions(owner);
      case "gitlab" -> new GitLab(owner);
      case "circleci" -> new CircleCi(owner);
      case "bitbucket" -> new Bitbucket(owner);
      case "buildkite" -> new Buildkite(owner);
      case "eks" -> new Eks(owner);
      default -> throw new IllegalArgumentException("Unknown issuer profile '" + id
          + "': use one of " + String.join(", ", IDS) + ".");
    };
  }

  private static String braced(String uuid) {
    Objects.requireNonNull(uuid, "uuid");
    return uuid.startsWith("{") ? uuid : "{" + uuid + "}";
  }

  private static String unbraced(String uuid) {
    return uuid.replace("{", "").replace("}", "");
  }

  /**
   * An Ona (formerly Gitpod Flex) environment token. V3 (the default): {@code iss}
   * {@code https://app.gitpod.io}, {@code aud} an array, {@code sub}
   * {@code organization_id:<org>:project_id:<project>} or, for an environment without a project,
   * {@code organization_id:<org>:environment_id:<env>}, with any configured extra fields appended
   * as {@code :<claim>:<value>}; flat claims {@code organization_id}, {@code project_id},
   * {@code environment_id}, {@code runner_id}, {@code creator_*}. V2 ({@link #v2()}): {@code sub}
   * {@code org:<org>/prj:<project>/env:<env>} (or {@code org:<org>/env:<env>},
   * {@code org:<org>/user:<user>}, {@code org:<org>/rnr:<runner>}), claim {@code org}, a
   * single-string {@code aud}.
   */
  // Facts: https://ona.com/docs/ona/configuration/oidc (V3 token structure and example),
  // https://ona.com/docs/ona/identity/aws-oidc (V3 sub "organization_id:<orgID>:project_id:
  // <projID>", provider app.gitpod.io, audience sts.amazonaws.com),
  // https://ona.com/docs/ona/integrations/aws (V2 example: "org" claim, string aud, sub
  // "org:<org>/prj:<prj>/env:<env>").
  public static final class Ona extends ProfileToken<Ona> {
    /** Ona's issuer. */
    public static final String ISSUER = "https://app.gitpod.io";
    private boolean v2;
    private String principal = "environment";
    private String organization = "0191e223-1c3c-7607-badf-303c98b52d2f";
    private String project = "019527e4-75d5-704d-a5a4-a2b52cf56198";
    private String environment = "019527e4-75d5-704d-a5a4-a2b52cf56196";
    private String runner = "01917a4c-2f0e-7d58-9b3c-5f6a7b8c9d0e";
    private String user = "0190c4e1-5b6a-7c8d-9e0f-1a2b3c4d5e6f";
    private String contextUrl = "https://github.com/acme/app";
    private final List<String> subjectFields = new ArrayList<>();

    Ona(FakeOidcIssuer owner) {
      super(owner, "ona", Conventions.PLAIN);
    }

    @Override
    public String defaultIssuer() {
      return ISSUER;
    }

    @Override
    Object defaultAudience() {
      return v2 ? STS : List.of(STS);
    }

    @Override
    boolean option(String key, Object value) {
      if (key.equals("version")) {
        v2 = String.valueOf(value).equalsIgnoreCase("v2");
        return true;
      }
      return false;
    }

    /** Mints a V2 token (the format before V3; still supported). */
    public Ona v2() {
      this.v2 = true;
      return this;
    }

    /**
     * Sets the organization id.
     *
     * @param organizationId the organization ID
     */
    public Ona organization(String organizationId) {
      this.organization = Objects.requireNonNull(organizationId, "organizationId");
      return this;
    }

    /**
     * Sets the project id of the environment.
     *
     * @param projectId the project ID
     */
    public Ona project(String projectId) {
      this.project = Objects.requireNonNull(projectId, "projectId");
      return this;
    }

    /** Makes the environment one without a project: {@code sub} then names the environment. */
    public Ona withoutProject() {
      this.project = null;
      return this;
    }

    /**
     * Sets the environment id.
     *
     * @param environmentId the environment ID
     */
    public Ona environment(String environmentId) {
      this.environment = Objects.requireNonNull(environmentId, "environmentId");
      return this;
    }

    /**
     * Sets the runner id.
     *
     * @param runnerId the runner id
     */
    public Ona runner(String runnerId) {
      this.runner = Objects.requireNonNull(runnerId, "runnerId");
      return this;
    }

    /**
     * Sets the environment's repository context URL.
     *
     * @param url the URL
     */
    public Ona contextUrl(String url) {
      this.contextUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /** Makes it a V2 user token: {@code sub} {@code org:<org>/user:<user>}. */
    public Ona userPrincipal(String userId) {
      this.principal = "user";
      this.user = Objects.requireNonNull(userId, "userId");
      return this;
    }

    /** Makes it a V2 runner token: {@code sub} {@code org:<org>/rnr:<runner>}. */
    public Ona runnerPrincipal(String runnerId) {
      this.principal = "runner";
      this.runner = Objects.requireNonNull(runnerId, "runnerId");
      return this;
    }

    /**
     * Appends a claim to the V3 {@code sub} as {@code :<claim>:<value>}, as an organization's
     * "extra sub claim fields" setting does.
     */
    public Ona subjectField(String claimName) {
      subjectFields.add(Objects.requireNonNull(claimName, "claimName"));
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      if (v2) {
        c.put("org", organization);
        return;
      }
      c.put("environment_id", environment);
      c.put("organization_id", organization);
      if (project != null) {
        c.put("project_id", project);
      }
      c.put("runner_id", runner);
      c.put("creator_principal", "user");
      c.put("creator_id", user);
      c.put("creator_email", "jane@acme.example");
      c.put("creator_name", "Jane Developer");
      c.put("environment_initializers", List.of(Map.of(
          "git", Map.of("remote_uri", contextUrl + ".git"), "context_url", contextUrl)));
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      if (v2) {
        String org = "org:" + text(c, "org");
        return switch (principal) {
          case "user" -> org + "/user:" + user;
          case "runner" -> org + "/rnr:" + runner;
          default -> org + (project != null ? "/prj:" + project : "") + "/env:" + environment;
        };
      }
      StringBuilder sub = new StringBuilder("organization_id:").append(text(c, "organization_id"));
      if (!text(c, "project_id").isEmpty()) {
        sub.append(":project_id:").append(text(c, "project_id"));
      } else {
        sub.append(":environment_id:").append(text(c, "environment_id"));
      }
      for (String f : subjectFields) {
        sub.append(':').append(f).append(':').append(text(c, f));
      }
      return sub.toString();
    }
  }

  /**
   * A GitHub Actions job's token: {@code iss} {@code https://token.actions.githubusercontent.com},
   * {@code sub} {@code repo:OWNER/REPO:environment:NAME} when the job has an environment, else
   * {@code repo:OWNER/REPO:pull_request} for a pull request, else
   * {@code repo:OWNER/REPO:ref:REF}; with {@link #immutableIds} the immutable form
   * {@code repo:OWNER@OWNER_ID/REPO@REPO_ID:...}. Ids are strings, as GitHub sends them.
   * Default {@code aud} {@code sts.amazonaws.com}, the audience aws-actions/configure-aws-
   * credentials requests (GitHub's own default is the owner's URL).
   */
  // Facts: https://docs.github.com/en/actions/reference/security/oidc (claims, example subject
  // claims, environment taking precedence over ref, pull_request form), the GitHub changelog on
  // immutable subject claims (repo:OWNER@ID/REPO@ID, new repositories from 15 July 2026), JWKS
  // at https://token.actions.githubusercontent.com/.well-known/jwks.
  public static final class GitHubActions extends ProfileToken<GitHubActions> {
    /** GitHub's issuer. */
    public static final String ISSUER = "https://token.actions.githubusercontent.com";
    private String repository = "acme/app";
    private String ownerId = "1234567";
    private String repositoryId = "890123456";
    private String ref = "refs/heads/main";
    private String refType = "branch";
    private String environment;
    private String eventName = "push";
    private String headRef = "";
    private String baseRef = "";
    private String sha = "a3f5c2d8e9b14f7a6c0d2e4f8b1a3c5d7e9f0b2d";
    private String actor = "octocat";
    private String workflowFile = ".github/workflows/deploy.yml";
    private String jobWorkflowRef;
    private String enterprise;
    private boolean immutable;

    GitHubActions(FakeOidcIssuer owner) {
      super(owner, "github-actions", WELL_KNOWN_JWKS_NBF_JTI);
    }

    @Override
    public String defaultIssuer() {
      return ISSUER;
    }

    @Override
    boolean option(String key, Object value) {
      if (key.equals("immutable")) {
        immutable = Boolean.parseBoolean(String.valueOf(value));
        return true;
      }
      return false;
    }

    /**
     * Sets the repository, {@code OWNER/REPO}.
     *
     * @param ownerSlashName the repository, {@code OWNER/REPO}
     */
    public GitHubActions repository(String ownerSlashName) {
      if (!ownerSlashName.matches("[^/:@]+/[^/:@]+")) {
        throw new IllegalArgumentException("Repository '" + ownerSlashName
            + "' is not OWNER/REPO: use a name such as acme/app.");
      }
      this.repository = ownerSlashName;
      return this;
    }

    /**
     * Runs on a push to a branch: {@code ref} {@code refs/heads/<branch>}.
     *
     * @param branch the branch name
     */
    public GitHubActions branch(String branch) {
      this.ref = "refs/heads/" + Objects.requireNonNull(branch, "branch");
      this.refType = "branch";
      this.eventName = "push";
      return this;
    }

    /**
     * Runs on a tag: {@code ref} {@code refs/tags/<tag>}.
     *
     * @param tag the tag
     */
    public GitHubActions tag(String tag) {
      this.ref = "refs/tags/" + Objects.requireNonNull(tag, "tag");
      this.refType = "tag";
      this.eventName = "push";
      return this;
    }

    /**
     * Runs in a deployment environment, which becomes the {@code sub} context.
     *
     * @param name the name
     */
    public GitHubActions environment(String name) {
      this.environment = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Runs for pull request {@code number} from {@code headBranch} into {@code baseBranch}. */
    public GitHubActions pullRequest(int number, String headBranch, String baseBranch) {
      this.eventName = "pull_request";
      this.ref = "refs/pull/" + number + "/merge";
      this.refType = "branch";
      this.headRef = Objects.requireNonNull(headBranch, "headBranch");
      this.baseRef = Objects.requireNonNull(baseBranch, "baseBranch");
      return this;
    }

    /** Runs for a pull request (number 1, {@code feature} into {@code main}). */
    public GitHubActions pullRequest() {
      return pullRequest(1, "feature", "main");
    }

    /**
     * Uses the immutable {@code sub} form with these numeric owner and repository ids.
     *
     * @param ownerId the {@code repository_owner_id} claim
     * @param repositoryId the {@code repository_id} claim
     */
    public GitHubActions immutableIds(long ownerId, long repositoryId) {
      this.immutable = true;
      return ids(ownerId, repositoryId);
    }

    /**
     * Sets the owner and repository ids without changing the {@code sub} form.
     *
     * @param ownerId the {@code repository_owner_id} claim
     * @param repositoryId the {@code repository_id} claim
     */
    public GitHubActions ids(long ownerId, long repositoryId) {
      this.ownerId = Long.toString(ownerId);
      this.repositoryId = Long.toString(repositoryId);
      return this;
    }

    /**
     * Sets the user who triggered the run.
     *
     * @param login the user who triggered the run
     */
    public GitHubActions actor(String login) {
      this.actor = Objects.requireNonNull(login, "login");
      return this;
    }

    /**
     * Sets the commit.
     *
     * @param commit the commit
     */
    public GitHubActions sha(String commit) {
      this.sha = Objects.requireNonNull(commit, "commit");
      return this;
    }

    /**
     * Sets the workflow file, such as {@code .github/workflows/deploy.yml}.
     *
     * @param path the file path
     */
    public GitHubActions workflowFile(String path) {
      this.workflowFile = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Sets {@code job_workflow_ref}, for a job run by a reusable workflow, such as
     * {@code acme/shared/.github/workflows/deploy.yml@refs/heads/main}.
     *
     * @param ref {@code job_workflow_ref}, for a job run by a reusable workflow, such as {@code acme/shared/.github/workflows/deploy.yml@refs/heads/main}
     */
    public GitHubActions jobWorkflowRef(String ref) {
      this.jobWorkflowRef = Objects.requireNonNull(ref, "ref");
      return this;
    }

    /**
     * Adds the {@code enterprise} and {@code enterprise_id} claims of an enterprise's run.
     *
     * @param slug the slug, as it appears in the issuer's claims
     */
    public GitHubActions enterprise(String slug) {
      this.enterprise = Objects.requireNonNull(slug, "slug");
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      String owner = repository.substring(0, repository.indexOf('/'));
      String workflowRef = repository + "/" + workflowFile + "@" + ref;
      if (environment != null) {
        c.put("environment", environment);
      }
      c.put("ref", ref);
      c.put("sha", sha);
      c.put("repository", repository);
      c.put("repository_owner", owner);
      c.put("actor_id", "583231");
      c.put("repository_visibility", "private");
      c.put("repository_id", repositoryId);
      c.put("repository_owner_id", ownerId);
      c.put("run_id", "6229587218");
      c.put("run_number", "42");
      c.put("run_attempt", "1");
      c.put("runner_environment", "github-hosted");
      c.put("actor", actor);
      c.put("workflow", "deploy");
      c.put("head_ref", headRef);
      c.put("base_ref", baseRef);
      c.put("event_name", eventName);
      c.put("ref_protected", refType.equals("branch") && ref.equals("refs/heads/main")
          ? "true" : "false");
      c.put("ref_type", refType);
      c.put("workflow_ref", workflowRef);
      c.put("workflow_sha", sha);
      c.put("job_workflow_ref", jobWorkflowRef != null ? jobWorkflowRef : workflowRef);
      c.put("job_workflow_sha", sha);
      if (enterprise != null) {
        c.put("enterprise", enterprise);
        c.put("enterprise_id", "4321");
      }
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      String repo = text(c, "repository");
      String prefix;
      if (immutable) {
        int slash = repo.indexOf('/');
        prefix = "repo:" + repo.substring(0, slash) + "@" + text(c, "repository_owner_id") + "/"
            + repo.substring(slash + 1) + "@" + text(c, "repository_id");
      } else {
        prefix = "repo:" + repo;
      }
      if (!text(c, "environment").isEmpty()) {
        return prefix + ":environment:" + text(c, "environment");
      }
      if (text(c, "event_name").equals("pull_request")) {
        return prefix + ":pull_request";
      }
      return prefix + ":ref:" + text(c, "ref");
    }
  }

  /**
   * A GitLab CI/CD job's ID token ({@code id_tokens:}): {@code iss} {@code https://gitlab.com} or
   * a self-managed instance ({@link #instance(String)}), {@code sub}
   * {@code project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME}. GitLab has no default
   * audience (it is whatever {@code id_tokens:} sets); this builder uses
   * {@code sts.amazonaws.com}. Ids are strings, as GitLab sends them.
   */
  // Facts: https://docs.gitlab.com/ci/secrets/id_token_authentication/ (token payload:
  // namespace_id, namespace_path, project_id, project_path, user_id, user_login, user_email,
  // user_access_level, pipeline_id, pipeline_source, job_id, ref, ref_type, ref_path,
  // ref_protected, environment, runner_id, runner_environment, sha, ci_config_ref_uri, jti, nbf),
  // JWKS at <instance>/oauth/discovery/keys.
  public static final class GitLab extends ProfileToken<GitLab> {
    /** GitLab.com's issuer. */
    public static final String ISSUER = "https://gitlab.com";
    private String instance = ISSUER;
    private String project = "acme/app";
    private String ref = "main";
    private String refType = "branch";
    private String environment;
    private String pipelineSource = "push";
    private String user = "jane";

    GitLab(FakeOidcIssuer owner) {
      super(owner, "gitlab",
          Conventions.PLAIN.jwks("/oauth/discovery/keys").withNotBefore().withJti());
    }

    @Override
    public String defaultIssuer() {
      return instance;
    }

    /**
     * Sets a self-managed instance URL, which becomes {@code iss}.
     *
     * @param url the URL
     */
    public GitLab instance(String url) {
      this.instance = Objects.requireNonNull(url, "url").replaceFirst("/$", "");
      return this;
    }

    /**
     * Sets the project path, {@code GROUP/PROJECT} (subgroups allowed).
     *
     * @param path the file path
     */
    public GitLab project(String path) {
      if (!path.matches("[^/:]+(/[^/:]+)+")) {
        throw new IllegalArgumentException("Project path '" + path
            + "' is not GROUP/PROJECT: use a path such as acme/app or acme/team/app.");
      }
      this.project = path;
      return this;
    }

    /**
     * Runs on a branch.
     *
     * @param name the name
     */
    public GitLab branch(String name) {
      this.ref = Objects.requireNonNull(name, "name");
      this.refType = "branch";
      return this;
    }

    /**
     * Runs on a tag.
     *
     * @param name the name
     */
    public GitLab tag(String name) {
      this.ref = Objects.requireNonNull(name, "name");
      this.refType = "tag";
      return this;
    }

    /**
     * Deploys to an environment.
     *
     * @param name the name
     */
    public GitLab environment(String name) {
      this.environment = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets {@code pipeline_source}, such as {@code push} or {@code merge_request_event}.
     *
     * @param source the token source
     */
    public GitLab pipelineSource(String source) {
      this.pipelineSource = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Sets the user who started the job.
     *
     * @param login the user who started the job
     */
    public GitLab user(String login) {
      this.user = Objects.requireNonNull(login, "login");
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      String namespace = project.substring(0, project.lastIndexOf('/'));
      String refPath = (refType.equals("tag") ? "refs/tags/" : "refs/heads/") + ref;
      String host = instance.replaceFirst("^https?://", "");
      c.put("namespace_id", "72");
      c.put("namespace_path", namespace);
      c.put("project_id", "20");
      c.put("project_path", project);
      c.put("user_id", "5");
      c.put("user_login", user);
      c.put("user_email", user + "@acme.example");
      c.put("user_access_level", "developer");
      c.put("pipeline_id", "574");
      c.put("pipeline_source", pipelineSource);
      c.put("job_id", "302");
      c.put("ref", ref);
      c.put("ref_type", refType);
      c.put("ref_path", refPath);
      c.put("ref_protected", ref.equals("main") ? "true" : "false");
      if (environment != null) {
        c.put("environment", environment);
        c.put("environment_protected", "false");
        c.put("deployment_tier", "production");
      }
      c.put("runner_id", "27");
      c.put("runner_environment", "gitlab-hosted");
      c.put("sha", "714a629c0b401fdce83e847fc9589983fc6f46bc");
      c.put("project_visibility", "private");
      c.put("ci_config_ref_uri", host + "/" + project + "//.gitlab-ci.yml@" + refPath);
      c.put("ci_config_sha", "714a629c0b401fdce83e847fc9589983fc6f46bc");
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      return "project_path:" + text(c, "project_path") + ":ref_type:" + text(c, "ref_type")
          + ":ref:" + text(c, "ref");
    }
  }

  /**
   * A CircleCI job's token: {@code iss} {@code https://oidc.circleci.com/org/<org-id>}, {@code aud}
   * the organization id, {@code sub} {@code org/<org-id>/project/<project-id>/user/<user-id>}
   * ({@link #vcsSubject()} appends {@code /vcs-origin/<origin>/vcs-ref/<ref>}), claims under
   * {@code oidc.circleci.com/}.
   */
  // Facts: https://circleci.com/docs/openid-connect-tokens/ (issuer per organization, aud = org
  // id, sub format, oidc.circleci.com/project-id, context-ids, vcs-origin, vcs-ref, ssh-rerun;
  // JWKS at <iss>/.well-known/jwks-pub.json).
  public static final class CircleCi extends ProfileToken<CircleCi> {
    private String organization = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
    private String project = "2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    private String user = "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c";
    private String vcsOrigin = "github.com/acme/app";
    private String vcsRef = "refs/heads/main";
    private List<String> contextIds = List.of();
    private boolean vcsSubject;

    CircleCi(FakeOidcIssuer owner) {
      super(owner, "circleci", Conventions.PLAIN.jwks("/.well-known/jwks-pub.json"));
    }

    @Override
    public String defaultIssuer() {
      return "https://oidc.circleci.com/org/" + organization;
    }

    @Override
    Object defaultAudience() {
      return organization;
    }

    /**
     * Sets the organization id (the issuer path and default audience follow).
     *
     * @param orgId the organization id (the issuer path and default audience follow)
     */
    public CircleCi organization(String orgId) {
      this.organization = Objects.requireNonNull(orgId, "orgId");
      return this;
    }

    /**
     * Sets the project id.
     *
     * @param projectId the project ID
     */
    public CircleCi project(String projectId) {
      this.project = Objects.requireNonNull(projectId, "projectId");
      return this;
    }

    /**
     * Sets the id of the user who ran the job.
     *
     * @param userId the id of the user who ran the job
     */
    public CircleCi user(String userId) {
      this.user = Objects.requireNonNull(userId, "userId");
      return this;
    }

    /** Sets the VCS origin ({@code github.com/acme/app}) and ref ({@code refs/heads/main}). */
    public CircleCi vcs(String origin, String ref) {
      this.vcsOrigin = Objects.requireNonNull(origin, "origin");
      this.vcsRef = Objects.requireNonNull(ref, "ref");
      return this;
    }

    /**
     * Sets the ids of the contexts the job uses.
     *
     * @param ids the ids of the contexts the job uses
     */
    public CircleCi contexts(String... ids) {
      this.contextIds = List.of(ids);
      return this;
    }

    /** Uses the {@code sub} that also names the VCS origin and ref. */
    public CircleCi vcsSubject() {
      this.vcsSubject = true;
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      c.put("oidc.circleci.com/project-id", project);
      c.put("oidc.circleci.com/context-ids", contextIds);
      c.put("oidc.circleci.com/vcs-origin", vcsOrigin);
      c.put("oidc.circleci.com/vcs-ref", vcsRef);
      c.put("oidc.circleci.com/ssh-rerun", false);
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      String sub = "org/" + organization + "/project/" + text(c, "oidc.circleci.com/project-id")
          + "/user/" + user;
      return vcsSubject ? sub + "/vcs-origin/" + text(c, "oidc.circleci.com/vcs-origin")
          + "/vcs-ref/" + text(c, "oidc.circleci.com/vcs-ref") : sub;
    }
  }

  /**
   * A Bitbucket Pipelines step's token ({@code oidc: true}): {@code iss}
   * {@code https://api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc},
   * {@code aud} {@code ari:cloud:bitbucket::workspace/<workspace-uuid>}, {@code sub}
   * {@code {REPOSITORY_UUID}:{STEP_UUID}} or, in a deployment step,
   * {@code {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}}; UUIDs in braces.
   */
  // Facts: https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-
  // servers-using-oidc/ and .../deploy-on-aws-using-bitbucket-pipelines-openid-connect/ (identity
  // provider URL, audience, repository/environment/step UUIDs in sub; claims workspaceUuid,
  // repositoryUuid, pipelineUuid, stepUuid, branchName, deploymentEnvironmentUuid).
  public static final class Bitbucket extends ProfileToken<Bitbucket> {
    private String workspace = "acme";
    private String workspaceUuid = "{8a1fdada-cbc0-452c-81ce-07534945e18b}";
    private String repositoryUuid = "{437da666-7aab-4b60-a947-ec542536ca0d}";
    private String stepUuid = "{9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f}";
    private String pipelineUuid = "{3b2a1c0d-9e8f-4a7b-b6c5-d4e3f2a1b0c9}";
    private String branch = "main";
    private String environmentUuid;

    Bitbucket(FakeOidcIssuer owner) {
      super(owner, "bitbucket", Conventions.PLAIN);
    }

    @Override
    public String defaultIssuer() {
      return "https://api.bitbucket.org/2.0/workspaces/" + workspace
          + "/pipelines-config/identity/oidc";
    }

    @Override
    Object defaultAudience() {
      return "ari:cloud:bitbucket::workspace/" + unbraced(workspaceUuid);
    }

    /**
     * Sets the workspace slug (in the issuer URL) and UUID (in the default audience).
     *
     * @param slug the slug, as it appears in the issuer's claims
     * @param uuid the UUID, with or without braces
     */
    public Bitbucket workspace(String slug, String uuid) {
      this.workspace = Objects.requireNonNull(slug, "slug");
      this.workspaceUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the repository UUID.
     *
     * @param uuid the UUID, with or without braces
     */
    public Bitbucket repository(String uuid) {
      this.repositoryUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the step UUID (new at every run).
     *
     * @param uuid the UUID, with or without braces
     */
    public Bitbucket step(String uuid) {
      this.stepUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the branch.
     *
     * @param name the name
     */
    public Bitbucket branch(String name) {
      this.branch = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Makes it a deployment step to the environment with this UUID.
     *
     * @param uuid the UUID, with or without braces
     */
    public Bitbucket deploymentEnvironment(String uuid) {
      this.environmentUuid = braced(uuid);
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      c.put("accountUuid", "{b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e}");
      c.put("workspaceUuid", workspaceUuid);
      c.put("repositoryUuid", repositoryUuid);
      c.put("pipelineUuid", pipelineUuid);
      c.put("stepUuid", stepUuid);
      c.put("branchName", branch);
      if (environmentUuid != null) {
        c.put("deploymentEnvironmentUuid", environmentUuid);
      }
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      String env = text(c, "deploymentEnvironmentUuid");
      return text(c, "repositoryUuid") + (env.isEmpty() ? "" : ":" + env) + ":"
          + text(c, "stepUuid");
    }
  }

  /**
   * A Buildkite job's token ({@code buildkite-agent oidc request-token}): {@code iss}
   * {@code https://agent.buildkite.com}, {@code sub}
   * {@code organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:STEP}, claims
   * {@code organization_slug}, {@code pipeline_slug}, {@code build_number}, {@code build_branch},
   * {@code build_tag}, {@code build_commit}, {@code step_key}, ... Default {@code aud}
   * {@code sts.amazonaws.com}, the audience the AWS plugin requests.
   */
  // Facts: https://buildkite.com/docs/agent/v3/cli-oidc (claims, sub format) and
  // https://buildkite.com/docs/pipelines/security/oidc/aws (sub "organization:ORGANIZATION_SLUG:
  // pipeline:PIPELINE_SLUG:ref:REF:commit:BUILD_COMMIT:step:STEP_KEY", AWS requires
  // agent.buildkite.com:sub); JWKS at https://agent.buildkite.com/.well-known/jwks.
  public static final class Buildkite extends ProfileToken<Buildkite> {
    /** Buildkite's issuer. */
    public static final String ISSUER = "https://agent.buildkite.com";
    private String organization = "acme";
    private String pipeline = "app";
    private String branch = "main";
    private String tag;
    private String commit = "9f3182061f1e2cca4702c368cbc039b7dc9d4485";
    private String step = "build";
    private int buildNumber = 42;

    Buildkite(FakeOidcIssuer owner) {
      super(owner, "buildkite", WELL_KNOWN_JWKS_NBF_JTI.lifetime(Duration.ofMinutes(5)));
    }

    @Override
    public String defaultIssuer() {
      return ISSUER;
    }

    /**
     * Sets the organization slug.
     *
     * @param slug the slug, as it appears in the issuer's claims
     */
    public Buildkite organization(String slug) {
      this.organization = Objects.requireNonNull(slug, "slug");
      return this;
    }

    /**
     * Sets the pipeline slug.
     *
     * @param slug the slug, as it appears in the issuer's claims
     */
    public Buildkite pipeline(String slug) {
      this.pipeline = Objects.requireNonNull(slug, "slug");
      return this;
    }

    /**
     * Builds a branch.
     *
     * @param name the name
     * @return the branch
     */
    public Buildkite branch(String name) {
      this.branch = Objects.requireNonNull(name, "name");
      this.tag = null;
      return this;
    }

    /**
     * Builds a tag.
     *
     * @param name the name
     * @return the tag
     */
    public Buildkite tag(String name) {
      this.tag = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the commit.
     *
     * @param sha the commit
     */
    public Buildkite commit(String sha) {
      this.commit = Objects.requireNonNull(sha, "sha");
      return this;
    }

    /**
     * Sets the step key.
     *
     * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
     */
    public Buildkite step(String key) {
      this.step = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * Sets the build number.
     *
     * @param number the build number
     */
    public Buildkite buildNumber(int number) {
      this.buildNumber = number;
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      c.put("organization_slug", organization);
      c.put("pipeline_slug", pipeline);
      c.put("build_number", buildNumber);
      c.put("build_branch", branch);
      if (tag != null) {
        c.put("build_tag", tag);
      }
      c.put("build_commit", commit);
      c.put("build_source", "webhook");
      c.put("step_key", step);
      c.put("job_id", "0184990a-477b-4fa8-9968-496074483cee");
      c.put("agent_id", "0184990a-4782-42b5-afc1-16715b10b8ff");
      c.put("organization_id", "0184990a-4781-4c5e-8b40-7e3a1f9d2c6b");
      c.put("pipeline_id", "0184990a-4783-4d1e-9b2f-8c7d6e5f4a3b");
      c.put("runner_environment", "self-hosted");
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      String t = text(c, "build_tag");
      String ref = t.isEmpty() ? "refs/heads/" + text(c, "build_branch") : "refs/tags/" + t;
      return "organization:" + text(c, "organization_slug") + ":pipeline:"
          + text(c, "pipeline_slug") + ":ref:" + ref + ":commit:" + text(c, "build_commit")
          + ":step:" + text(c, "step_key");
    }
  }

  /**
   * An EKS pod's projected service-account token (IAM roles for service accounts): {@code iss}
   * {@code https://oidc.eks.<region>.amazonaws.com/id/<ID>}, {@code aud}
   * {@code ["sts.amazonaws.com"]}, {@code sub} {@code system:serviceaccount:<namespace>:<name>},
   * a {@code kubernetes.io} object naming the namespace, pod and service account; 24 hours, the
   * pod identity webhook's default.
   */
  // Facts: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html,
  // a decoded token in aws/amazon-eks-pod-identity-webhook#21 (aud array, kubernetes.io claims),
  // JWKS at <iss>/keys.
  public static final class Eks extends ProfileToken<Eks> {
    private String region = "eu-west-1";
    private String clusterId = "5E5D7BAA84911ACC36EE4D978F209DD7";
    private String namespace = "default";
    private String serviceAccount = "app";
    private String pod = "app-7d9f8c6b5-x2k4q";

    Eks(FakeOidcIssuer owner) {
      super(owner, "eks", Conventions.PLAIN.withNotBefore().lifetime(Duration.ofHours(24)));
    }

    @Override
    public String defaultIssuer() {
      return "https://oidc.eks." + region + ".amazonaws.com/id/" + clusterId;
    }

    @Override
    Object defaultAudience() {
      return List.of(STS);
    }

    /**
     * Sets the cluster's region and OIDC id (32 hexadecimal characters).
     *
     * @param region the AWS region, such as {@code us-east-1}
     */
    public Eks cluster(String region, String oidcId) {
      this.region = Objects.requireNonNull(region, "region");
      this.clusterId = Objects.requireNonNull(oidcId, "oidcId");
      return this;
    }

    /**
     * Sets the namespace and name of the pod's service account.
     *
     * @param namespace the Kubernetes namespace
     * @param name the name
     */
    public Eks serviceAccount(String namespace, String name) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.serviceAccount = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the pod name.
     *
     * @param name the name
     */
    public Eks pod(String name) {
      this.pod = Objects.requireNonNull(name, "name");
      return this;
    }

    @Override
    void putProfileClaims(Map<String, Object> c) {
      Map<String, Object> k8s = new LinkedHashMap<>();
      k8s.put("namespace", namespace);
      k8s.put("pod", Map.of("name", pod, "uid", "4a8b2c6d-1e3f-4a5b-9c7d-8e0f1a2b3c4d"));
      k8s.put("serviceaccount", Map.of("name", serviceAccount,
          "uid", "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"));
      c.put("kubernetes.io", k8s);
    }

    @Override
    String deriveSubject(Map<String, Object> c) {
      Object k = c.get("kubernetes.io");
      if (k instanceof Map<?, ?> m && m.get("serviceaccount") instanceof Map<?, ?> sa) {
        return "system:serviceaccount:" + m.get("namespace") + ":" + sa.get("name");
      }
      return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }
  }
}
