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

    /**
     * Mints a V2 token, the format before V3 (still accepted by Ona): {@code sub}
     * {@code org:<org>/prj:<project>/env:<env>}, an {@code org} claim instead of the flat V3 ones,
     * and a single-string {@code aud} ({@code sts.amazonaws.com}) instead of an array.
     *
     * @return this builder
     */
    public Ona v2() {
      this.v2 = true;
      return this;
    }

    /**
     * Sets the organization id, the {@code organization_id} claim (V2: {@code org}) and the
     * first part of {@code sub}; default {@code 0191e223-1c3c-7607-badf-303c98b52d2f}.
     *
     * @param organizationId the Ona organization's UUID
     * @return this builder
     */
    public Ona organization(String organizationId) {
      this.organization = Objects.requireNonNull(organizationId, "organizationId");
      return this;
    }

    /**
     * Sets the project of the environment, the {@code project_id} claim and the
     * {@code project_id:} (V2: {@code prj:}) part of {@code sub}; default
     * {@code 019527e4-75d5-704d-a5a4-a2b52cf56198}. Undone by {@link #withoutProject()}.
     *
     * @param projectId the project's UUID
     * @return this builder
     */
    public Ona project(String projectId) {
      this.project = Objects.requireNonNull(projectId, "projectId");
      return this;
    }

    /**
     * Makes the environment one without a project: no {@code project_id} claim, and {@code sub}
     * names the environment instead ({@code organization_id:<org>:environment_id:<env>}; V2
     * {@code org:<org>/env:<env>}).
     *
     * @return this builder
     */
    public Ona withoutProject() {
      this.project = null;
      return this;
    }

    /**
     * Sets the environment id, the {@code environment_id} claim (and the {@code sub} part of an
     * environment without a project, or of any V2 environment token); default
     * {@code 019527e4-75d5-704d-a5a4-a2b52cf56196}.
     *
     * @param environmentId the environment's UUID
     * @return this builder
     */
    public Ona environment(String environmentId) {
      this.environment = Objects.requireNonNull(environmentId, "environmentId");
      return this;
    }

    /**
     * Sets the {@code runner_id} claim, the runner the environment runs on; default
     * {@code 01917a4c-2f0e-7d58-9b3c-5f6a7b8c9d0e}. It is not part of {@code sub} (see
     * {@link #runnerPrincipal(String)} for a runner's own V2 token).
     *
     * @param runnerId the runner's UUID
     * @return this builder
     */
    public Ona runner(String runnerId) {
      this.runner = Objects.requireNonNull(runnerId, "runnerId");
      return this;
    }

    /**
     * Sets the repository the environment was created from, sent in
     * {@code environment_initializers} as {@code context_url} and as the git remote
     * ({@code <url>.git}); default {@code https://github.com/acme/app}.
     *
     * @param url the repository's web URL, without {@code .git}
     * @return this builder
     */
    public Ona contextUrl(String url) {
      this.contextUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * Makes it a V2 user token: {@code sub} {@code org:<org>/user:<user>}. Only V2 tokens
     * ({@link #v2()}) use the principal; a V3 token ignores it.
     *
     * @param userId the user's UUID
     * @return this builder
     */
    public Ona userPrincipal(String userId) {
      this.principal = "user";
      this.user = Objects.requireNonNull(userId, "userId");
      return this;
    }

    /**
     * Makes it a V2 runner token: {@code sub} {@code org:<org>/rnr:<runner>}. Only V2 tokens
     * ({@link #v2()}) use the principal; a V3 token ignores it.
     *
     * @param runnerId the runner's UUID, also set as {@code runner_id}
     * @return this builder
     */
    public Ona runnerPrincipal(String runnerId) {
      this.principal = "runner";
      this.runner = Objects.requireNonNull(runnerId, "runnerId");
      return this;
    }

    /**
     * Appends a claim to the V3 {@code sub} as {@code :<claim>:<value>}, as an organization's
     * "extra sub claim fields" setting does; calls add fields in order. The value is the claim's
     * in the minted token (empty when the token has no such claim).
     *
     * @param claimName the name of a claim of the token, such as {@code environment_id}
     * @return this builder
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
     * Sets the repository, the {@code repository} claim and the {@code repo:} part of
     * {@code sub}; {@code repository_owner} follows. Default {@code acme/app}.
     *
     * @param ownerSlashName the repository as {@code OWNER/REPO}, such as {@code acme/app}
     * @return this builder
     * @throws IllegalArgumentException if it is not exactly one owner and one name separated by
     *     {@code /} (no {@code :} or {@code @})
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
     * Runs on a push to a branch: {@code ref} {@code refs/heads/<branch>}, {@code ref_type}
     * {@code branch}, {@code event_name} {@code push}; {@code sub} ends
     * {@code :ref:refs/heads/<branch>} unless an {@link #environment(String)} is set. The default
     * is branch {@code main}, which is the only protected ref.
     *
     * @param branch the branch name without {@code refs/heads/}, such as {@code main}
     * @return this builder
     */
    public GitHubActions branch(String branch) {
      this.ref = "refs/heads/" + Objects.requireNonNull(branch, "branch");
      this.refType = "branch";
      this.eventName = "push";
      return this;
    }

    /**
     * Runs on a push of a tag: {@code ref} {@code refs/tags/<tag>}, {@code ref_type}
     * {@code tag}, {@code event_name} {@code push}.
     *
     * @param tag the tag name without {@code refs/tags/}, such as {@code v1.2.0}
     * @return this builder
     */
    public GitHubActions tag(String tag) {
      this.ref = "refs/tags/" + Objects.requireNonNull(tag, "tag");
      this.refType = "tag";
      this.eventName = "push";
      return this;
    }

    /**
     * Runs in a deployment environment: adds the {@code environment} claim, and {@code sub}
     * becomes {@code repo:OWNER/REPO:environment:<name>}, which takes precedence over the ref and
     * the pull request forms as on GitHub. Default none.
     *
     * @param name the environment's name as in the workflow, such as {@code production}
     * @return this builder
     */
    public GitHubActions environment(String name) {
      this.environment = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Runs for a pull request: {@code event_name} {@code pull_request}, {@code ref}
     * {@code refs/pull/<number>/merge}, {@code head_ref} and {@code base_ref} set, and {@code sub}
     * {@code repo:OWNER/REPO:pull_request} (unless an environment is set).
     *
     * @param number the pull request number
     * @param headBranch the branch the pull request comes from ({@code head_ref})
     * @param baseBranch the branch it would merge into ({@code base_ref})
     * @return this builder
     */
    public GitHubActions pullRequest(int number, String headBranch, String baseBranch) {
      this.eventName = "pull_request";
      this.ref = "refs/pull/" + number + "/merge";
      this.refType = "branch";
      this.headRef = Objects.requireNonNull(headBranch, "headBranch");
      this.baseRef = Objects.requireNonNull(baseBranch, "baseBranch");
      return this;
    }

    /**
     * Runs for pull request 1 from {@code feature} into {@code main}; see
     * {@link #pullRequest(int, String, String)}.
     *
     * @return this builder
     */
    public GitHubActions pullRequest() {
      return pullRequest(1, "feature", "main");
    }

    /**
     * Uses the immutable {@code sub} form, {@code repo:OWNER@<ownerId>/REPO@<repositoryId>:...},
     * and sets the two id claims to match (GitHub uses this form for repositories created from
     * 15 July 2026 on).
     *
     * @param ownerId the {@code repository_owner_id} claim (default {@code 1234567})
     * @param repositoryId the {@code repository_id} claim (default {@code 890123456})
     * @return this builder
     */
    public GitHubActions immutableIds(long ownerId, long repositoryId) {
      this.immutable = true;
      return ids(ownerId, repositoryId);
    }

    /**
     * Sets the owner and repository ids without changing the {@code sub} form (see
     * {@link #immutableIds(long, long)} for the form that contains them). Sent as strings, as
     * GitHub sends them.
     *
     * @param ownerId the {@code repository_owner_id} claim (default {@code 1234567})
     * @param repositoryId the {@code repository_id} claim (default {@code 890123456})
     * @return this builder
     */
    public GitHubActions ids(long ownerId, long repositoryId) {
      this.ownerId = Long.toString(ownerId);
      this.repositoryId = Long.toString(repositoryId);
      return this;
    }

    /**
     * Sets the {@code actor} claim, the login of the user who triggered the run; default
     * {@code octocat}.
     *
     * @param login a GitHub login
     * @return this builder
     */
    public GitHubActions actor(String login) {
      this.actor = Objects.requireNonNull(login, "login");
      return this;
    }

    /**
     * Sets the commit the run is for, the {@code sha}, {@code workflow_sha} and
     * {@code job_workflow_sha} claims.
     *
     * @param commit the full 40-character commit SHA
     * @return this builder
     */
    public GitHubActions sha(String commit) {
      this.sha = Objects.requireNonNull(commit, "commit");
      return this;
    }

    /**
     * Sets the workflow file, which {@code workflow_ref}
     * ({@code OWNER/REPO/<path>@<ref>}) and, without {@link #jobWorkflowRef(String)},
     * {@code job_workflow_ref} are built from; default {@code .github/workflows/deploy.yml}.
     *
     * @param path the workflow file's path in the repository
     * @return this builder
     */
    public GitHubActions workflowFile(String path) {
      this.workflowFile = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Sets {@code job_workflow_ref} for a job run by a reusable workflow of another repository;
     * by default it equals {@code workflow_ref}.
     *
     * @param ref the reusable workflow, such as
     *     {@code acme/shared/.github/workflows/deploy.yml@refs/heads/main}
     * @return this builder
     */
    public GitHubActions jobWorkflowRef(String ref) {
      this.jobWorkflowRef = Objects.requireNonNull(ref, "ref");
      return this;
    }

    /**
     * Adds the {@code enterprise} and {@code enterprise_id} claims of a run in a GitHub
     * Enterprise Cloud enterprise; default none.
     *
     * @param slug the enterprise's slug, such as {@code acme-corp}
     * @return this builder
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
     * Sets a self-managed instance, whose URL becomes {@code iss} (the JWKS is served at
     * {@code <url>/oauth/discovery/keys}) and prefixes {@code ci_config_ref_uri}; default
     * {@value #ISSUER}.
     *
     * @param url the instance's base URL, such as {@code https://gitlab.acme.example}; a trailing
     *     {@code /} is dropped
     * @return this builder
     */
    public GitLab instance(String url) {
      this.instance = Objects.requireNonNull(url, "url").replaceFirst("/$", "");
      return this;
    }

    /**
     * Sets the project, the {@code project_path} claim and the {@code project_path:} part of
     * {@code sub}; {@code namespace_path} is everything before the last {@code /}. Default
     * {@code acme/app}.
     *
     * @param path the project path, {@code GROUP/PROJECT} with any subgroups, such as
     *     {@code acme/team/app}
     * @return this builder
     * @throws IllegalArgumentException if it has no {@code /} or contains a {@code :}
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
     * Runs on a branch: {@code ref} {@code <name>}, {@code ref_type} {@code branch},
     * {@code ref_path} {@code refs/heads/<name>}; {@code sub} ends
     * {@code :ref_type:branch:ref:<name>}. Default {@code main}, the only protected ref.
     *
     * @param name the branch name without {@code refs/heads/}
     * @return this builder
     */
    public GitLab branch(String name) {
      this.ref = Objects.requireNonNull(name, "name");
      this.refType = "branch";
      return this;
    }

    /**
     * Runs on a tag: {@code ref} {@code <name>}, {@code ref_type} {@code tag},
     * {@code ref_path} {@code refs/tags/<name>}; {@code sub} ends {@code :ref_type:tag:ref:<name>}.
     *
     * @param name the tag name without {@code refs/tags/}
     * @return this builder
     */
    public GitLab tag(String name) {
      this.ref = Objects.requireNonNull(name, "name");
      this.refType = "tag";
      return this;
    }

    /**
     * Deploys to an environment: adds the {@code environment},
     * {@code environment_protected} ({@code false}) and {@code deployment_tier}
     * ({@code production}) claims. GitLab's {@code sub} does not name the environment. Default
     * none.
     *
     * @param name the environment's name, such as {@code production}
     * @return this builder
     */
    public GitLab environment(String name) {
      this.environment = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets {@code pipeline_source}, what started the pipeline; default {@code push}.
     *
     * @param source a GitLab pipeline source, such as {@code push}, {@code merge_request_event} or
     *     {@code schedule}
     * @return this builder
     */
    public GitLab pipelineSource(String source) {
      this.pipelineSource = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Sets the user who started the job: {@code user_login}, and {@code user_email}
     * {@code <login>@acme.example}; default {@code jane}.
     *
     * @param login a GitLab username
     * @return this builder
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
     * Sets the organization id, which is also the issuer path
     * ({@code https://oidc.circleci.com/org/<orgId>}), the default audience and the
     * {@code org/} part of {@code sub}; default {@code 6b376885-8f20-45b2-ba2f-c27c0919bc6d}.
     *
     * @param orgId the CircleCI organization's UUID
     * @return this builder
     */
    public CircleCi organization(String orgId) {
      this.organization = Objects.requireNonNull(orgId, "orgId");
      return this;
    }

    /**
     * Sets the project, the {@code oidc.circleci.com/project-id} claim and the
     * {@code /project/} part of {@code sub}; default {@code 2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d}.
     *
     * @param projectId the CircleCI project's UUID
     * @return this builder
     */
    public CircleCi project(String projectId) {
      this.project = Objects.requireNonNull(projectId, "projectId");
      return this;
    }

    /**
     * Sets the user who ran the job, the {@code /user/} part of {@code sub}; default
     * {@code 5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c}.
     *
     * @param userId the CircleCI user's UUID
     * @return this builder
     */
    public CircleCi user(String userId) {
      this.user = Objects.requireNonNull(userId, "userId");
      return this;
    }

    /**
     * Sets the {@code oidc.circleci.com/vcs-origin} and {@code oidc.circleci.com/vcs-ref}
     * claims, which {@link #vcsSubject()} also puts in {@code sub}; defaults
     * {@code github.com/acme/app} and {@code refs/heads/main}.
     *
     * @param origin the repository without scheme, such as {@code github.com/acme/app}
     * @param ref the full git ref, such as {@code refs/heads/main} or {@code refs/tags/v1}
     * @return this builder
     */
    public CircleCi vcs(String origin, String ref) {
      this.vcsOrigin = Objects.requireNonNull(origin, "origin");
      this.vcsRef = Objects.requireNonNull(ref, "ref");
      return this;
    }

    /**
     * Sets {@code oidc.circleci.com/context-ids}, the contexts the job uses (an array, empty by
     * default); replaces earlier ids.
     *
     * @param ids the contexts' UUIDs
     * @return this builder
     */
    public CircleCi contexts(String... ids) {
      this.contextIds = List.of(ids);
      return this;
    }

    /**
     * Uses the longer {@code sub} that also names the VCS origin and ref:
     * {@code org/<org>/project/<project>/user/<user>/vcs-origin/<origin>/vcs-ref/<ref>}.
     *
     * @return this builder
     */
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
     * Sets the workspace: its slug goes in the issuer URL
     * ({@code https://api.bitbucket.org/2.0/workspaces/<slug>/pipelines-config/identity/oidc}), its
     * UUID in {@code workspaceUuid} and the default audience
     * ({@code ari:cloud:bitbucket::workspace/<uuid without braces>}). Default {@code acme}.
     *
     * @param slug the workspace's slug, as in its URLs
     * @param uuid the workspace's UUID, with or without braces
     * @return this builder
     */
    public Bitbucket workspace(String slug, String uuid) {
      this.workspace = Objects.requireNonNull(slug, "slug");
      this.workspaceUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the {@code repositoryUuid} claim, the first part of {@code sub}.
     *
     * @param uuid the repository's UUID, with or without braces (sent with braces)
     * @return this builder
     */
    public Bitbucket repository(String uuid) {
      this.repositoryUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the {@code stepUuid} claim, the last part of {@code sub}; a real step gets a new UUID
     * at every run, so a trust policy cannot pin it.
     *
     * @param uuid the step's UUID, with or without braces (sent with braces)
     * @return this builder
     */
    public Bitbucket step(String uuid) {
      this.stepUuid = braced(uuid);
      return this;
    }

    /**
     * Sets the {@code branchName} claim; default {@code main}. Bitbucket's {@code sub} does not
     * name the branch.
     *
     * @param name the branch name, such as {@code main}
     * @return this builder
     */
    public Bitbucket branch(String name) {
      this.branch = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Makes it a deployment step: adds {@code deploymentEnvironmentUuid}, and {@code sub} becomes
     * {@code {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}}. Default none.
     *
     * @param uuid the deployment environment's UUID, with or without braces (sent with braces)
     * @return this builder
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
     * Sets the {@code organization_slug} claim and the {@code organization:} part of
     * {@code sub}; default {@code acme}.
     *
     * @param slug the organization's slug, as in its Buildkite URLs
     * @return this builder
     */
    public Buildkite organization(String slug) {
      this.organization = Objects.requireNonNull(slug, "slug");
      return this;
    }

    /**
     * Sets the {@code pipeline_slug} claim and the {@code :pipeline:} part of {@code sub};
     * default {@code app}.
     *
     * @param slug the pipeline's slug, as in its Buildkite URLs
     * @return this builder
     */
    public Buildkite pipeline(String slug) {
      this.pipeline = Objects.requireNonNull(slug, "slug");
      return this;
    }

    /**
     * Builds a branch: {@code build_branch} {@code <name>}, no {@code build_tag}, and
     * {@code sub}'s ref {@code refs/heads/<name>}; default {@code main}. Clears a
     * {@link #tag(String)} set before.
     *
     * @param name the branch name without {@code refs/heads/}
     * @return this builder
     */
    public Buildkite branch(String name) {
      this.branch = Objects.requireNonNull(name, "name");
      this.tag = null;
      return this;
    }

    /**
     * Builds a tag: adds {@code build_tag}, and {@code sub}'s ref becomes
     * {@code refs/tags/<name>} ({@code build_branch} stays, as Buildkite sends both).
     *
     * @param name the tag name without {@code refs/tags/}
     * @return this builder
     */
    public Buildkite tag(String name) {
      this.tag = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the {@code build_commit} claim and the {@code :commit:} part of {@code sub}.
     *
     * @param sha the full 40-character commit SHA
     * @return this builder
     */
    public Buildkite commit(String sha) {
      this.commit = Objects.requireNonNull(sha, "sha");
      return this;
    }

    /**
     * Sets the {@code step_key} claim and the {@code :step:} part of {@code sub}; default
     * {@code build}.
     *
     * @param key the step's {@code key} in the pipeline definition
     * @return this builder
     */
    public Buildkite step(String key) {
      this.step = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * Sets the {@code build_number} claim (a number, not a string); default 42.
     *
     * @param number the pipeline's build number
     * @return this builder
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
     * Sets the cluster, which makes the issuer
     * {@code https://oidc.eks.<region>.amazonaws.com/id/<oidcId>}; defaults {@code eu-west-1} and
     * {@code 5E5D7BAA84911ACC36EE4D978F209DD7}.
     *
     * @param region the cluster's AWS region, such as {@code us-east-1}
     * @param oidcId the id at the end of the cluster's OIDC issuer URL (32 hexadecimal characters)
     * @return this builder
     */
    public Eks cluster(String region, String oidcId) {
      this.region = Objects.requireNonNull(region, "region");
      this.clusterId = Objects.requireNonNull(oidcId, "oidcId");
      return this;
    }

    /**
     * Sets the pod's service account: {@code sub}
     * {@code system:serviceaccount:<namespace>:<name>} and the {@code kubernetes.io} claim's
     * {@code namespace} and {@code serviceaccount.name}; defaults {@code default} and {@code app}.
     *
     * @param namespace the Kubernetes namespace
     * @param name the service account's name
     * @return this builder
     */
    public Eks serviceAccount(String namespace, String name) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.serviceAccount = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets {@code kubernetes.io.pod.name}, the pod the token was projected into; default
     * {@code app-7d9f8c6b5-x2k4q}. It is not part of {@code sub}.
     *
     * @param name the pod's name
     * @return this builder
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
