package dev.oidcecr.core;

import dev.oidcecr.core.internal.DoctorRunner;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.Principal;
import dev.oidcecr.policies.RepositoryPolicy;
import dev.oidcecr.policies.Statement;
import dev.oidcecr.policies.TrustPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Short static entry points for scripting oidc-ecr from JShell: log in, build and lint policies,
 * explain a refused token, set AWS up and run the doctor.
 *
 * <pre>{@code
 * jshell> import static dev.oidcecr.core.OidcEcr.*
 * jshell> login("arn:aws:iam::123456789012:role/gitpod-ecr-pull",
 *    ...>       "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest")
 * $1 ==> DockerAuth{registryHost=123456789012.dkr.ecr.eu-west-1.amazonaws.com, ...}
 * }</pre>
 *
 * <p>Nothing here throws a checked exception; every value prints readably, with secrets
 * redacted. The environment (token sources, {@code DOCKER_CONFIG}, {@code AWS_ENDPOINT_URL}) is
 * the process's own.
 */
public final class OidcEcr {
  /** Set by {@link #useDockerConfig(Path)}; {@code null} for the environment's. */
  private static volatile Path dockerConfigFolder;

  private OidcEcr() {}

  /**
   * Logs Docker in to the registry of {@code registryOrImage} with the role, reading the token
   * from the default source ({@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code OIDC_ECR_TOKEN}, then
   * {@code gp idp token}), and writes the login to the Docker config (see
   * {@link #useDockerConfig(Path)}).
   *
   * @param roleArn the IAM role ARN
   * @param registryOrImage an ECR registry host, URL or image reference
   * @return the Docker credentials
   */
  public static DockerAuth login(String roleArn, String registryOrImage) {
    return login(b -> b.roleArn(roleArn).registry(registryOrImage));
  }

  /**
   * Logs Docker in with an authenticator configured by {@code configure} (defaults: the
   * process's environment) and writes the login to the Docker config of the environment
   * ({@code $DOCKER_CONFIG} or {@code ~/.docker}), or to the one {@link #useDockerConfig(Path)}
   * chose.
   *
   * @param configure customises the builder before it is built
   * @return the Docker credentials
   */
  public static DockerAuth login(Consumer<OidcEcrAuthenticator.Builder> configure) {
    Path folder = dockerConfigFolder;
    if (folder != null) {
      return login(configure, dockerConfig(folder));
    }
    Map<String, String> env = System.getenv();
    return login(configure, DockerConfig.fromEnvironment(env,
        Path.of(System.getProperty("user.home"))));
  }

  /**
   * Makes {@link #login(String, String)} and {@link #login(Consumer)} write to the Docker config
   * in {@code folder} instead of {@code $DOCKER_CONFIG} or {@code ~/.docker}, for the rest of
   * this JVM (the JShell {@code --fake} startup points them at a temporary folder, so that fake
   * logins never reach the user's Docker config). Returns the folder.
   *
   * @param folder the folder holding {@code config.json}
   * @return the folder, made absolute
   */
  public static Path useDockerConfig(Path folder) {
    dockerConfigFolder = folder.toAbsolutePath();
    return dockerConfigFolder;
  }

  /**
   * Logs Docker in as {@link #login(Consumer)} and writes to the given Docker config.
   *
   * @param configure customises the builder before it is built
   * @param config the Docker config to write to
   * @return the Docker credentials
   */
  public static DockerAuth login(Consumer<OidcEcrAuthenticator.Builder> configure,
      DockerConfig config) {
    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder();
    configure.accept(b);
    try (OidcEcrAuthenticator authenticator = b.build()) {
      DockerAuth auth = authenticator.authenticate();
      config.store(auth);
      return auth;
    }
  }

