package dev.oidcecr.core;

import dev.oidcecr.core.internal.AwsNames;
import dev.oidcecr.core.internal.SharedIssuerGate;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.IssuerTrustBuilder;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.RepositoryPolicy;
import dev.oidcecr.policies.Statement;
import dev.oidcecr.policies.TrustPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryPolicyNotFoundException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.OpenIDConnectProviderListEntry;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Plans and applies the AWS side of pulling private ECR images from Gitpod workspaces: the IAM
 * OIDC provider of the installation, the role workspaces assume (trust policy, maximum session
 * duration, inline permission policy) and the repository policies.
 *
 * <pre>{@code
 * AwsSetup setup = AwsSetup.builder()
 *     .iamClient(iam).ecrClient(ecr)
 *     .accountId("123456789012")
 *     .gitpodDomain("gitpod.example.com")
 *     .roleName("gitpod-ecr-pull")
 *     .allowRepository("https://github.com/acme/app")
 *     .repositories("acme/app")
 *     .build();
 * System.out.println(setup.plan());      // what would change, with policy diffs
 * SetupResult result = setup.apply();    // a second apply() changes nothing
 * }</pre>
 *
 * <p>{@link #plan()} only reads. {@link #apply()} reads again, refuses policies the linter marks
 * as errors (unless {@link Builder#allowLintErrors(boolean)}), then makes the changes in order.
 * Instances are thread-safe and their configuration is fixed at {@code build()}, which makes no
 * AWS call. Close the setup to close the SDK clients it built from
 * {@link Builder#endpoint(URI)}, {@link Builder#region(String)} and
 * {@link Builder#credentialsProvider(AwsCredentialsProvider)}; the clients it was given are not
 * closed.
 */
public final class AwsSetup implements AutoCloseable {
  /** The audience Gitpod workspaces ask tokens for, and the provider's client id. */
  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";
  /** The name of the role's inline permission policy. */
  public static final String DEFAULT_INLINE_POLICY_NAME = "oidc-ecr-pull";
  /** The role's default maximum session duration (IAM's default too). */
  public static final Duration DEFAULT_MAX_SESSION_DURATION = Duration.ofHours(1);
  /** How long {@link #apply()} waits for IAM changes to become visible to ECR and IAM. */
  public static final Duration DEFAULT_CONSISTENCY_TIMEOUT = Duration.ofMinutes(2);
  /** The prefix of the Sids this setup writes into repository policies, to merge by Sid. */
  public static final String REPOSITORY_SID_PREFIX = "OidcEcr";

  private static final Logger LOG = LoggerFactory.getLogger(AwsSetup.class);
  private static final String PERMISSIONS_RESOURCE = "setup-permissions.json";

  /** Waits between retries; replaceable in tests so that they do not really wait. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Sleeps for {@code duration}.
     *
     * @param duration how long to sleep
     * @throws InterruptedException if the thread is interrupted while sleeping
     */
    void sleep(Duration duration) throws InterruptedException;
  }

  private final IamClient iam;
  private final EcrClient ecr;
  private final StsClient sts;
  /** What this setup built and must close, in building order. */
  private final List<AutoCloseable> owned;
  /** The credentials of the clients this setup built; resolved before the first AWS call. */
  private final AwsCredentialsProvider ownCredentials;
  private final AtomicBoolean closed = new AtomicBoolean();
  // The account-dependent fields are set once by resolve(): from accountId(...) when building,
  // else from STS GetCallerIdentity at the first use, so that build() makes no network call.
  private volatile boolean resolved;
  private final String givenAccount;
  private final String givenRegistryAccount;
  private String account;
  private String registryAccount;
  private final String region;
  private final String partition;
  private final String issuerUrl;
  private final String audience;
  private final String roleName;
  private final String path;
  private final Duration maxSessionDuration;
  private final PolicyDocument givenTrustPolicy;
  private final IssuerTrustBuilder<?> typedTrust;
  private final boolean audienceSet;
  private final List<String> allowedSubjects;
  private final List<String> allowedRepositories;
  private final List<String> allowedOrganizations;
  private final boolean push;
  private PolicyDocument trustPolicy;
  private PolicyDocument permissionPolicy;
  private final List<String> repositories;
  private final String gitpodAccount;
  private final boolean allowLintErrors;
  private final String inlinePolicyName;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration consistencyTimeout;
  private final PolicyLinter linter = PolicyLinter.create();

  private AwsSetup(Builder b, IamClient iam, EcrClient ecr, StsClient sts, String region,
      List<AutoCloseable> owned, AwsCredentialsProvider ownCredentials) {
    this.iam = iam;
    this.ecr = ecr;
    this.sts = sts;
    this.owned = owned;
    this.ownCredentials = ownCredentials;
    this.givenAccount = b.account;
    this.givenRegistryAccount = b.registryAccount;
    this.region = region;
    this.partition = AwsNames.partitionOfRegion(region);
    this.issuerUrl = b.issuerUrl;
    this.audience = b.audience;
    this.roleName = b.roleName;
    this.path = b.path;
    this.maxSessionDuration = b.maxSessionDuration;
    this.repositories = List.copyOf(b.repositories);
    this.gitpodAccount = b.gitpodAccount;
    this.allowLintErrors = b.allowLintErrors;
    this.inlinePolicyName = b.inlinePolicyName;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.consistencyTimeout = b.consistencyTimeout;
    this.givenTrustPolicy = b.trustPolicy;
    this.typedTrust = b.typedTrust;
    this.audienceSet = b.audienceSet;
    this.allowedSubjects = List.copyOf(b.allowedSubjects);
    this.allowedRepositories = List.copyOf(b.allowedRepositories);
    this.allowedOrganizations = List.copyOf(b.allowedOrganizations);
    this.push = b.push;
    int ways = (b.trustPolicy != null ? 1 : 0) + (b.typedTrust != null ? 1 : 0)
        + (b.allowedRepositories.isEmpty() && b.allowedOrganizations.isEmpty() ? 0 : 1);
    if (ways > 1) {
      throw new AwsSetupException("More than one of trustPolicy(document), trust(builder) and"
          + " allowRepository/allowOrganization were given for role " + roleName + ": give one"
          + " of them (add the rules to the one builder)");
    }
    if (ways == 0 && b.allowedSubjects.isEmpty()) {
      throw new AwsSetupException("No rule says which workspaces may assume role " + roleName
          + ": call allowRepository(\"https://github.com/acme/app\"), allowOrganization(url) or"
          + " trustPolicy(document)");
    }
    if (givenAccount != null) {
      resolve();
    }
  }

  /**
   * Sets the account-dependent fields once: the account from {@code accountId(...)} or, when it
   * was not given, from STS {@code GetCallerIdentity}.
   */
  private void resolve() {
    checkOpen();
    if (resolved) {
      return;
    }
    synchronized (this) {
      if (resolved) {
        return;
      }
      String acct = givenAccount;
      if (acct == null) {
        credentialsReady("STS GetCallerIdentity");
        acct = call("STS GetCallerIdentity", "the caller",
            () -> sts.getCallerIdentity().account());
      }
      this.account = acct;
      this.registryAccount = givenRegistryAccount == null ? acct : givenRegistryAccount;
      PolicyDocument trust = givenTrustPolicy != null ? givenTrustPolicy
          : typedTrust != null ? buildTypedTrustPolicy() : buildTrustPolicy();
      // IAM refuses a trust policy of a shared issuer that does not check sub: say so before any
      // change is made, whatever allowLintErrors says, since IAM would refuse it anyway.
      SharedIssuerGate.refusal(trust).ifPresent(reason -> {
        throw new AwsSetupException("IAM would refuse the trust policy of role " + roleName
            + ": " + reason);
      });
      this.trustPolicy = trust;
      PermissionPolicy.Builder permissions = PermissionPolicy.builder().partition(partition);
      for (String name : repositories) {
        permissions.repository(registryAccount, region, name);
      }
      if (push) {
        permissions.allowPush();
      }
      this.permissionPolicy = permissions.build();
      resolved = true;
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("This AwsSetup (role " + roleName + ") is closed: build a"
          + " new one with AwsSetup.builder()");
    }
  }

  /**
   * Resolves the credentials of the clients this setup built, so that missing credentials are
   * reported with the fix instead of as the SDK's client exception.
   */
  private void credentialsReady(String operation) {
    if (ownCredentials == null) {
      return;
    }
    try {
      ownCredentials.resolveCredentials();
    } catch (SdkException e) {
      throw new MissingCredentialsException("No AWS credentials for " + operation + ": "
          + e.getMessage() + ". Call credentialsProvider(...) on AwsSetup.builder() (for example"
          + " StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)) or"
          + " ProfileCredentialsProvider.create(\"admin\")), or give ready clients with"
          + " iamClient(...), ecrClient(...) and stsClient(...)", e);
    }
  }

  /**
   * Closes the SDK clients this setup built (not those passed to the builder). Calling it again
   * does nothing; {@link #plan()}, {@link #apply()} and the accessors then throw
   * {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        LOG.debug("Closing {} failed", owned.get(i), e);
      }
    }
  }

  private PolicyDocument buildTypedTrustPolicy() {
    IssuerTrustBuilder<?> trust = typedTrust;
    try {
      synchronized (trust) {
        trust.issuer(issuerUrl).account(account).partition(partition);
        if (audienceSet) {
          trust.audience(audience);
        }
        allowedSubjects.forEach(trust::subjectPattern);
        return trust.build();
      }
    } catch (PolicyException e) {
      throw new AwsSetupException("Cannot build the " + trust.profile().displayName()
          + " trust policy of role " + roleName + ": " + e.getMessage(), e);
    }
  }

  private PolicyDocument buildTrustPolicy() {
    try {
      TrustPolicy.Builder trust = TrustPolicy.builder()
          .issuer(issuerUrl)
          .account(account)
          .partition(partition)
          .audience(audience);
      allowedRepositories.forEach(trust::repository);
      allowedOrganizations.forEach(trust::organization);
      allowedSubjects.forEach(trust::subjectPattern);
      return trust.build();
    } catch (PolicyException e) {
      throw new AwsSetupException("Cannot build the trust policy of role " + roleName + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the least-privilege identity policy the caller of {@link #plan()} and
   * {@link #apply()} needs (IAM provider and role management, ECR repository policies), as
   * checked in at {@code dev/oidcecr/core/setup-permissions.json}.
   *
   * @return the least-privilege identity policy the caller of {@link #plan()} and {@link #apply()} needs (IAM provider and role management, ECR repository policies), as checked in at {@code dev/oidcecr/core/setup-permissions.json}
   */
  public static PolicyDocument requiredPermissions() {
    try (InputStream in = AwsSetup.class.getResourceAsStream(PERMISSIONS_RESOURCE)) {
      if (in == null) {
        throw new AwsSetupException("The resource dev/oidcecr/core/" + PERMISSIONS_RESOURCE
            + " is missing from the class path: rebuild oidc-ecr-core");
      }
      return PolicyDocument.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the ARN of the role (whether or not it exists yet), with the configured path.
   *
   * @return the ARN of the role (whether or not it exists yet), with the configured path
   */
  public String roleArn() {
    resolve();
    return AwsNames.roleArn(partition, account, path, roleName);
  }

  /**
   * Returns the ARN of the installation's OIDC provider in the role's account.
   *
   * @return the ARN of the installation's OIDC provider in the role's account
   */
  public String providerArn() {
    resolve();
    return AwsNames.providerArn(partition, account, AwsNames.issuerHostPath(issuerUrl));
  }

  /**
   * Returns the issuer URL of the Gitpod installation.
   *
   * @return the issuer URL of the Gitpod installation
   */
  public String issuerUrl() {
    return issuerUrl;
  }

  /**
   * Returns the wanted trust policy.
   *
   * @return the wanted trust policy
   */
  public PolicyDocument trustPolicy() {
    resolve();
    return trustPolicy;
  }

  /**
   * Returns the wanted inline permission policy.
   *
   * @return the wanted inline permission policy
   */
  public PolicyDocument permissionPolicy() {
    resolve();
    return permissionPolicy;
  }

  /**
   * Returns the registry host workspaces log in to, such as {@code 1234.dkr.ecr.eu-west-1.amazonaws.com}.
   *
   * @return the registry host workspaces log in to, such as {@code 1234.dkr.ecr.eu-west-1.amazonaws.com}
   */
  public String registryHost() {
    resolve();
    return registryAccount + ".dkr.ecr." + region + ".amazonaws.com"
        + (partition.equals("aws-cn") ? ".cn" : "");
  }

  /**
   * Returns the statements this setup wants in the repository policies, when it wants any: the
   * Gitpod installation's account (when given) and, when the registry is in another account than
   * the role, the role.
   *
   * @return the statements this setup wants in the repository policies, when it wants any: the Gitpod installation's account (when given) and, when the registry is in another account than the role, the role
   */
  public Optional<PolicyDocument> repositoryPolicy() {
    resolve();
    return repositoryPolicy(roleArn());
  }

  private Optional<PolicyDocument> repositoryPolicy(String actualRoleArn) {
    boolean crossAccount = !registryAccount.equals(account);
    if (gitpodAccount == null && !crossAccount) {
      return Optional.empty();
    }
    RepositoryPolicy.Builder b = RepositoryPolicy.builder().partition(partition);
    if (gitpodAccount != null) {
      b.allowAccount(gitpodAccount);
    }
    if (crossAccount) {
      b.allowRole(actualRoleArn);
    }
    PolicyDocument built = b.build();
    PolicyDocument.Builder renamed = PolicyDocument.builder();
    for (Statement s : built.statements()) {
      renamed.addStatements(s.toBuilder()
          .sid(REPOSITORY_SID_PREFIX + s.sid().orElse("Statement")).build());
    }
    return Optional.of(renamed.build());
  }

  /**
   * Reads the current state and returns the changes {@link #apply()} would make, in order.
   *
   * @throws AwsSetupException when a repository does not exist or an AWS read fails
   *
   * @return the changes in order, with the linter's findings
   */
  public SetupPlan plan() {
    resolve();
    credentialsReady("IAM ListOpenIDConnectProviders");
    return clientSide(this::doPlan);
  }

  /**
   * Turns the SDK's client-side failures (no connection, unusable endpoint, credentials a given
   * client cannot load) into this setup's exception, with what to check.
   */
  private static <T> T clientSide(Supplier<T> action) {
    try {
      return action.get();
    } catch (SdkClientException e) {
      throw new AwsSetupException("An AWS call of the setup failed before AWS answered: "
          + e.getMessage() + ". Check the credentials, region and endpoint given to"
          + " AwsSetup.builder() (credentialsProvider(...), region(...), endpoint(...)) or the"
          + " configuration of the clients given to iamClient(...) and ecrClient(...)", e);
    }
  }

  private SetupPlan doPlan() {
    List<SetupChange> changes = new ArrayList<>();
    String providerArn = providerArn();
    planProvider(providerArn, changes);

    String actualRoleArn = roleArn();
    Optional<Role> role = getRole();
    if (role.isEmpty()) {
      changes.add(SetupChange.builder()
          .kind(SetupChange.Kind.CREATE_ROLE)
          .resourceArn(actualRoleArn)
          .summary("create role " + roleName + " (path " + path + ", max session "
              + maxSessionDuration.toSeconds() + "s) with this trust policy")
          .after(trustPolicy)
          .build());
      changes.add(inlinePolicyChange(actualRoleArn, Optional.empty()));
    } else {
      Role r = role.get();
      actualRoleArn = r.arn();
      if (!r.path().equals(path)) {
        LOG.warn("Role {} exists with path {}, not {}: IAM cannot change a role's path, keeping it",
            roleName, r.path(), path);
      }
      PolicyDocument currentTrust = parsePolicy(r.assumeRolePolicyDocument(),
          "trust policy of role " + actualRoleArn);
      if (!currentTrust.equals(trustPolicy)) {
        changes.add(SetupChange.builder()
            .kind(SetupChange.Kind.UPDATE_TRUST_POLICY)
            .resourceArn(actualRoleArn)
            .summary("replace the trust policy (it differs from the wanted one)")
            .before(currentTrust)
            .after(trustPolicy)
            .build());
      }
      int currentMax = r.maxSessionDuration() == null ? 3600 : r.maxSessionDuration();
      if (currentMax != maxSessionDuration.toSeconds()) {
        changes.add(SetupChange.builder()
            .kind(SetupChange.Kind.UPDATE_MAX_SESSION_DURATION)
            .resourceArn(actualRoleArn)
            .summary("MaxSessionDuration " + currentMax + "s -> " + maxSessionDuration.toSeconds()
                + "s")
            .build());
      }
      Optional<PolicyDocument> currentInline = getInlinePolicy(actualRoleArn);
      if (!currentInline.equals(Optional.of(permissionPolicy))) {
        changes.add(inlinePolicyChange(actualRoleArn, currentInline));
      }
    }

    Optional<PolicyDocument> wantedRepositoryPolicy = repositoryPolicy(actualRoleArn);
    for (String name : repositories) {
      Repository repository = describeRepository(name);
      if (wantedRepositoryPolicy.isEmpty()) {
        continue;
      }
      Optional<PolicyDocument> current = getRepositoryPolicy(repository);
      if (current.isEmpty()) {
        changes.add(SetupChange.builder()
            .kind(SetupChange.Kind.SET_REPOSITORY_POLICY)
            .resourceArn(repository.repositoryArn())
            .summary("set the repository policy of " + name)
            .after(wantedRepositoryPolicy.get())
            .build());
      } else {
        PolicyDocument merged = mergeBySid(current.get(), wantedRepositoryPolicy.get());
        if (!merged.equals(current.get())) {
          changes.add(SetupChange.builder()
              .kind(SetupChange.Kind.MERGE_REPOSITORY_POLICY)
              .resourceArn(repository.repositoryArn())
              .summary("merge statements " + sids(wantedRepositoryPolicy.get())
                  + " into the repository policy of " + name + ", keeping the others")
              .before(current.get())
              .after(merged)
              .build());
        }
      }
    }

    List<Finding> findings = new ArrayList<>(linter.lint(trustPolicy, PolicyKind.TRUST));
    findings.addAll(linter.lint(permissionPolicy, PolicyKind.IDENTITY));
    wantedRepositoryPolicy.ifPresent(p -> findings.addAll(linter.lint(p, PolicyKind.REPOSITORY)));
    SetupPlan plan = SetupPlan.builder()
        .roleArn(actualRoleArn)
        .providerArn(providerArn)
        .changes(changes)
        .findings(findings)
        .build();
    LOG.debug("Planned {} change(s) for role {}", changes.size(), actualRoleArn);
    return plan;
  }

  private void planProvider(String providerArn, List<SetupChange> changes) {
    List<OpenIDConnectProviderListEntry> providers = call("IAM ListOpenIDConnectProviders",
        "account " + account, () -> iam.listOpenIDConnectProviders().openIDConnectProviderList());
    boolean exists = providers.stream().anyMatch(p -> p.arn().equalsIgnoreCase(providerArn));
    if (!exists) {
      changes.add(SetupChange.builder()
          .kind(SetupChange.Kind.CREATE_PROVIDER)
          .resourceArn(providerArn)
          .summary("create the OIDC provider for " + issuerUrl + " with client id " + audience)
          .build());
      return;
    }
    GetOpenIdConnectProviderResponse provider = call("IAM GetOpenIDConnectProvider", providerArn,
        () -> iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(providerArn)));
    if (!provider.clientIDList().contains(audience)) {
      changes.add(SetupChange.builder()
          .kind(SetupChange.Kind.ADD_CLIENT_ID)
          .resourceArn(providerArn)
          .summary("add client id " + audience + " to the provider (it has "
              + provider.clientIDList() + ")")
          .build());
    }
  }

  private SetupChange inlinePolicyChange(String arn, Optional<PolicyDocument> before) {
    SetupChange.Builder b = SetupChange.builder()
        .kind(SetupChange.Kind.PUT_INLINE_POLICY)
        .resourceArn(arn)
        .summary((before.isPresent() ? "replace" : "add") + " inline policy " + inlinePolicyName
            + " (pull" + (permissionPolicy.statement(PermissionPolicy.SID_PUSH).isPresent()
                ? " and push" : "") + " " + repositories + ")")
        .after(permissionPolicy);
    before.ifPresent(b::before);
    return b.build();
  }

  /**
   * Applies the plan: creates or updates what {@link #plan()} lists, in order, waiting out IAM's
   * eventual consistency, and returns the role ARN and the next steps. A second call changes
   * nothing.
   *
   * @throws AwsSetupException when the linter finds errors in a wanted policy (unless allowed),
   *     a repository is missing, or an AWS call fails
   *
   * @return the role ARN and the next steps
   */
  public SetupResult apply() {
    SetupPlan plan = plan();
    return clientSide(() -> doApply(plan));
  }

  private SetupResult doApply(SetupPlan plan) {
    checkOpen();
    refuseLintErrors(plan.findings());
    boolean createdProvider = false;
    boolean createdRole = false;
    for (SetupChange change : plan.changes()) {
      LOG.info("Applying {} on {}", change.kind(), change.resourceArn());
      switch (change.kind()) {
        case CREATE_PROVIDER:
          call("IAM CreateOpenIDConnectProvider", change.resourceArn(),
              () -> iam.createOpenIDConnectProvider(r -> r.url(issuerUrl).clientIDList(audience)));
          createdProvider = true;
          break;
        case ADD_CLIENT_ID:
          call("IAM AddClientIDToOpenIDConnectProvider", change.resourceArn(),
              () -> iam.addClientIDToOpenIDConnectProvider(
                  r -> r.openIDConnectProviderArn(change.resourceArn()).clientID(audience)));
          break;
        case CREATE_ROLE:
          boolean providerIsNew = createdProvider;
          retrying("IAM CreateRole", change.resourceArn(),
              e -> providerIsNew && mentionsPrincipal(e),
              () -> iam.createRole(r -> r.roleName(roleName).path(path)
                  .assumeRolePolicyDocument(trustPolicy.toJson())
                  .maxSessionDuration((int) maxSessionDuration.toSeconds())
                  .description("Assumed by " + IssuerProfile.detect(issuerUrl).displayName()
                      + " tokens of " + issuerUrl + " to pull ECR images (managed by"
                      + " oidc-ecr)")));
          createdRole = true;
          break;
        case UPDATE_TRUST_POLICY:
          call("IAM UpdateAssumeRolePolicy", change.resourceArn(),
              () -> iam.updateAssumeRolePolicy(
                  r -> r.roleName(roleName).policyDocument(trustPolicy.toJson())));
          break;
        case UPDATE_MAX_SESSION_DURATION:
          call("IAM UpdateRole", change.resourceArn(), () -> iam.updateRole(
              r -> r.roleName(roleName).maxSessionDuration((int) maxSessionDuration.toSeconds())));
          break;
        case PUT_INLINE_POLICY:
          boolean roleIsNew = createdRole;
          retrying("IAM PutRolePolicy", change.resourceArn(),
              e -> roleIsNew && e instanceof NoSuchEntityException,
              () -> iam.putRolePolicy(r -> r.roleName(roleName).policyName(inlinePolicyName)
                  .policyDocument(permissionPolicy.toJson())));
          break;
        case SET_REPOSITORY_POLICY:
        case MERGE_REPOSITORY_POLICY:
          String name = AwsNames.repositoryName(change.resourceArn());
          String text = change.after().orElseThrow().toJson();
          // Right after CreateRole, ECR may not see the new role yet and answers
          // InvalidParameterException ("... 'Principal not found'", or only "Invalid repository
          // policy provided"): retry a message naming a principal, and any such answer while the
          // role this apply created may still be invisible. Bounded by consistencyTimeout.
          boolean roleJustCreated = createdRole;
          retrying("ECR SetRepositoryPolicy", change.resourceArn(),
              e -> e instanceof software.amazon.awssdk.services.ecr.model.InvalidParameterException
                  && (mentionsPrincipal(e) || roleJustCreated),
              () -> ecr.setRepositoryPolicy(r -> r.registryId(registryAccount)
                  .repositoryName(name).policyText(text)));
          break;
        default:
          throw new IllegalStateException("Unknown change kind " + change.kind());
      }
    }
    return SetupResult.builder()
        .roleArn(plan.roleArn())
        .providerArn(plan.providerArn())
        .changes(plan.changes())
        .nextSteps(nextSteps(plan.roleArn()))
        .build();
  }

  private List<String> nextSteps(String roleArn) {
    IssuerProfile profile = IssuerProfile.detect(issuerUrl);
    if (!profile.id().equals("gitpod") && !profile.id().equals("generic")) {
      return List.of(
          "Give the " + profile.displayName() + " jobs the variable "
              + SetupResult.ROLE_ARN_VARIABLE + "=" + roleArn + " (subjects: "
              + profile.subjectShape() + ").",
          "In a job, log Docker in with one line (the token is found in the job's environment):"
              + " oidc-ecr login --role-arn \"$" + SetupResult.ROLE_ARN_VARIABLE + "\" --registry "
              + registryHost(),
          "If the login is refused, run: oidc-ecr doctor --role-arn \"$"
              + SetupResult.ROLE_ARN_VARIABLE + "\" --registry " + registryHost());
    }
    return List.of(
        "Set the repository environment variable " + SetupResult.ROLE_ARN_VARIABLE + "="
            + roleArn + " in Gitpod (repository settings, environment variables) for the"
            + " repositories the trust policy allows.",
        "In a workspace, log Docker in with one line: oidc-ecr login --role-arn \"$"
            + SetupResult.ROLE_ARN_VARIABLE + "\" --registry " + registryHost(),
        "If the login is refused, run: oidc-ecr doctor --role-arn \"$"
            + SetupResult.ROLE_ARN_VARIABLE + "\" --registry " + registryHost());
  }

  private void refuseLintErrors(List<Finding> findings) {
    List<Finding> errors = findings.stream()
        .filter(f -> f.severity() == Finding.Severity.ERROR).toList();
    if (errors.isEmpty()) {
      return;
    }
    if (allowLintErrors) {
      errors.forEach(f -> LOG.warn("Applying despite linter error {} at {}: {}", f.id(),
          f.location(), f.message()));
      return;
    }
    StringBuilder msg = new StringBuilder("Refusing to apply the setup of role ")
        .append(roleArn()).append(": the linter found ").append(errors.size())
        .append(" error").append(errors.size() == 1 ? "" : "s").append(" in the wanted policies:");
    for (Finding f : errors) {
      msg.append("\n  ").append(f.id()).append(" at ").append(f.location()).append(": ")
          .append(f.message()).append(" Fix: ").append(f.fix());
    }
    msg.append("\nFix the policy (for example use allowRepository(url) instead of a raw subject"
        + " pattern), or call allowLintErrors(true) to apply it anyway.");
    throw new AwsSetupException(msg.toString());
  }

  private Optional<Role> getRole() {
    try {
      return Optional.of(iam.getRole(r -> r.roleName(roleName)).role());
    } catch (NoSuchEntityException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      throw failed("IAM GetRole", roleArn(), e);
    }
  }

  private Optional<PolicyDocument> getInlinePolicy(String arn) {
    try {
      String text = iam.getRolePolicy(r -> r.roleName(roleName).policyName(inlinePolicyName))
          .policyDocument();
      return Optional.of(parsePolicy(text, "inline policy " + inlinePolicyName + " of " + arn));
    } catch (NoSuchEntityException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      throw failed("IAM GetRolePolicy", arn, e);
    }
  }

  private Repository describeRepository(String name) {
    List<Repository> found;
    try {
      found = ecr.describeRepositories(r -> r.registryId(registryAccount).repositoryNames(name))
          .repositories();
    } catch (RepositoryNotFoundException e) {
      throw missingRepository(name, e);
    } catch (AwsServiceException e) {
      throw failed("ECR DescribeRepositories", AwsNames.repositoryArn(partition, region,
          registryAccount, name), e);
    }
    if (found.isEmpty()) {
      throw missingRepository(name, null);
    }
    return found.get(0);
  }

  private AwsSetupException missingRepository(String name, AwsServiceException e) {
    return new AwsSetupException("ECR repository " + name + " does not exist in account "
        + registryAccount + ", region " + region + ": create it (aws ecr create-repository"
        + " --repository-name " + name + " --region " + region + ") or fix the name given to"
        + " repositories(...)", e, e == null ? null : errorCode(e), e == null ? null
            : e.requestId());
  }

  private Optional<PolicyDocument> getRepositoryPolicy(Repository repository) {
    try {
      String text = ecr.getRepositoryPolicy(r -> r.registryId(repository.registryId())
          .repositoryName(repository.repositoryName())).policyText();
      return Optional.of(parsePolicy(text, "repository policy of "
          + repository.repositoryArn()));
    } catch (RepositoryPolicyNotFoundException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      throw failed("ECR GetRepositoryPolicy", repository.repositoryArn(), e);
    }
  }

  /**
   * Replaces the statements of {@code current} whose Sid {@code wanted} also uses, keeps every
   * other statement in place, and appends the wanted statements that were not there.
   */
  static PolicyDocument mergeBySid(PolicyDocument current, PolicyDocument wanted) {
    Map<String, Statement> bySid = new LinkedHashMap<>();
    for (Statement s : wanted.statements()) {
      bySid.put(s.sid().orElseThrow(), s);
    }
    List<Statement> merged = new ArrayList<>();
    Set<String> placed = new LinkedHashSet<>();
    for (Statement s : current.statements()) {
      Optional<String> sid = s.sid();
      if (sid.isPresent() && bySid.containsKey(sid.get())) {
        if (placed.add(sid.get())) {
          merged.add(bySid.get(sid.get()));
        }
      } else {
        merged.add(s);
      }
    }
    for (Map.Entry<String, Statement> e : bySid.entrySet()) {
      if (!placed.contains(e.getKey())) {
        merged.add(e.getValue());
      }
    }
    return current.toBuilder().statements(merged).build();
  }

  private static String sids(PolicyDocument doc) {
    return doc.statements().stream().map(s -> s.sid().orElse("?")).toList().toString();
  }

  private static PolicyDocument parsePolicy(String text, String what) {
    try {
      return PolicyDocument.parse(text);
    } catch (PolicyException e) {
      throw new AwsSetupException("Cannot read the " + what + " that AWS returned: "
          + e.getMessage() + ". Fix or replace it in the AWS console, then plan again", e);
    }
  }

  private static boolean mentionsPrincipal(AwsServiceException e) {
    String m = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
        ? String.valueOf(e.getMessage()) : e.awsErrorDetails().errorMessage();
    return m.toLowerCase(Locale.ROOT).contains("principal");
  }

  private <T> T retrying(String operation, String resource,
      Predicate<AwsServiceException> transientError, Supplier<T> action) {
    Instant deadline = clock.instant().plus(consistencyTimeout);
    Duration delay = Duration.ofSeconds(1);
    int attempt = 1;
    while (true) {
      try {
        return action.get();
      } catch (AwsServiceException e) {
        if (!transientError.test(e)) {
          throw failed(operation, resource, e);
        }
        if (clock.instant().plus(delay).isAfter(deadline)) {
          throw failed(operation, resource, e, " It still failed after " + attempt
              + " attempts over " + consistencyTimeout.toSeconds() + "s of waiting for IAM's"
              + " eventual consistency; wait a minute and apply again.");
        }
        LOG.info("{} on {} failed with {} (attempt {}): IAM changes take a while to be seen,"
            + " retrying in {} ms", operation, resource, errorCode(e), attempt, delay.toMillis());
        try {
          sleeper.sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new AwsSetupException(operation + " on " + resource
              + " was interrupted while waiting to retry; apply again", ie);
        }
        attempt++;
        delay = delay.multipliedBy(2).compareTo(Duration.ofSeconds(16)) > 0
            ? Duration.ofSeconds(16) : delay.multipliedBy(2);
      }
    }
  }

  private static <T> T call(String operation, String resource, Supplier<T> action) {
    try {
      return action.get();
    } catch (AwsServiceException e) {
      throw failed(operation, resource, e);
    }
  }

  private static AwsSetupException failed(String operation, String resource,
      AwsServiceException e) {
    return failed(operation, resource, e, "");
  }

  private static AwsSetupException failed(String operation, String resource,
      AwsServiceException e, String more) {
    String code = errorCode(e);
    String awsMessage = e.awsErrorDetails() == null ? e.getMessage()
        : e.awsErrorDetails().errorMessage();
    String fix = code.contains("AccessDenied") || e.statusCode() == 403
        ? " The caller lacks the permission for " + operation.substring(operation.indexOf(' ')
            + 1) + ": give it the policy AwsSetup.requiredPermissions() returns."
        : " Check the inputs given to AwsSetup and the state of " + resource + ".";
    return new AwsSetupException(operation + " on " + resource + " failed: " + code + ": "
        + awsMessage + "." + fix + more, e, code, e.requestId());
  }

  private static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? "status " + e.statusCode() : e.awsErrorDetails().errorCode();
  }

  /** Collects the inputs of an {@link AwsSetup}. Not thread-safe. */
  public static final class Builder {
    private IamClient iamClient;
    private EcrClient ecrClient;
    private StsClient stsClient;
    private URI endpoint;
    private String region;
    private AwsCredentialsProvider credentialsProvider;
    private String issuerUrl;
    private String audience = DEFAULT_AUDIENCE;
    private String account;
    private String registryAccount;
    private String roleName;
    private String path = "/";
    private Duration maxSessionDuration = DEFAULT_MAX_SESSION_DURATION;
    private PolicyDocument trustPolicy;
    private IssuerTrustBuilder<?> typedTrust;
    private boolean audienceSet;
    private final List<String> allowedSubjects = new ArrayList<>();
    private final List<String> allowedRepositories = new ArrayList<>();
    private final List<String> allowedOrganizations = new ArrayList<>();
    private final Set<String> repositories = new LinkedHashSet<>();
    private boolean push;
    private String gitpodAccount;
    private boolean allowLintErrors;
    private String inlinePolicyName = DEFAULT_INLINE_POLICY_NAME;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private Duration consistencyTimeout = DEFAULT_CONSISTENCY_TIMEOUT;

    Builder() {}

    /**
     * Uses this IAM client (not closed by the setup).
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder iamClient(IamClient client) {
      this.iamClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Uses this ECR client (not closed by the setup); its region is the registry's region.
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder ecrClient(EcrClient client) {
      this.ecrClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Uses this STS client to discover the account id when {@link #accountId} is not given.
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder stsClient(StsClient client) {
      this.stsClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sends IAM, ECR and STS calls to this endpoint (a fake or a proxy) when the clients are
     * built by the setup.
     *
     * @param endpoint the endpoint URI to send requests to instead of the public AWS one
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sets the region of the ECR repositories, such as {@code eu-west-1}.
     *
     * @param region the AWS region, such as {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sets the credentials of the clients the setup builds (default: the SDK's chain).
     *
     * @param provider the AWS credentials provider
     * @return this builder
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Sets the Gitpod installation by domain: {@code gitpod.example.com} gives the issuer
     * {@code https://services.gitpod.example.com/idp}.
     *
     * @param domain the Gitpod installation by domain: {@code gitpod.example.com} gives the issuer {@code https://services.gitpod.example.com/idp}
     * @return this builder
     */
    public Builder gitpodDomain(String domain) {
      Objects.requireNonNull(domain, "domain");
      if (domain.isBlank() || domain.contains("/") || domain.contains(":")) {
        throw new AwsSetupException("Gitpod domain \"" + domain + "\" must be a bare host name"
            + " such as gitpod.example.com; use issuerUrl(url) for a full URL");
      }
      return issuerUrl("https://services." + domain + "/idp");
    }

    /**
     * Sets the issuer URL of the installation, such as {@code https://services.gitpod.example.com/idp}.
     *
     * @param url the URL
     * @return this builder
     */
    public Builder issuerUrl(String url) {
      Objects.requireNonNull(url, "url");
      try {
        AwsNames.issuerHostPath(url);
      } catch (IllegalArgumentException e) {
        throw new AwsSetupException(e.getMessage(), e);
      }
      String u = url.strip();
      while (u.endsWith("/")) {
        u = u.substring(0, u.length() - 1);
      }
      this.issuerUrl = u;
      return this;
    }

    /**
     * Sets the audience (the provider's client id); default {@value AwsSetup#DEFAULT_AUDIENCE}.
     *
     * @param audience the audience (the token's {@code aud})
     * @return this builder
     */
    public Builder audience(String audience) {
      this.audience = Objects.requireNonNull(audience, "audience");
      this.audienceSet = true;
      return this;
    }

    /**
     * Sets the 12-digit account of the role and provider (and, by default, the registry).
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder accountId(String accountId) {
      this.account = checkAccount(accountId, "account id");
      return this;
    }

    /**
     * Sets the registry's account when it differs from the role's account (cross-account); the
     * ECR client must then have credentials of the registry's account, and the repository
     * policies also allow the role.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder registryAccountId(String accountId) {
      this.registryAccount = checkAccount(accountId, "registry account id");
      return this;
    }

    /**
     * Sets the role name.
     *
     * @param name the name
     * @return this builder
     */
    public Builder roleName(String name) {
      try {
        this.roleName = AwsNames.roleName(Objects.requireNonNull(name, "name"));
      } catch (IllegalArgumentException e) {
        throw new AwsSetupException(e.getMessage(), e);
      }
      return this;
    }

    /**
     * Sets the role path; default {@code /}.
     *
     * @param path the file path
     * @return this builder
     */
    public Builder path(String path) {
      try {
        this.path = AwsNames.path(Objects.requireNonNull(path, "path"));
      } catch (IllegalArgumentException e) {
        throw new AwsSetupException(e.getMessage(), e);
      }
      return this;
    }

    /**
     * Sets the role's maximum session duration, 1 to 12 hours; default 1 hour.
     *
     * @param duration the duration
     * @return this builder
     */
    public Builder maxSessionDuration(Duration duration) {
      Objects.requireNonNull(duration, "duration");
      if (duration.compareTo(Duration.ofHours(1)) < 0
          || duration.compareTo(Duration.ofHours(12)) > 0 || duration.getNano() != 0) {
        throw new AwsSetupException("Max session duration " + duration + " is outside IAM's"
            + " range: give 1 to 12 hours, such as Duration.ofHours(1)");
      }
      this.maxSessionDuration = duration;
      return this;
    }

    /**
     * Uses this trust policy as it is, instead of the one built from the allow rules.
     *
     * @param policy the policy document
     * @return this builder
     */
    public Builder trustPolicy(PolicyDocument policy) {
      this.trustPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Builds the trust policy with this typed builder of the issuer's profile, such as
     * {@code TrustPolicy.githubActions().repository("acme/app").branch("main")}: the setup sets
     * its account, partition and issuer URL (the builder's own unless {@link #issuerUrl} is
     * given) and, when {@link #audience} is given, its audience; the provider's client id is
     * that audience or the profile's default one. The builder is used by {@link #build()}.
     *
     * @param builder the typed trust builder with the subject rules, such as
     *     {@code TrustPolicy.githubActions().repository("acme/app")}
     * @return this builder
     */
    public Builder trust(IssuerTrustBuilder<?> builder) {
      this.typedTrust = Objects.requireNonNull(builder, "builder");
      return this;
    }

    /**
     * Also allows tokens whose {@code sub} matches this value or pattern ({@code *}, {@code ?}),
     * for subjects the typed rules cannot write; the linter judges it by the issuer's grammar and
     * {@link #apply()} refuses it when that is an error.
     *
     * @param pattern a {@code sub} value, or a pattern with {@code *} and {@code ?}
     * @return this builder
     */
    public Builder allowSubject(String pattern) {
      allowedSubjects.add(Objects.requireNonNull(pattern, "pattern"));
      return this;
    }

    /**
     * Lets workspaces opened on this repository (any branch, pull request or issue) assume the
     * role, such as {@code https://github.com/acme/app}.
     *
     * @param repositoryUrl the repository URL
     * @return this builder
     */
    public Builder allowRepository(String repositoryUrl) {
      allowedRepositories.add(Objects.requireNonNull(repositoryUrl, "repositoryUrl"));
      return this;
    }

    /**
     * Lets workspaces of every repository of an organization assume the role.
     *
     * @param organizationUrl the organization's or group's URL
     * @return this builder
     */
    public Builder allowOrganization(String organizationUrl) {
      allowedOrganizations.add(Objects.requireNonNull(organizationUrl, "organizationUrl"));
      return this;
    }

    /**
     * Adds ECR repositories (names in the registry's account and region) the role may pull.
     *
     * @param names ECR repositories (names in the registry's account and region) the role may pull
     * @return this builder
     */
    public Builder repositories(String... names) {
      for (String n : names) {
        repositories.add(Objects.requireNonNull(n, "name"));
      }
      return this;
    }

    /**
     * Also lets the role push to the repositories.
     *
     * @param push {@code true} to grant push as well as pull
     * @return this builder
     */
    public Builder allowPush(boolean push) {
      this.push = push;
      return this;
    }

    /**
     * Sets the AWS account of the Gitpod installation, which the repository policies let pull
     * (workspace starts pull with the installation's own identity). Not needed in single-account
     * setups.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder gitpodAccountId(String accountId) {
      this.gitpodAccount = checkAccount(accountId, "Gitpod installation account id");
      return this;
    }

    /**
     * Applies even when the linter reports errors in a wanted policy (default {@code false}).
     *
     * @param allow {@code true} to apply despite lint errors
     * @return this builder
     */
    public Builder allowLintErrors(boolean allow) {
      this.allowLintErrors = allow;
      return this;
    }

    /**
     * Sets the name of the role's inline policy; default {@value AwsSetup#DEFAULT_INLINE_POLICY_NAME}.
     *
     * @param name the name
     * @return this builder
     */
    public Builder inlinePolicyName(String name) {
      this.inlinePolicyName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the clock that bounds the eventual-consistency retries.
     *
     * @param clock the clock that supplies the current time (a fixed one in tests)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how the setup waits between retries.
     *
     * @param sleeper how the setup waits between retries
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets how long to retry calls that fail only because IAM has not caught up yet.
     *
     * @param timeout how long to wait at most
     * @return this builder
     */
    public Builder consistencyTimeout(Duration timeout) {
      this.consistencyTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Builds the setup, building missing SDK clients from the endpoint, region and credentials.
     * Makes no AWS call: when {@link #accountId(String)} is not given, the account is asked from
     * STS {@code GetCallerIdentity} at the first use.
     *
     * @throws AwsSetupException when a required input is missing
     *
     * @return the setup, building missing SDK clients from the endpoint, region and credentials
     */
    public AwsSetup build() {
      if (issuerUrl == null && typedTrust != null) {
        issuerUrl(typedTrust.issuerUrl());
      }
      if (typedTrust != null && !audienceSet) {
        IssuerProfile profile = typedTrust.profile();
        audience = profile.defaultAudience(issuerUrl).orElseThrow(() -> new AwsSetupException(
            profile.displayName() + " tokens have no default audience: call audience(\"...\")"
                + " with the aud your tokens carry (it becomes the provider's client id)"));
      }
      if (issuerUrl == null) {
        throw new AwsSetupException("No Gitpod installation: call gitpodDomain(\"gitpod.example.com\")"
            + " or issuerUrl(\"https://services.gitpod.example.com/idp\")");
      }
      if (roleName == null) {
        throw new AwsSetupException("No role name: call roleName(\"gitpod-ecr-pull\")");
      }
      if (repositories.isEmpty()) {
        throw new AwsSetupException("No ECR repository: call repositories(\"acme/app\") with the"
            + " repositories workspaces pull from");
      }
      String reg = region;
      if (reg == null && ecrClient != null) {
        reg = ecrClient.serviceClientConfiguration().region().id();
      }
      if (reg == null) {
        throw new AwsSetupException("No region: call region(\"eu-west-1\") with the region of the"
            + " ECR repositories, or give an ecrClient(...) built for that region");
      }
      if (account == null && stsClient == null && iamClient != null) {
        throw new AwsSetupException("No account id: call accountId(\"123456789012\") with the"
            + " account of the role, or give stsClient(...) to discover it");
      }
      String partition = AwsNames.partitionOfRegion(reg);
      List<AutoCloseable> owned = new ArrayList<>();
      boolean buildsClients = iamClient == null || ecrClient == null
          || (account == null && stsClient == null);
      AwsCredentialsProvider credentials = credentialsProvider;
      AwsCredentialsProvider ownCredentials = null;
      SdkHttpClient http = null;
      if (buildsClients) {
        if (credentials == null) {
          DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
          owned.add(chain);
          credentials = chain;
        }
        ownCredentials = credentials;
        http = UrlConnectionHttpClient.builder().build();
        owned.add(http);
      }
      IamClient iam = iamClient;
      if (iam == null) {
        iam = IamClient.builder().httpClient(http)
            .region(Region.of(endpoint != null ? reg : AwsNames.iamGlobalRegion(partition)))
            .applyMutation(configure(credentials)).build();
        owned.add(iam);
      }
      EcrClient ecr = ecrClient;
      if (ecr == null) {
        ecr = EcrClient.builder().httpClient(http).region(Region.of(reg))
            .applyMutation(configure(credentials)).build();
        owned.add(ecr);
      }
      StsClient sts = stsClient;
      if (sts == null && account == null) {
        sts = StsClient.builder().httpClient(http).region(Region.of(reg))
            .applyMutation(configure(credentials)).build();
        owned.add(sts);
      }
      try {
        return new AwsSetup(this, iam, ecr, sts, reg, List.copyOf(owned), ownCredentials);
      } catch (RuntimeException e) {
        for (int i = owned.size() - 1; i >= 0; i--) {
          try {
            owned.get(i).close();
          } catch (Exception ignored) {
            // Already failing: the build error is the one to report.
          }
        }
        throw e;
      }
    }

    private <B extends AwsClientBuilder<B, ?>> Consumer<B> configure(
        AwsCredentialsProvider credentials) {
      URI e = endpoint;
      return b -> {
        if (e != null) {
          b.endpointOverride(e);
        }
        b.credentialsProvider(credentials);
      };
    }

    private static String checkAccount(String accountId, String what) {
      try {
        return AwsNames.account(Objects.requireNonNull(accountId, what), what);
      } catch (IllegalArgumentException e) {
        throw new AwsSetupException(e.getMessage(), e);
      }
    }
  }
}
