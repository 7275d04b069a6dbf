package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the trust policy of a role that workspaces of a Gitpod installation (or any OIDC
 * provider) assume with {@code sts:AssumeRoleWithWebIdentity}.
 *
 * <pre>{@code
 * PolicyDocument trust = TrustPolicy.builder()
 *     .issuer("https://services.gitpod.example.com/idp")
 *     .account("123456789012")
 *     .repository("https://github.com/acme/app")   // the repository, all branches and PRs
 *     .build();
 * }</pre>
 *
 * <p>The result has one statement: the {@code Federated} provider principal, the action, an
 * {@code <host/path>:aud} condition ({@code StringEquals}) and an {@code <host/path>:sub}
 * condition that ORs every subject rule: {@code StringEquals} when every value is exact,
 * {@code StringLike} as soon as one is a pattern (exact values then match only themselves, because
 * the builder rejects {@code *} and {@code ?} in them).
 */
public final class TrustPolicy {

  /** The audience {@code gp idp token --audience} uses for AWS, and IAM's usual client id. */
  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  /** The action a web identity token is exchanged with. */
  public static final String ACTION = "sts:AssumeRoleWithWebIdentity";

  private TrustPolicy() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the builder for Gitpod Classic workspaces, the same as {@link #builder()}:
   * {@code TrustPolicy.gitpod().gitpodDomain("gitpod.example.com").account(..).repository(url)}.
   *
   * @return the builder for Gitpod Classic workspaces, the same as {@link #builder()}
   */
  public static Builder gitpod() {
    return builder();
  }

  /**
   * Returns a builder for GitHub Actions jobs (issuer
   * {@code https://token.actions.githubusercontent.com}):
   * {@code .account(..).repository("acme/app").branch("main")}.
   *
   * @return a builder for GitHub Actions jobs (issuer {@code https://token.actions.githubusercontent.com})
   */
  public static GithubActionsTrustBuilder githubActions() {
    return new GithubActionsTrustBuilder();
  }

  /**
   * Returns a builder for Ona environments (issuer {@code https://app.gitpod.io}):
   * {@code .account(..).organization(orgId).project(projectId)}.
   *
   * @return a builder for Ona environments (issuer {@code https://app.gitpod.io})
   */
  public static OnaTrustBuilder ona() {
    return new OnaTrustBuilder();
  }

  /**
   * Returns a builder for GitLab CI/CD jobs on gitlab.com.
   *
   * @return a builder for GitLab CI/CD jobs on gitlab.com
   */
  public static GitlabTrustBuilder gitlab() {
    return gitlab("https://gitlab.com");
  }

  /** Returns a builder for GitLab CI/CD jobs of a self-managed instance, such as
   * {@code https://gitlab.acme.example}.
   *
   * @param instanceUrl the instance's base URL, which is also its issuer URL
   * @return a builder for GitLab CI/CD jobs of a self-managed instance, such as {@code https://gitlab.acme.example}
   */
  public static GitlabTrustBuilder gitlab(String instanceUrl) {
    dev.oidcecr.policies.internal.Arns.issuerHostPath(
        java.util.Objects.requireNonNull(instanceUrl, "instanceUrl"));
    return new GitlabTrustBuilder(instanceUrl);
  }

  /**
   * Returns a builder for CircleCI jobs of one organization (its UUID).
   *
   * @param organizationId the organization ID
   * @return a builder for CircleCI jobs of one organization (its UUID)
   */
  public static CircleciTrustBuilder circleci(String organizationId) {
    return new CircleciTrustBuilder(organizationId);
  }

  /**
   * Returns a builder for Bitbucket Pipelines steps of one workspace (its slug).
   *
   * @param workspace the workspace slug
   * @return a builder for Bitbucket Pipelines steps of one workspace (its slug)
   */
  public static BitbucketTrustBuilder bitbucket(String workspace) {
    return new BitbucketTrustBuilder(workspace);
  }

  /**
   * Returns a builder for Buildkite jobs (issuer {@code https://agent.buildkite.com}).
   *
   * @return a builder for Buildkite jobs (issuer {@code https://agent.buildkite.com})
   */
  public static BuildkiteTrustBuilder buildkite() {
    return new BuildkiteTrustBuilder();
  }

  /**
   * Returns a builder for pods of an EKS cluster, from the cluster's OIDC issuer URL.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return a builder for pods of an EKS cluster, from the cluster's OIDC issuer URL
   */
  public static EksTrustBuilder eks(String issuerUrl) {
    return new EksTrustBuilder(java.util.Objects.requireNonNull(issuerUrl, "issuerUrl"));
  }

  /**
   * Collects the provider, audiences and subject rules of a trust policy. Not thread-safe; each
   * setter validates its input and {@link #build()} checks that the whole makes sense.
   */
  public static final class Builder {
    private String issuer;
    private String account;
    private String providerArn;
    private String partition;
    private String sid;
    private final Set<String> audiences = new LinkedHashSet<>();
    private final Set<String> subjects = new LinkedHashSet<>();
    private boolean anySubject;

    Builder() {}

    /**
     * Sets the OIDC issuer URL, the token's {@code iss} claim, such as
     * {@code https://services.gitpod.example.com/idp}; requires {@link #account(String)}. The
     * provider form without a scheme ({@code services.gitpod.example.com/idp}) is read as https;
     * any other scheme, a port, a query or a fragment is rejected, as IAM rejects them.
     *
     * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
     * @return this builder
     */
    public Builder issuer(String issuerUrl) {
      Arns.issuerHostPath(Objects.requireNonNull(issuerUrl, "issuerUrl"));
      this.issuer = issuerUrl;
      return this;
    }

    /**
     * Sets the issuer of a Gitpod Enterprise or Dedicated installation from its domain:
     * {@code gitpodDomain("gitpod.example.com")} is {@code issuer("https://services.gitpod.example.com/idp")}.
     *
     * @param domain the issuer of a Gitpod Enterprise or Dedicated installation from its domain: {@code gitpodDomain("gitpod.example.com")} is {@code issuer("https://services.gitpod.example.com/idp")}
     * @return this builder
     */
    public Builder gitpodDomain(String domain) {
      Objects.requireNonNull(domain, "domain");
      if (domain.contains("/") || domain.contains(":")) {
        throw new PolicyException("Gitpod domain \"" + domain
            + "\" must be a bare host name such as gitpod.example.com; use issuer(url) for a"
            + " full URL");
      }
      return issuer("https://services." + domain + "/idp");
    }

    /**
     * Sets the account that holds the OIDC provider (and the role).
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder account(String accountId) {
      this.account = Arns.account(Objects.requireNonNull(accountId, "accountId"));
      return this;
    }

    /**
     * Sets the OIDC provider ARN directly, such as
     * {@code arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp}, instead of
     * an issuer and an account.
     *
     * @param arn the ARN
     * @return this builder
     */
    public Builder providerArn(String arn) {
      this.providerArn = Arns.oidcProviderArn(Objects.requireNonNull(arn, "arn")).arn();
      return this;
    }

    /**
     * Sets the partition: {@code aws} (the default), {@code aws-cn} or {@code aws-us-gov}.
     *
     * @param partition the AWS partition: {@code aws}, {@code aws-cn} or {@code aws-us-gov}
     * @return this builder
     */
    public Builder partition(String partition) {
      this.partition = Arns.partition(Objects.requireNonNull(partition, "partition"));
      return this;
    }

    /**
     * Sets the statement's Sid (letters and digits only); by default the statement has none.
     *
     * @param sid the statement ID (letters and digits only)
     * @return this builder
     */
    public Builder sid(String sid) {
      Objects.requireNonNull(sid, "sid");
      if (!sid.matches("[A-Za-z0-9]+")) {
        throw new PolicyException("Invalid Sid \"" + sid
            + "\": IAM allows only letters and digits, such as GitpodWorkspaces");
      }
      this.sid = sid;
      return this;
    }

    /**
     * Adds accepted audiences (the token's {@code aud}); when none is added the policy requires
     * {@value TrustPolicy#DEFAULT_AUDIENCE}, in every partition. Several audiences are ORed. The
     * audience must be one of the provider's client ids, and the one workspaces ask for
     * ({@code gp idp token --audience ...}); a provider in {@code aws-cn} registered with
     * {@code sts.amazonaws.com.cn} needs {@code audience("sts.amazonaws.com.cn")}.
     *
     * @param audiences accepted audiences (the token's {@code aud}); when none is added the policy requires {@value TrustPolicy#DEFAULT_AUDIENCE}, in every partition
     * @return this builder
     */
    public Builder audience(String... audiences) {
      for (String a : audiences) {
        Objects.requireNonNull(a, "audience");
        if (a.isBlank() || a.indexOf('*') >= 0 || a.indexOf('?') >= 0) {
          throw new PolicyException("Invalid audience \"" + a
              + "\": give the exact client id the token is issued for, such as "
              + DEFAULT_AUDIENCE);
        }
        this.audiences.add(a);
      }
      return this;
    }

    /**
     * Allows workspaces opened on one repository, on any branch, commit, issue or pull request:
     * subjects {@code url} and {@code url/*}. A trailing {@code /} or {@code .git} is dropped.
     *
     * @param repositoryUrl the repository URL
     * @return this builder
     */
    public Builder repository(String repositoryUrl) {
      String url = subjectUrl(repositoryUrl, 2, "repository");
      subjects.add(url);
      subjects.add(url + "/*");
      return this;
    }

    /**
     * Allows workspaces opened on exactly one context URL, such as
     * {@code https://github.com/acme/app/pull/42} (Gitpod's normalized context URL).
     *
     * @param contextUrl the exact context URL
     * @return this builder
     */
    public Builder contextUrl(String contextUrl) {
      subjects.add(subjectUrl(contextUrl, 1, "context"));
      return this;
    }

    /**
     * Allows workspaces opened on any repository of an organization or group, such as
     * {@code https://github.com/acme}: subject pattern {@code url/*}.
     *
     * @param organizationUrl the organization's or group's URL
     * @return this builder
     */
    public Builder organization(String organizationUrl) {
      subjects.add(subjectUrl(organizationUrl, 1, "organization") + "/*");
      return this;
    }

    /**
     * Adds raw subject values as IAM compares them: exact values, or patterns with {@code *}
     * (any characters, including {@code /}) and {@code ?} (one character). Prefer the typed rules:
     * a pattern such as {@code https://github.com/acme/app*} also matches sibling repositories.
     *
     * @param patterns raw subject values as IAM compares them: exact values, or patterns with {@code *} (any characters, including {@code /}) and {@code ?} (one character)
     * @return this builder
     */
    public Builder subjectPattern(String... patterns) {
      for (String p : patterns) {
        Objects.requireNonNull(p, "pattern");
        if (p.isEmpty()) {
          throw new PolicyException("A subject pattern cannot be empty: give a context URL"
              + " such as https://github.com/acme/app or a pattern such as"
              + " https://github.com/acme/app/*");
        }
        subjects.add(p);
      }
      return this;
    }

    /**
     * Allows every workspace of every user of the installation, with no {@code sub} condition.
     * This is rarely what you want; the linter reports it.
     *
     * @return this builder
     */
    public Builder anySubject() {
      this.anySubject = true;
      return this;
    }

    /**
     * Builds the trust policy.
     *
     * @throws PolicyException when the provider is not given (or given twice in contradicting
     *     ways), or when no subject rule is given and {@link #anySubject()} was not called
     *
     * @return the trust policy
     */
    public PolicyDocument build() {
      Arns.ProviderArn provider = provider();
      if (subjects.isEmpty() && !anySubject) {
        throw new PolicyException("No subject rule: without one, any workspace of any user of the"
            + " installation could assume the role. Add repository(url), contextUrl(url),"
            + " organization(url) or subjectPattern(pattern), or call anySubject() to allow"
            + " every workspace on purpose");
      }
      if (!subjects.isEmpty() && anySubject) {
        throw new PolicyException("anySubject() contradicts the subject rules given: remove"
            + " anySubject() to keep the rules, or remove the rules");
      }
      return document(provider, sid,
          audiences.isEmpty() ? List.of(DEFAULT_AUDIENCE) : List.copyOf(audiences),
          new ArrayList<>(subjects));
    }

    private Arns.ProviderArn provider() {
      return TrustPolicy.provider(issuer, account, providerArn, partition,
          "issuer(\"https://services.gitpod.example.com/idp\").account(\"123456789012\")");
    }
  }

  /**
   * Returns the one statement every builder writes: the provider principal, the action,
   * {@code StringEquals} on {@code :aud} and, when there are subjects, {@code StringEquals} on
   * {@code :sub} when every value is exact, {@code StringLike} as soon as one is a pattern.
   */
  static PolicyDocument document(Arns.ProviderArn provider, String sid, List<String> audiences,
      List<String> subjects) {
    String keyPrefix = provider.hostPath() + ":";
    Statement.Builder s = Statement.builder()
        .allow()
        .principal(Principal.federated(provider.arn()))
        .addActions(ACTION)
        .addCondition(ConditionOperator.STRING_EQUALS, keyPrefix + "aud",
            audiences.toArray(String[]::new));
    if (sid != null) {
      s.sid(sid);
    }
    if (!subjects.isEmpty()) {
      boolean patterns = subjects.stream().anyMatch(v -> v.indexOf('*') >= 0
          || v.indexOf('?') >= 0);
      s.addCondition(
          patterns ? ConditionOperator.STRING_LIKE : ConditionOperator.STRING_EQUALS,
          keyPrefix + "sub", subjects.toArray(String[]::new));
    }
    return PolicyDocument.builder().addStatements(s.build()).build();
  }

  /** Returns the provider from an issuer and account, or a provider ARN, checking they agree. */
  static Arns.ProviderArn provider(String issuer, String account, String providerArn,
      String partition, String example) {
    if (providerArn != null) {
      Arns.ProviderArn p = Arns.oidcProviderArn(providerArn);
      if (issuer != null && !Arns.issuerHostPath(issuer).equals(p.hostPath())) {
        throw new PolicyException("Issuer " + issuer + " does not match provider ARN "
            + providerArn + ": give one of them, or make them agree");
      }
      if (account != null && !account.equals(p.account())) {
        throw new PolicyException("Account " + account + " does not match provider ARN "
            + providerArn + ": the provider lives in account " + p.account());
      }
      if (partition != null && !partition.equals(p.partition())) {
        throw new PolicyException("Partition " + partition + " does not match provider ARN "
            + providerArn + ": drop partition(...) or fix the ARN");
      }
      return p;
    }
    if (issuer == null) {
      throw new PolicyException("No OIDC provider: call issuer(url) and account(id), such as "
          + example + ", or providerArn(arn)");
    }
    if (account == null) {
      throw new PolicyException("No account for issuer " + issuer + ": call account(id) with"
          + " the 12-digit account that holds the OIDC provider, or give providerArn(arn)");
    }
    return new Arns.ProviderArn(Optional.ofNullable(partition).orElse("aws"), account,
        Arns.issuerHostPath(issuer));
  }

  /**
   * Normalizes a repository, context or organization URL as Gitpod writes subjects: https, no
   * query or fragment, no trailing {@code /} or {@code .git}, no characters IAM would read as a
   * wildcard or a policy variable.
   */
  static String subjectUrl(String url, int minSegments, String what) {
    Objects.requireNonNull(url, what + "Url");
    String fix = " Give the " + what + " URL as Gitpod shows it, such as "
        + (what.equals("organization") ? "https://github.com/acme" : "https://github.com/acme/app")
        + ".";
    if (url.indexOf('*') >= 0 || url.contains("${")) {
      throw new PolicyException("The " + what + " URL \"" + url + "\" contains * or ${,"
          + " which IAM reads as a wildcard or a policy variable; use subjectPattern(...) for"
          + " patterns." + fix);
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new PolicyException("Invalid " + what + " URL \"" + url + "\"." + fix);
    }
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new PolicyException("The " + what + " URL \"" + url + "\" must start with https://"
          + " and name a host: Gitpod subjects are https context URLs." + fix);
    }
    // A '?' always starts a query, so this also keeps IAM's one-character wildcard out.
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getPort() != -1
        || uri.getRawUserInfo() != null) {
      throw new PolicyException("The " + what + " URL \"" + url + "\" has a port, user info,"
          + " query or fragment, which never appear in a Gitpod subject." + fix);
    }
    String normalized = url;
    while (normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    if (normalized.endsWith(".git")) {
      normalized = normalized.substring(0, normalized.length() - 4);
    }
    while (normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    String path = normalized.substring(("https://" + uri.getRawAuthority()).length());
    long segments = path.isEmpty() ? 0
        : List.of(path.substring(1).split("/")).stream().filter(p -> !p.isEmpty()).count();
    if (segments < minSegments || path.contains("//")) {
      throw new PolicyException("The " + what + " URL \"" + url + "\" needs at least "
          + minSegments + " path segment" + (minSegments > 1 ? "s" : "") + " (owner"
          + (minSegments > 1 ? " and name" : "") + ")." + fix);
    }
    return normalized;
  }
}