  /**
   * Diagnoses why a login to {@code registryOrImage} with the role would be refused, link by
   * link. The token comes from the default source ({@code AWS_WEB_IDENTITY_TOKEN_FILE},
   * {@code OIDC_ECR_TOKEN}, then {@code gp idp token}); {@code .gitpod.yml} in the current
   * directory is checked when it exists; the provider and the role's policies are read from IAM
   * when the process environment holds {@code AWS_ACCESS_KEY_ID} and
   * {@code AWS_SECRET_ACCESS_KEY} (else those checks are skipped). The report prints readably.
   *
   * @param roleArn the IAM role ARN
   * @param registryOrImage an ECR registry host, URL or image reference
   * @return the report, one finding per check
   */
  public static DoctorReport doctor(String roleArn, String registryOrImage) {
    return doctor(roleArn, registryOrImage, System.getenv(), Path.of("").toAbsolutePath());
  }

  static DoctorReport doctor(String roleArn, String registryOrImage, Map<String, String> env,
      Path workDir) {
    return DoctorRunner.run(new DoctorRunner.Inputs(Optional.of(roleArn),
        Optional.of(registryOrImage), Optional.empty(), DoctorRunner.gitpodYmlIn(workDir),
        Optional.empty(), false), env, Clock.systemUTC());
  }

  /**
   * Runs a doctor configured by {@code configure} (token, role, image, clients, policies...);
   * the token source defaults to the process's default chain.
   *
   * @param configure customises the builder before it is built
   * @return the report, one finding per check
   */
  public static DoctorReport doctor(Consumer<Doctor.Builder> configure) {
    Doctor.Builder b = Doctor.builder().tokenSource(TokenSource.defaultChain(System.getenv()));
    configure.accept(b);
    try (Doctor doctor = b.build()) {
      return doctor.run();
    }
  }

  /**
   * Returns the AWS setup configured by {@code configure}; call {@code plan()} to see the
   * changes and {@code apply()} to make them. Without SDK clients, it builds its own with the
   * SDK's default credentials; {@code close()} it when done (or leave that to the end of the
   * JShell session).
   *
   * @param configure customises the builder before it is built
   * @return the AWS setup configured by {@code configure}; call {@code plan()} to see the changes and {@code apply()} to make them
   */
  public static AwsSetup setup(Consumer<AwsSetup.Builder> configure) {
    AwsSetup.Builder b = AwsSetup.builder();
    configure.accept(b);
    return b.build();
  }

  /**
   * Returns a builder for the docker config at a folder, as {@code DOCKER_CONFIG} names it.
   *
   * @param folder the folder holding {@code config.json}
   * @return a builder for the docker config at a folder, as {@code DOCKER_CONFIG} names it
   */
  public static DockerConfig dockerConfig(Path folder) {
    return DockerConfig.at(folder.resolve("config.json"));
  }

  /**
   * Returns a new authenticator builder.
   *
   * @return a new authenticator builder
   */
  public static OidcEcrAuthenticator.Builder authenticator() {
    return OidcEcrAuthenticator.builder();
  }

  /**
   * Returns a trust policy builder for an OIDC provider (Gitpod first).
   *
   * @return a trust policy builder for an OIDC provider (Gitpod first)
   */
  public static TrustPolicy.Builder trustPolicy() {
    return TrustPolicy.builder();
  }

  /**
   * Returns a permission policy builder for pulling (and pushing) ECR repositories.
   *
   * @return a permission policy builder for pulling (and pushing) ECR repositories
   */
  public static PermissionPolicy.Builder permissionPolicy() {
    return PermissionPolicy.builder();
  }

  /**
   * Returns a repository policy builder granting pull to accounts, roles or organizations.
   *
   * @return a repository policy builder granting pull to accounts, roles or organizations
   */
  public static RepositoryPolicy.Builder repositoryPolicy() {
    return RepositoryPolicy.builder();
  }

  /**
   * Parses a policy document (also URL-encoded, as IAM returns it).
   *
   * @param json the JSON text
   * @return the parsed policy
   */
  public static PolicyDocument policy(String json) {
    return PolicyDocument.parse(json);
  }

  /**
   * Decodes a web identity token without verifying it; its {@code toString} hides the token.
   *
   * @param jwt the compact JWT; never logged
   * @return the decoded token, whose {@code toString} hides the token
   */
  public static WebIdentityToken token(String jwt) {
    return WebIdentityToken.parse(jwt);
  }

