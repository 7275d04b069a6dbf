package dev.oidcecr.core;

import dev.oidcecr.core.DoctorFinding.Status;
import dev.oidcecr.core.internal.AwsEnvironment;
import dev.oidcecr.core.internal.doctor.ProfileAdvice;
import dev.oidcecr.core.internal.doctor.TrapContext;
import dev.oidcecr.core.internal.doctor.TrustTraps;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.core.internal.AwsNames;
import dev.oidcecr.core.internal.Dockerfile;
import dev.oidcecr.core.internal.GitpodYml;
import dev.oidcecr.core.internal.ImageReference;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.Statement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.RepositoryPolicyNotFoundException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * Explains, link by link, why a workspace's login to a private ECR registry would be refused,
 * before (or after) AWS refuses it with "Not authorized to perform
 * sts:AssumeRoleWithWebIdentity".
 *
 * <pre>{@code
 * DoctorReport report = Doctor.builder()
 *     .token(TokenSource.fromGitpodCli().fetch())
 *     .roleArn("arn:aws:iam::123456789012:role/gitpod-ecr-pull")
 *     .image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:latest")
 *     .iamClient(iam)                       // optional: reads provider, trust and inline policies
 *     .build()
 *     .run();
 * System.out.println(report.render());
 * }</pre>
 *
 * <p>The checks, in order, with their ids: {@value #TOKEN}, {@value #PROVIDER},
 * {@value #AUDIENCE}, {@value #TRUST_POLICY}, {@value #TRUST_POLICY_LINT},
 * {@value #PERMISSION_POLICY}, {@value #REPOSITORY_POLICY}, {@value #GITPOD_YML},
 * {@value #LOGIN}; {@value #INPUTS} appears only when an input is unusable. A check whose input is
 * missing is {@code SKIPPED} with the reason. The token itself never appears in the report.
 */
public final class Doctor implements AutoCloseable {
  /** Check id: the inputs (role ARN, registry, image) are usable; reported only on failure. */
  public static final String INPUTS = "inputs";
  /** Check id: the token parses and is unexpired. */
  public static final String TOKEN = "token";
  /** Check id: the token's issuer is a registered OIDC provider in the role's account. */
  public static final String PROVIDER = "provider";
  /** Check id: the token's audience is one of the provider's client ids. */
  public static final String AUDIENCE = "audience";
  /** Check id: the role's trust policy allows this token. */
  public static final String TRUST_POLICY = "trust-policy";
  /** Check id: the linter finds no problem in the trust policy. */
  public static final String TRUST_POLICY_LINT = "trust-policy-lint";
  /** Check id: the role's permission policy allows logging in and pulling the repository. */
  public static final String PERMISSION_POLICY = "permission-policy";
  /** Check id: the repository policy lets a role of another account pull. */
  public static final String REPOSITORY_POLICY = "repository-policy";
  /** Check id: the image of {@code .gitpod.yml} comes from the registry and can be pulled. */
  public static final String GITPOD_YML = "gitpod-yml";
  /** Check id: a real login succeeds. */
  public static final String LOGIN = "login";

  private static final Logger LOG = LoggerFactory.getLogger(Doctor.class);
  private static final Duration SHORT_LIFE = Duration.ofMinutes(5);
  private static final List<String> PULL_ACTIONS =
      List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");

  private final Builder b;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The clients this doctor built from the endpoint, region and credentials; closed by it. */
  private AwsEnvironment.Clients clients;
  private AwsCredentialsProvider ownedCredentials;
  private final Map<String, IamClient> iamByPartition = new HashMap<>();
  private final Map<String, EcrClient> ecrByRegion = new HashMap<>();

  private Doctor(Builder b) {
    this.b = b;
  }

  private boolean buildsClients() {
    return b.endpoint != null || b.region != null || b.credentialsProvider != null;
  }

  private synchronized AwsEnvironment.Clients clients() {
    if (clients == null) {
      AwsCredentialsProvider credentials = b.credentialsProvider;
      if (credentials == null) {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        ownedCredentials = chain;
        credentials = chain;
      }
      clients = new AwsEnvironment.Clients(Map.of(), Optional.ofNullable(b.endpoint),
          credentials);
    }
    return clients;
  }

  private synchronized IamClient ownedIam(String partition) {
    if (!buildsClients()) {
      return null;
    }
    return iamByPartition.computeIfAbsent(partition, p -> clients().iam(p));
  }

  private synchronized EcrClient ownedEcr(String registryRegion) {
    if (!buildsClients()) {
      return null;
    }
    return ecrByRegion.computeIfAbsent(b.region != null ? b.region : registryRegion,
        r -> clients().ecr(r));
  }

  /**
   * Closes the SDK clients this doctor built (not those given to the builder). Calling it again
   * does nothing; {@link #run()} then throws {@link IllegalStateException}.
   */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (clients != null) {
      clients.close();
    }
    if (ownedCredentials instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("Closing {} failed", c, e);
      }
    }
    iamByPartition.clear();
    ecrByRegion.clear();
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
   * Runs every check and returns the report; never throws for a broken link.
   *
   * @return the report, one finding per check
   */
  public DoctorReport run() {
    if (closed.get()) {
      throw new IllegalStateException("This Doctor (role " + b.roleArn + ") is closed: build a"
          + " new one with Doctor.builder()");
    }
    return new Run().execute();
  }

  /** The state of one run; checks fill it in for the ones after them. */
  private final class Run {
    final List<DoctorFinding> out = new ArrayList<>();
    final List<String> inputProblems = new ArrayList<>();
    WebIdentityToken token;
    AwsNames.RoleArn role;
    EcrRegistry registry;
    ImageReference image;
    String providerArn;
    boolean providerMissing;
    PolicyDocument trust;
    String trustUnavailable;
    List<PolicyDocument> permissions;
    String permissionsUnavailable;
    Optional<GitpodYml.Image> gitpodImage = Optional.empty();
    String gitpodYmlProblem;
    IamClient iam;
    EcrClient ecr;

    DoctorReport execute() {
      checkToken();
      readInputs();
      iam = b.iam != null ? b.iam : role == null ? null : ownedIam(role.partition());
      ecr = b.ecr != null ? b.ecr : registry == null ? null : ownedEcr(registry.region());
      if (!inputProblems.isEmpty()) {
        add(INPUTS, "Inputs are usable", Status.FAIL, String.join("\n", inputProblems),
            "Give the role ARN as arn:aws:iam::<account>:role/<name> and the registry as"
                + " <account>.dkr.ecr.<region>.amazonaws.com (or a full image reference).");
      }
      guard(PROVIDER, this::checkProvider);
      guard(TRUST_POLICY, this::checkTrustPolicy);
      guard(TRUST_POLICY_LINT, this::checkTrustPolicyLint);
      guard(PERMISSION_POLICY, this::checkPermissionPolicy);
      guard(REPOSITORY_POLICY, this::checkRepositoryPolicy);
      guard(GITPOD_YML, this::checkGitpodYml);
      guard(LOGIN, this::checkLogin);
      return DoctorReport.of(out);
    }

    /** Turns a bug or an unexpected SDK failure in one check into a warning, not a crash. */
    void guard(String id, Runnable check) {
      int before = out.size();
      try {
        check.run();
      } catch (RuntimeException e) {
        LOG.debug("Check {} failed unexpectedly", id, e);
        boolean reported = out.subList(before, out.size()).stream()
            .anyMatch(f -> f.id().equals(id));
        if (!reported) {
          add(id, "Check could not complete", Status.WARN, "The check stopped with "
              + e.getClass().getSimpleName() + ": " + e.getMessage(), "Check this link by hand"
              + " and report the problem to the oidc-ecr maintainers.");
        }
      }
    }

    void add(String id, String title, Status status, String reason, String fix) {
      DoctorFinding f = DoctorFinding.builder().id(id).title(title).status(status)
          .reason(reason).fix(Optional.ofNullable(fix)).build();
      LOG.debug("{}", f);
      out.add(f);
    }

    void skip(String id, String title, String reason) {
      add(id, title, Status.SKIPPED, reason, null);
    }

    // ---- token

    void checkToken() {
      String title = "Token parses and is unexpired";
      try {
        token = b.token != null ? b.token
            : b.tokenText != null ? WebIdentityToken.parse(b.tokenText)
            : b.tokenSource != null ? b.tokenSource.fetch() : null;
      } catch (RuntimeException e) {
        add(TOKEN, title, Status.FAIL, "Could not get a token"
            + (b.tokenSource != null ? " from " + b.tokenSource.describe() : "") + ": "
            + e.getMessage(), "Get a token with `gp idp token --audience sts.amazonaws.com`"
            + " and pass it, or fix the token source.");
        return;
      }
      if (token == null) {
        add(TOKEN, title, Status.FAIL, "No token was given to the doctor.",
            "Pass the workspace's token: `gp idp token --audience sts.amazonaws.com`.");
        return;
      }
      Duration left = token.timeLeft(b.clock);
      String who = "Token of sub=" + token.subject().orElse("<none>") + ", aud="
          + token.audiences() + ", iss=" + token.issuer().orElse("<none>");
      if (token.issuer().isEmpty()) {
        add(TOKEN, title, Status.FAIL, who + " has no \"iss\" claim: STS cannot find its"
            + " provider.", "Use the token of your Gitpod installation's identity provider.");
        token = null;
        return;
      }
      if (left.isNegative() || left.isZero()) {
        add(TOKEN, title, Status.FAIL, who + " expired at " + token.expiresAt() + " ("
            + human(left.negated()) + " ago).", "Get a fresh token (they live 60 minutes):"
            + " " + ProfileAdvice.tokenHint(profile()) + "; if it is fresh, check the clock.");
        return;
      }
      if (left.compareTo(SHORT_LIFE) < 0) {
        add(TOKEN, title, Status.WARN, who + " expires in " + human(left) + ".",
            "Get a fresh token before logging in: " + ProfileAdvice.tokenHint(profile()) + ".");
        return;
      }
      add(TOKEN, title, Status.PASS, who + " expires in " + human(left) + ".\n"
          + ProfileAdvice.describe(profile(), token.subject().orElse("")) + ".", null);
    }

    /** Returns the profile of the token's issuer ({@code generic} without a token). */
    IssuerProfile profile() {
      return ProfileAdvice.profileOf(token == null ? "" : token.issuer().orElse(""));
    }

    // ---- inputs

    void readInputs() {
      if (b.roleArn == null) {
        inputProblems.add("No role ARN was given (set IDP_AWS_ROLE_ARN or pass it).");
      } else {
        role = AwsNames.parseRoleArn(b.roleArn).orElse(null);
        if (role == null) {
          inputProblems.add("\"" + b.roleArn + "\" is not a role ARN.");
        }
      }
      if (b.gitpodYml != null) {
        try {
          gitpodImage = GitpodYml.read(b.gitpodYml);
        } catch (IllegalArgumentException e) {
          gitpodYmlProblem = e.getMessage();
        }
      }
      if (b.image != null) {
        try {
          image = ImageReference.parse(b.image);
        } catch (IllegalArgumentException e) {
          inputProblems.add(e.getMessage());
        }
      }
      if (b.registry != null) {
        try {
          registry = EcrRegistry.parse(b.registry);
        } catch (InvalidRegistryException e) {
          inputProblems.add(e.getMessage());
        }
      } else if (image != null) {
        registry = EcrRegistry.tryParse(image.host()).orElse(null);
        if (registry == null) {
          inputProblems.add("The image " + image + " is not on an Amazon ECR registry.");
        }
      }
      if (registry != null && image != null && !image.host().equals(registry.host())) {
        inputProblems.add("The image " + image + " is not on the registry " + registry.host()
            + ".");
      }
      if (image == null && registry != null) {
        // Without an explicit image, the one .gitpod.yml names on this registry is the target.
        image = gitpodImages().stream().filter(r -> r.host().equals(registry.host()))
            .findFirst().orElse(null);
      }
      if (token != null && token.issuer().isPresent() && role != null) {
        try {
          providerArn = AwsNames.providerArn(role.partition(), role.account(),
              AwsNames.issuerHostPath(token.issuer().get()));
        } catch (IllegalArgumentException e) {
          inputProblems.add("The token's issuer cannot be an IAM provider: " + e.getMessage());
        }
      }
    }

    // ---- provider and audience

    void checkProvider() {
      String title = "Issuer is a registered OIDC provider in the role's account";
      String audTitle = "Token audience is one of the provider's client ids";
      if (providerArn == null) {
        skip(PROVIDER, title, "Needs a valid token and role ARN.");
        skip(AUDIENCE, audTitle, "Needs a valid token and role ARN.");
        return;
      }
      if (iam == null) {
        skip(PROVIDER, title, "No IAM client given: cannot read the providers of account "
            + role.account() + ".");
        skip(AUDIENCE, audTitle, "No IAM client given: cannot read the client ids of "
            + providerArn + ".");
        return;
      }
      String issuer = token.issuer().get();
      List<String> arns;
      try {
        arns = iam.listOpenIDConnectProviders().openIDConnectProviderList().stream()
            .map(p -> p.arn()).toList();
      } catch (AwsServiceException e) {
        add(PROVIDER, title, Status.WARN, "Cannot list the OIDC providers of account "
            + role.account() + ": " + awsError(e), "Give the doctor credentials allowed"
            + " iam:ListOpenIDConnectProviders, or check the provider in the IAM console.");
        skip(AUDIENCE, audTitle, "The provider could not be read.");
        return;
      }
      if (arns.stream().noneMatch(a -> a.equalsIgnoreCase(providerArn))) {
        providerMissing = true;
        String legacy = issuer.contains("://api.") ? " The issuer uses the pre-September-2023"
            + " form https://api.<domain>/idp; newer installations issue"
            + " https://services.<domain>/idp." : "";
        add(PROVIDER, title, Status.FAIL, "Account " + role.account() + " has no OIDC provider"
            + " for the token's issuer " + issuer + " (expected " + providerArn + "; found "
            + (arns.isEmpty() ? "none" : String.join(", ", arns)) + ")." + legacy,
            "Create it: AwsSetup with issuerUrl(\"" + issuer + "\"), or `aws iam"
                + " create-open-id-connect-provider --url " + issuer + " --client-id-list "
                + AwsSetup.DEFAULT_AUDIENCE + "`.");
        skip(AUDIENCE, audTitle, "There is no provider to read client ids from.");
        return;
      }
      add(PROVIDER, title, Status.PASS, "Provider " + providerArn + " is registered.", null);
      GetOpenIdConnectProviderResponse provider;
      try {
        provider = iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(providerArn));
      } catch (AwsServiceException e) {
        add(AUDIENCE, audTitle, Status.WARN, "Cannot read provider " + providerArn + ": "
            + awsError(e), "Allow the doctor iam:GetOpenIDConnectProvider, or check the"
            + " provider's audiences in the IAM console.");
        return;
      }
      List<String> clientIds = provider.clientIDList();
      if (token.audiences().stream().noneMatch(clientIds::contains)) {
        String wanted = clientIds.isEmpty() ? AwsSetup.DEFAULT_AUDIENCE : clientIds.get(0);
        add(AUDIENCE, audTitle, Status.FAIL, "The token's audience " + token.audiences()
            + " is not among the client ids " + clientIds + " of provider " + providerArn
            + " (STS answers \"Incorrect token audience\")."
            + defaultAudienceNote(), "Ask for a token with the audience the provider knows ("
            + wanted + "; " + ProfileAdvice.tokenHint(profile()).replace(
                "sts.amazonaws.com", wanted) + "), or set up the role for the token's audience"
            + " with AwsSetup audience(\"" + token.audiences().get(0) + "\") (aws iam"
            + " add-client-id-to-open-id-connect-provider adds it to the provider).");
        return;
      }
      add(AUDIENCE, audTitle, Status.PASS, "Audience " + token.audiences() + " matches client"
          + " ids " + clientIds + ".", null);
    }

    /** Names the CircleCI/Bitbucket default-audience trap when the token carries it. */
    String defaultAudienceNote() {
      Optional<String> def = profile().defaultAudience(token.issuer().orElse(""));
      boolean isDefault = token.audiences().stream().anyMatch(a -> def.map(a::equals)
          .orElse(false) || a.startsWith("ari:cloud:bitbucket::workspace/"));
      return isDefault && !token.audiences().contains(AwsSetup.DEFAULT_AUDIENCE)
          ? " Trap: the token still carries " + profile().displayName() + "'s default audience"
              + " instead of " + AwsSetup.DEFAULT_AUDIENCE + "."
          : "";
    }

    // ---- trust policy

    void readTrust() {
      if (b.trustPolicy != null) {
        trust = b.trustPolicy;
        return;
      }
      if (role == null) {
        trustUnavailable = "Needs a valid role ARN.";
        return;
      }
      if (iam == null) {
        trustUnavailable = "No IAM client and no trust policy given: cannot read the trust"
            + " policy of " + role.arn() + ".";
        return;
      }
      try {
        String text = iam.getRole(r -> r.roleName(role.name())).role()
            .assumeRolePolicyDocument();
        trust = PolicyDocument.parse(text);
      } catch (NoSuchEntityException e) {
        trustUnavailable = "MISSING";
      } catch (AwsServiceException e) {
        trustUnavailable = "Cannot read role " + role.arn() + ": " + awsError(e);
      } catch (PolicyException e) {
        trustUnavailable = "The trust policy of " + role.arn() + " cannot be parsed: "
            + e.getMessage();
      }
    }

    void checkTrustPolicy() {
      String title = "Trust policy allows this token";
      readTrust();
      if (trust == null) {
        if ("MISSING".equals(trustUnavailable)) {
          add(TRUST_POLICY, title, Status.FAIL, "Role " + role.arn() + " does not exist.",
              "Create it with AwsSetup, or fix the role ARN (IDP_AWS_ROLE_ARN).");
        } else {
          skip(TRUST_POLICY, title, trustUnavailable);
        }
        return;
      }
      if (token == null || providerArn == null) {
        skip(TRUST_POLICY, title, "Needs a valid token and role ARN.");
        return;
      }
      Evaluation evaluation;
      try {
        evaluation = PolicyEvaluator.of(trust)
            .evaluate(EvaluationRequest.webIdentity(providerArn, token.claims()));
      } catch (RuntimeException e) {
        add(TRUST_POLICY, title, Status.WARN, "The trust policy could not be evaluated: "
            + e.getMessage(), "Check the trust policy by hand.");
        return;
      }
      String actual = "The token has sub=" + token.subject().orElse("<none>") + " and aud="
          + token.audiences() + ".";
      if (evaluation.isAllowed()) {
        add(TRUST_POLICY, title, Status.PASS, "The trust policy of " + role.arn()
            + " allows this token. " + actual, null);
        return;
      }
      String hostPath = providerArn.substring(providerArn.indexOf(":oidc-provider/")
          + ":oidc-provider/".length());
      IssuerProfile profile = profile();
      List<String> traps = TrustTraps.explain(new TrapContext(profile, token.claims(),
          profile.parseSubject(token.subject().orElse("")), trust, hostPath));
      add(TRUST_POLICY, title, Status.FAIL, "The trust policy of " + role.arn() + " does not"
          + " allow this token (" + evaluation.decision() + "). " + actual + "\n"
          + ProfileAdvice.describe(profile, token.subject().orElse("")) + ".\n"
          + evaluation.explanation().strip()
          + (traps.isEmpty() ? "" : "\n" + String.join("\n", traps)),
          traps.isEmpty() ? trustFix(hostPath, profile) : String.join("\n", traps.stream()
              .map(t -> t.substring(t.indexOf("Fix: ") + 5)).toList()));
    }

    String trustFix(String hostPath, IssuerProfile profile) {
      Optional<String> rule = ProfileAdvice.rule(profile, token.subject().orElse(""));
      if (rule.isPresent()) {
        return "Allow this " + profile.displayName() + " token's subject: " + rule.get()
            + " writes " + hostPath + ":sub for it (given to AwsSetup trust(...)); the "
            + hostPath + ":aud condition must match " + token.audiences() + "; or run the job"
            + " from where the policy allows.";
      }
      return trustFix(hostPath);
    }

    String trustFix(String hostPath) {
      String sub = token.subject().orElse("");
      String repo = repositoryOf(sub);
      return "Make the trust policy's " + hostPath + ":sub condition match this workspace"
          + (repo == null ? "" : " (for its repository: StringLike [" + repo + ", " + repo
              + "/*], or AwsSetup.allowRepository(\"" + repo + "\"))")
          + " and its " + hostPath + ":aud condition match " + token.audiences()
          + "; or open the workspace on a repository the policy allows.";
    }

    void checkTrustPolicyLint() {
      String title = "Trust policy has no linter findings";
      if (trust == null) {
        skip(TRUST_POLICY_LINT, title, "The trust policy could not be read.");
        return;
      }
      List<Finding> findings = PolicyLinter.create().lint(trust, PolicyKind.TRUST);
      if (findings.isEmpty()) {
        add(TRUST_POLICY_LINT, title, Status.PASS, "No findings.", null);
        return;
      }
      boolean errors = findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
      boolean warnings = findings.stream()
          .anyMatch(f -> f.severity() == Finding.Severity.WARNING);
      StringBuilder reason = new StringBuilder();
      StringBuilder fix = new StringBuilder();
      for (Finding f : findings) {
        if (reason.length() > 0) {
          reason.append('\n');
          fix.append('\n');
        }
        reason.append(f.severity()).append(' ').append(f.id()).append(" at ")
            .append(f.location()).append(": ").append(f.message());
        fix.append(f.id()).append(": ").append(f.fix());
      }
      add(TRUST_POLICY_LINT, title, errors ? Status.FAIL : warnings ? Status.WARN : Status.PASS,
          reason.toString(), errors || warnings ? fix.toString() : null);
    }

    // ---- permission policy

    void readPermissions() {
      if (!b.permissionPolicies.isEmpty()) {
        permissions = List.copyOf(b.permissionPolicies);
        return;
      }
      if (role == null) {
        permissionsUnavailable = "Needs a valid role ARN.";
        return;
      }
      if (iam == null) {
        permissionsUnavailable = "No IAM client and no permission policy given: cannot read the"
            + " inline policies of " + role.arn() + ".";
        return;
      }
      if ("MISSING".equals(trustUnavailable)) {
        permissionsUnavailable = "Role " + role.arn() + " does not exist.";
        return;
      }
      try {
        List<PolicyDocument> docs = new ArrayList<>();
        for (String name : iam.listRolePolicies(r -> r.roleName(role.name())).policyNames()) {
          docs.add(PolicyDocument.parse(iam.getRolePolicy(
              r -> r.roleName(role.name()).policyName(name)).policyDocument()));
        }
        docs.addAll(readAttachedPolicies());
        permissions = docs;
      } catch (AwsServiceException e) {
        permissionsUnavailable = "Cannot read the inline policies of " + role.arn() + ": "
            + awsError(e);
      } catch (PolicyException e) {
        permissionsUnavailable = "A policy of " + role.arn() + " cannot be parsed: "
            + e.getMessage();
      }
    }

    /** Names of the attached managed policies whose default version was read. */
    private final List<String> attachedRead = new ArrayList<>();

    /**
     * Reads the default version of each managed policy attached to the role (IAM's
     * ListAttachedRolePolicies, GetPolicy, GetPolicyVersion). When IAM refuses one of these
     * reads, the doctor keeps the inline policies only and says the attached ones are unread.
     */
    private List<PolicyDocument> readAttachedPolicies() {
      List<PolicyDocument> docs = new ArrayList<>();
      try {
        for (var attachedPolicy : iam.listAttachedRolePolicies(r -> r.roleName(role.name()))
            .attachedPolicies()) {
          String arn = attachedPolicy.policyArn();
          String version = iam.getPolicy(r -> r.policyArn(arn)).policy().defaultVersionId();
          docs.add(PolicyDocument.parse(iam.getPolicyVersion(
              r -> r.policyArn(arn).versionId(version)).policyVersion().document()));
          attachedRead.add(attachedPolicy.policyName());
        }
        attached = false;
      } catch (AwsServiceException e) {
        LOG.debug("Cannot read the attached policies of {}: {}", role.arn(), awsError(e));
        attachedRead.clear();
        return List.of();
      }
      return docs;
    }

    /** Names the policies that were read, for the findings. */
    private String policiesRead() {
      return attachedRead.isEmpty() ? "The inline policies of " + role.arn()
          : "The inline and attached policies (" + String.join(", ", attachedRead) + ") of "
              + role.arn();
    }

    /** Returns the actions (on the resource) that the role's inline policies do not allow. */
    List<String> denied(List<String> actions, String resource, StringBuilder explanation) {
      PolicyDocument.Builder all = PolicyDocument.builder();
      for (PolicyDocument d : permissions) {
        for (Statement s : d.statements()) {
          all.addStatements(s);
        }
      }
      PolicyEvaluator evaluator = PolicyEvaluator.of(all.build());
      List<String> missing = new ArrayList<>();
      for (String action : actions) {
        EvaluationRequest.Builder request = EvaluationRequest.builder().action(action)
            .resource(resource);
        if (role != null) {
          request.principalArn(role.arn());
        }
        Evaluation e = evaluator.evaluate(request.build());
        if (!e.isAllowed()) {
          missing.add(action);
          explanation.append('\n').append(action).append(" on ").append(resource).append(": ")
              .append(e.explanation().strip());
        }
      }
      return missing;
    }

    void checkPermissionPolicy() {
      String title = "Permission policy allows the login and the pull";
      readPermissions();
      if (role == null) {
        skip(PERMISSION_POLICY, title, "Needs a valid role ARN.");
        return;
      }
      if (permissions == null) {
        skip(PERMISSION_POLICY, title, permissionsUnavailable);
        return;
      }
      if (permissions.isEmpty()) {
        add(PERMISSION_POLICY, title, attachedPoliciesExist() ? Status.WARN : Status.FAIL,
            "Role " + role.arn() + " has no permission policy" + (attachedPoliciesExist()
                ? "; it has attached managed policies, which the doctor could not read (it needs"
                    + " iam:GetPolicy and iam:GetPolicyVersion)." : "."),
            "Add the pull policy: AwsSetup, or PermissionPolicy.builder().repository(account,"
                + " region, name).build() as an inline policy.");
        return;
      }
      StringBuilder explanation = new StringBuilder();
      List<String> missing = new ArrayList<>(denied(List.of("ecr:GetAuthorizationToken"), "*",
          explanation));
      String repositoryArn = null;
      if (image != null && registry != null) {
        repositoryArn = registry.repositoryArn(image.repository());
        missing.addAll(denied(PULL_ACTIONS, repositoryArn, explanation));
      }
      String scope = repositoryArn == null ? " (no image given: only the login was checked)"
          : " on " + repositoryArn;
      if (missing.isEmpty()) {
        add(PERMISSION_POLICY, title, Status.PASS, policiesRead()
            + " allow ecr:GetAuthorizationToken on *" + (repositoryArn == null ? "" : " and "
                + String.join(", ", PULL_ACTIONS)) + scope + ".", null);
        return;
      }
      boolean attached = attachedPoliciesExist();
      String fix = "Add to the role's permission policy: " + String.join(", ", missing)
          + (missing.contains("ecr:GetAuthorizationToken") ? " (GetAuthorizationToken on"
              + " Resource \"*\", the only resource it accepts)" : "")
          + (repositoryArn == null ? "" : "; pull actions on " + repositoryArn) + ". "
          + "PermissionPolicy.builder().repository(\"" + (registry == null ? "<account>"
              : registry.accountId()) + "\", \"" + (registry == null ? "<region>"
              : registry.region()) + "\", \"" + (image == null ? "<repository>"
              : image.repository()) + "\").build() builds it.";
      add(PERMISSION_POLICY, title, attached ? Status.WARN : Status.FAIL,
          policiesRead() + " do not allow " + String.join(", ", missing)
              + scope + "." + (attached ? " The role also has attached managed policies, which"
                  + " the doctor could not read (it needs iam:GetPolicy and"
                  + " iam:GetPolicyVersion): they may allow it." : "") + explanation, fix);
    }

    private Boolean attached;

    boolean attachedPoliciesExist() {
      if (attached == null) {
        attached = false;
        if (iam != null && b.permissionPolicies.isEmpty() && role != null) {
          try {
            attached = !iam.listAttachedRolePolicies(r -> r.roleName(role.name()))
                .attachedPolicies().isEmpty();
          } catch (AwsServiceException e) {
            LOG.debug("Cannot list attached policies of {}: {}", role.arn(), awsError(e));
          }
        }
      }
      return attached;
    }

    // ---- repository policy

    void checkRepositoryPolicy() {
      String title = "Repository policy lets the role's account pull";
      if (role == null || registry == null || image == null) {
        skip(REPOSITORY_POLICY, title, "Needs a role ARN and an image (registry and repository).");
        return;
      }
      if (role.account().equals(registry.accountId())) {
        skip(REPOSITORY_POLICY, title, "Not needed: role and registry are both in account "
            + role.account() + ", so the permission policy alone decides.");
        return;
      }
      String repositoryArn = registry.repositoryArn(image.repository());
      PolicyDocument policy = b.repositoryPolicy;
      if (policy == null) {
        if (ecr == null) {
          add(REPOSITORY_POLICY, title, Status.WARN, "Role account " + role.account()
              + " differs from registry account " + registry.accountId() + ", so the repository"
              + " policy of " + repositoryArn + " must allow the role, but no ECR client was"
              + " given to read it.", "Give the doctor an ECR client with"
              + " ecr:GetRepositoryPolicy in account " + registry.accountId() + ".");
          return;
        }
        try {
          policy = PolicyDocument.parse(ecr.getRepositoryPolicy(r -> r
              .registryId(registry.accountId()).repositoryName(image.repository())).policyText());
        } catch (RepositoryPolicyNotFoundException e) {
          add(REPOSITORY_POLICY, title, Status.FAIL, "Role account " + role.account()
              + " differs from registry account " + registry.accountId() + " and repository "
              + image.repository() + " has no repository policy: ECR refuses pulls from"
              + " another account.", repositoryPolicyFix());
          return;
        } catch (AwsServiceException e) {
          add(REPOSITORY_POLICY, title, Status.WARN, "Cannot read the repository policy of "
              + repositoryArn + ": " + awsError(e), "Give the doctor an ECR client with"
              + " ecr:GetRepositoryPolicy in account " + registry.accountId() + ".");
          return;
        } catch (PolicyException e) {
          add(REPOSITORY_POLICY, title, Status.WARN, "The repository policy of " + repositoryArn
              + " cannot be parsed: " + e.getMessage(), "Fix the repository policy.");
          return;
        }
      }
      PolicyEvaluator evaluator = PolicyEvaluator.of(policy);
      List<String> missing = new ArrayList<>();
      StringBuilder explanation = new StringBuilder();
      for (String action : PULL_ACTIONS) {
        Evaluation e = evaluator.evaluate(EvaluationRequest.builder().action(action)
            .resource(repositoryArn).principalArn(role.arn()).build());
        if (!e.isAllowed()) {
          missing.add(action);
          explanation.append('\n').append(action).append(": ").append(e.explanation().strip());
        }
      }
      if (missing.isEmpty()) {
        add(REPOSITORY_POLICY, title, Status.PASS, "The repository policy of " + repositoryArn
            + " lets " + role.arn() + " pull.", null);
      } else {
        add(REPOSITORY_POLICY, title, Status.FAIL, "The repository policy of " + repositoryArn
            + " does not let " + role.arn() + " (account " + role.account() + ") do "
            + String.join(", ", missing) + "." + explanation, repositoryPolicyFix());
      }
    }

    String repositoryPolicyFix() {
      return "Set a repository policy allowing the role: AwsSetup with registryAccountId(\""
          + registry.accountId() + "\"), or RepositoryPolicy.builder().allowRole(\"" + role.arn()
          + "\").build() with `aws ecr set-repository-policy --repository-name "
          + image.repository() + "`.";
    }

    // ---- .gitpod.yml

    List<ImageReference> gitpodImages() {
      List<ImageReference> refs = new ArrayList<>();
      if (gitpodImage.isEmpty()) {
        return refs;
      }
      GitpodYml.Image img = gitpodImage.get();
      if (img.reference().isPresent()) {
        try {
          refs.add(ImageReference.parse(img.reference().get()));
        } catch (IllegalArgumentException e) {
          LOG.debug("Unusable image in .gitpod.yml: {}", e.getMessage());
        }
        return refs;
      }
      Path dockerfile = img.dockerfile().orElseThrow();
      try {
        for (Dockerfile.From from : Dockerfile.froms(Files.readString(dockerfile))) {
          if (from.isImage()) {
            try {
              refs.add(ImageReference.parse(from.image()));
            } catch (IllegalArgumentException e) {
              LOG.debug("Unusable FROM image at line {}: {}", from.line(), e.getMessage());
            }
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        LOG.debug("Cannot read {}: {}", dockerfile, e.getMessage());
      }
      return refs;
    }

    void checkGitpodYml() {
      String title = ".gitpod.yml image comes from the registry and the role can pull it";
      if (b.gitpodYml == null) {
        skip(GITPOD_YML, title, "No .gitpod.yml given.");
        return;
      }
      if (gitpodYmlProblem != null) {
        add(GITPOD_YML, title, Status.FAIL, gitpodYmlProblem, "Fix " + b.gitpodYml + ".");
        return;
      }
      if (gitpodImage.isEmpty()) {
        add(GITPOD_YML, title, Status.WARN, b.gitpodYml + " has no image entry: workspaces use"
            + " the default image, so nothing is pulled from the private registry.",
            "Set image: <registry>/<repository>:<tag> or image: {file: .gitpod.Dockerfile}.");
        return;
      }
      GitpodYml.Image img = gitpodImage.get();
      String source;
      if (img.dockerfile().isPresent()) {
        Path dockerfile = img.dockerfile().get();
        if (!Files.isRegularFile(dockerfile)) {
          add(GITPOD_YML, title, Status.FAIL, b.gitpodYml + " names the Dockerfile " + dockerfile
              + ", which does not exist.", "Fix image.file in " + b.gitpodYml + ".");
          return;
        }
        source = "the FROM lines of " + dockerfile.getFileName();
      } else {
        source = "image: " + img.reference().get();
      }
      List<ImageReference> refs = gitpodImages();
      if (refs.isEmpty()) {
        add(GITPOD_YML, title, Status.FAIL, "No usable image reference in " + source + ".",
            "Name an image such as <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>.");
        return;
      }
      List<ImageReference> onEcr = refs.stream()
          .filter(r -> EcrRegistry.tryParse(r.host()).isPresent()).toList();
      List<ImageReference> onRegistry = registry == null ? onEcr
          : refs.stream().filter(r -> r.host().equals(registry.host())).toList();
      if (onRegistry.isEmpty()) {
        add(GITPOD_YML, title, Status.FAIL, "The images of " + source + " (" + join(refs)
            + ") do not come from " + (registry == null ? "an Amazon ECR registry"
                : "the registry " + registry.host()) + ".",
            registry == null ? "Nothing to log in for: use an ECR image, or no login is needed."
                : "Use an image from " + registry.host() + ", or run the doctor with the"
                    + " registry the image comes from (" + join(onEcr) + ").");
        return;
      }
      if (permissions == null) {
        add(GITPOD_YML, title, Status.WARN, "The image " + join(onRegistry) + " from " + source
            + " is on the registry, but the role's permission policy could not be read ("
            + permissionsUnavailable + ").", "Give the doctor an IAM client to check the pull.");
        return;
      }
      List<String> refused = new ArrayList<>();
      StringBuilder explanation = new StringBuilder();
      Set<String> repos = new LinkedHashSet<>();
      for (ImageReference r : onRegistry) {
        EcrRegistry host = EcrRegistry.tryParse(r.host()).orElseThrow();
        if (role != null && repos.add(r.repository())
            && !denied(PULL_ACTIONS, host.repositoryArn(r.repository()), explanation).isEmpty()) {
          refused.add(r.repository());
        }
      }
      if (!refused.isEmpty()) {
        String given = image != null && b.image != null ? " (the image checked was " + image
            + ")" : "";
        add(GITPOD_YML, title, Status.FAIL, "The image " + join(onRegistry) + " from " + source
            + " is in repository " + String.join(", ", refused) + ", which role "
            + (role == null ? "?" : role.arn()) + " cannot pull" + given + "." + explanation,
            "Point .gitpod.yml at a repository the role may pull, or add repository "
                + String.join(", ", refused) + " to the role's permission policy (AwsSetup"
                + " repositories(...)).");
        return;
      }
      add(GITPOD_YML, title, Status.PASS, "The image " + join(onRegistry) + " from " + source
          + " is on the registry and role " + (role == null ? "?" : role.arn())
          + " may pull it.", null);
    }

    // ---- login

    void checkLogin() {
      String title = "A real login succeeds";
      if (b.login == null) {
        skip(LOGIN, title, "No login step given.");
        return;
      }
      if (!ok()) {
        skip(LOGIN, title, "Skipped: an earlier check failed; fix it first.");
        return;
      }
      try {
        Object result = b.login.get();
        add(LOGIN, title, Status.PASS, "Logged in" + (result == null ? "." : ": " + result),
            null);
      } catch (RuntimeException e) {
        String code = e instanceof OidcEcrException
            ? ((OidcEcrException) e).awsErrorCode().map(c -> " (AWS " + c + ")").orElse("") : "";
        add(LOGIN, title, Status.FAIL, "The login failed" + code + ": " + e.getMessage(),
            "Read the reason above; run the doctor with an IAM client for a full diagnosis.");
      }
    }

    boolean ok() {
      return out.stream().noneMatch(f -> f.status() == Status.FAIL);
    }
  }

  private static String join(List<ImageReference> refs) {
    return String.join(", ", refs.stream().map(ImageReference::toString).toList());
  }

  /** Returns {@code https://host/owner/name} for a Gitpod subject (context URL), if it has one. */
  static String repositoryOf(String subject) {
    if (!subject.startsWith("https://")) {
      return null;
    }
    String[] parts = subject.substring("https://".length()).split("/");
    if (parts.length < 3) {
      return null;
    }
    return "https://" + parts[0] + "/" + parts[1] + "/" + parts[2];
  }

  private static String awsError(AwsServiceException e) {
    return (e.awsErrorDetails() == null ? "status " + e.statusCode()
        : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
  }

  private static String human(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600) {
      return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
    if (s >= 60) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return s + "s";
  }

  /** Collects the inputs of a {@link Doctor}. Not thread-safe. */
  public static final class Builder {
    private WebIdentityToken token;
    private String tokenText;
    private TokenSource tokenSource;
    private String roleArn;
    private String registry;
    private String image;
    private Path gitpodYml;
    private IamClient iam;
    private EcrClient ecr;
    private PolicyDocument trustPolicy;
    private final List<PolicyDocument> permissionPolicies = new ArrayList<>();
    private PolicyDocument repositoryPolicy;
    private Clock clock = Clock.systemUTC();
    private Supplier<?> login;
    private URI endpoint;
    private String region;
    private AwsCredentialsProvider credentialsProvider;

    Builder() {}

    /**
     * Reads IAM and ECR at this endpoint (a fake or a proxy) with clients the doctor builds and
     * closes. Setting any of {@code endpoint}, {@link #region(String)} or
     * {@link #credentialsProvider(AwsCredentialsProvider)} makes the doctor build the clients
     * not given with {@link #iamClient(IamClient)} and {@link #ecrClient(EcrClient)}; without
     * them and without clients, the doctor runs the offline checks only.
     *
     * @param endpoint the endpoint URI to send requests to instead of the public AWS one
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sets the region of the ECR client the doctor builds (default: the registry's region); see
     * {@link #endpoint(URI)}.
     *
     * @param region the AWS region, such as {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sets the credentials of the IAM and ECR clients the doctor builds (default: the SDK's
     * default chain); see {@link #endpoint(URI)}.
     *
     * @param provider the AWS credentials provider
     * @return this builder
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Checks this token; a text that is not a JWT is reported by the token check.
     *
     * @param token the OIDC token (a JWT); never logged
     * @return this builder
     */
    public Builder token(String token) {
      this.tokenText = Objects.requireNonNull(token, "token");
      this.token = null;
      this.tokenSource = null;
      return this;
    }

    /**
     * Checks this token.
     *
     * @param token the OIDC token (a JWT); never logged
     * @return this builder
     */
    public Builder token(WebIdentityToken token) {
      this.token = Objects.requireNonNull(token, "token");
      this.tokenText = null;
      this.tokenSource = null;
      return this;
    }

    /**
     * Checks the token this source gives (fetched once per run).
     *
     * @param source the token source
     * @return this builder
     */
    public Builder tokenSource(TokenSource source) {
      this.tokenSource = Objects.requireNonNull(source, "source");
      this.token = null;
      this.tokenText = null;
      return this;
    }

    /**
     * Sets the role the workspace assumes, such as {@code arn:aws:iam::123456789012:role/gitpod-ecr-pull}.
     *
     * @param roleArn the IAM role ARN
     * @return this builder
     */
    public Builder roleArn(String roleArn) {
      this.roleArn = Objects.requireNonNull(roleArn, "roleArn");
      return this;
    }

    /**
     * Sets the registry, such as {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com}.
     *
     * @param registry the ECR registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
     * @return this builder
     */
    public Builder registry(String registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Sets the registry.
     *
     * @param registry the ECR registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
     * @return this builder
     */
    public Builder registry(EcrRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry").host();
      return this;
    }

    /**
     * Sets the image to pull (its host is the registry unless {@link #registry} is given).
     *
     * @param imageReference the image to pull (its host is the registry unless {@link #registry} is given)
     * @return this builder
     */
    public Builder image(String imageReference) {
      this.image = Objects.requireNonNull(imageReference, "imageReference");
      return this;
    }

    /**
     * Also checks the image of this {@code .gitpod.yml} (and its Dockerfile).
     *
     * @param file the file
     * @return this builder
     */
    public Builder gitpodYml(Path file) {
      this.gitpodYml = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Reads providers, the role's trust policy, inline and attached policies with this client.
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder iamClient(IamClient client) {
      this.iam = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Reads repository policies with this client (for cross-account pulls).
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder ecrClient(EcrClient client) {
      this.ecr = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Uses this trust policy instead of reading it from IAM.
     *
     * @param policy the policy document
     * @return this builder
     */
    public Builder trustPolicy(PolicyDocument policy) {
      this.trustPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Adds a permission policy of the role, used instead of reading the inline policies.
     *
     * @param policy the policy document
     * @return this builder
     */
    public Builder permissionPolicy(PolicyDocument policy) {
      this.permissionPolicies.add(Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Uses this repository policy instead of reading it from ECR.
     *
     * @param policy the policy document
     * @return this builder
     */
    public Builder repositoryPolicy(PolicyDocument policy) {
      this.repositoryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the clock the token's expiry is compared with.
     *
     * @param clock the clock that supplies the current time (a fixed one in tests)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Adds a last check that really logs in (for example {@code authenticator::authenticate});
     * its result's {@code toString()} is shown, so it must not print secrets. It runs only when
     * no earlier check failed.
     *
     * @param login a last check that really logs in (for example {@code authenticator::authenticate}); its result's {@code toString()} is shown, so it must not print secrets
     * @return this builder
     */
    public Builder login(Supplier<?> login) {
      this.login = Objects.requireNonNull(login, "login");
      return this;
    }

    /**
     * Builds the doctor; every problem with the inputs is reported by {@link Doctor#run()}.
     *
     * @return the doctor; every problem with the inputs is reported by {@link Doctor#run()}
     */
    public Doctor build() {
      Builder copy = new Builder();
      copy.token = token;
      copy.tokenText = tokenText;
      copy.tokenSource = tokenSource;
      copy.roleArn = roleArn;
      copy.registry = registry;
      copy.image = image;
      copy.gitpodYml = gitpodYml;
      copy.iam = iam;
      copy.ecr = ecr;
      copy.trustPolicy = trustPolicy;
      copy.permissionPolicies.addAll(permissionPolicies);
      copy.repositoryPolicy = repositoryPolicy;
      copy.clock = clock;
      copy.login = login;
      copy.endpoint = endpoint;
      copy.region = region;
      copy.credentialsProvider = credentialsProvider;
      return new Doctor(copy);
    }
  }
}