  /**
   * Parses an ECR registry host, URL or image reference.
   *
   * @param registryOrImage an ECR registry host, URL or image reference
   * @return the parsed ECR
   */
  public static EcrRegistry registry(String registryOrImage) {
    return EcrRegistry.parse(registryOrImage);
  }

  /**
   * Lints a policy as the given kind.
   *
   * @param policy the policy document
   * @param kind where the document is attached (trust, permission or repository policy),
   *     which decides the rules that apply
   * @return the findings, empty when nothing is wrong
   */
  public static List<Finding> lint(PolicyDocument policy, PolicyKind kind) {
    return PolicyLinter.create().lint(policy, kind);
  }

  /**
   * Lints a policy, guessing its kind: a federated or service principal (or an {@code sts:}
   * action) means a trust policy, another principal a repository policy, no principal an
   * identity policy.
   *
   * @param policy the policy document
   * @return the findings, empty when nothing is wrong
   */
  public static List<Finding> lint(PolicyDocument policy) {
    return lint(policy, kindOf(policy));
  }

  /**
   * Lints policy JSON, guessing its kind; unreadable JSON is one error finding.
   *
   * @param json the JSON text
   * @return the findings, empty when nothing is wrong
   */
  public static List<Finding> lint(String json) {
    try {
      return lint(PolicyDocument.parse(json));
    } catch (RuntimeException e) {
      return PolicyLinter.create().lint(json, PolicyKind.TRUST);
    }
  }

  static PolicyKind kindOf(PolicyDocument policy) {
    boolean principal = false;
    boolean trust = false;
    for (Statement s : policy.statements()) {
      Principal p = s.principal().or(s::notPrincipal).orElse(null);
      if (p != null) {
        principal = true;
        trust |= !p.federated().isEmpty() || !p.service().isEmpty()
            || s.actions().stream().anyMatch(a -> a.toLowerCase().startsWith("sts:"));
      }
    }
    if (trust) {
      return PolicyKind.TRUST;
    }
    return principal ? PolicyKind.REPOSITORY : PolicyKind.IDENTITY;
  }

  /**
   * Explains whether a trust policy lets this token assume the role, as STS would decide: the
   * provider is the policy's federated principal for the token's issuer.
   *
   * @param trustPolicy the role's trust policy
   * @param token the OIDC token (a JWT); never logged
   * @return the decision, with every statement's and condition's result
   */
  public static Evaluation explain(PolicyDocument trustPolicy, String token) {
    WebIdentityToken t = WebIdentityToken.parse(token);
    String issuer = t.issuer().orElseThrow(() -> new InvalidTokenException(
        "The token has no iss claim, so no OIDC provider can accept it: use a token from"
            + " `gp idp token --audience sts.amazonaws.com`"));
    String hostPath = issuer.replaceFirst("^https://", "").replaceAll("/+$", "");
    String provider = trustPolicy.statements().stream()
        .flatMap(s -> s.principal().stream())
        .flatMap(p -> p.federated().stream())
        .filter(f -> f.endsWith(":oidc-provider/" + hostPath))
        .findFirst()
        .orElseGet(() -> trustPolicy.statements().stream()
            .flatMap(s -> s.principal().stream())
            .flatMap(p -> p.federated().stream())
            .filter(f -> f.contains(":oidc-provider/"))
            .findFirst()
            .map(f -> f.substring(0, f.indexOf(":oidc-provider/") + ":oidc-provider/".length())
                + hostPath)
            .orElse("arn:aws:iam::000000000000:oidc-provider/" + hostPath));
    return PolicyEvaluator.of(trustPolicy)
        .evaluate(EvaluationRequest.webIdentity(provider, t.claims()));
  }

  /**
   * Explains a trust policy given as JSON against a token.
   *
   * @param trustPolicyJson the trust policy as JSON
   * @param token the OIDC token (a JWT); never logged
   * @return the decision, with every statement's and condition's result
   */
  public static Evaluation explain(String trustPolicyJson, String token) {
    return explain(PolicyDocument.parse(trustPolicyJson), token);
  }
}
