package dev.oidcecr.core.internal.cli;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.CredentialCache;
import dev.oidcecr.core.CredentialHelper;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfig;
import dev.oidcecr.core.DoctorReport;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.OidcEcrException;
import dev.oidcecr.core.ProcessRunner;
import dev.oidcecr.core.SetupPlan;
import dev.oidcecr.core.SetupResult;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.WebIdentityToken;
import dev.oidcecr.core.internal.AtomicFiles;
import dev.oidcecr.core.internal.AwsEnvironment;
import dev.oidcecr.core.internal.AwsNames;
import dev.oidcecr.core.internal.DoctorRunner;
import dev.oidcecr.core.internal.FastEntries;
import dev.oidcecr.core.internal.FileLocks;
import dev.oidcecr.core.internal.RegistryAliases;
import dev.oidcecr.core.internal.RoleArns;
import dev.oidcecr.core.internal.TokenSources;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The {@code oidc-ecr} command: {@code login}, {@code setup}, {@code doctor} and the Docker
 * credential helper verbs. Exit codes: 0 success, 1 failure or findings,
 * 2 usage error.
 */
public final class OidcEcrCli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final String DEFAULT_ROLE_NAME = "gitpod-ecr-pull";
  static final int MAX_POLICY_BYTES = 1 << 20;

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: oidc-ecr <command> [options]",
      "",
      "Commands:",
      "  login     Exchange the workspace's OIDC token for an ECR login and write it to the",
      "            Docker config (what `docker login` does).",
      "  setup     Plan (default) or --apply the AWS side: the IAM OIDC provider of the issuer",
      "            (--issuer gitpod, ona, github-actions, gitlab, eks, circleci, bitbucket,",
      "            buildkite), the role jobs assume, its pull policy, repository policies.",
      "  doctor    Check each link from the workspace's token to the image pull and say which",
      "            one is broken and how to fix it.",
      "  get, list, store, erase, version",
      "            The Docker credential helper protocol (as docker-credential-oidc-ecr).",
      "  help      Show this text; `oidc-ecr <command> --help` shows a command's options.",
      "",
      "Environment: OIDC_ECR_ROLE_ARN (or IDP_AWS_ROLE_ARN, AWS_ROLE_ARN), OIDC_ECR_REGISTRY,",
      "OIDC_ECR_REGISTRY_ALIASES (HOST=ECR_HOST,... for the credential helper),",
      "AWS_WEB_IDENTITY_TOKEN_FILE, OIDC_ECR_TOKEN, the token variables of GitHub Actions,",
      "GitLab CI, CircleCI, Bitbucket, Buildkite, Ona and Gitpod, DOCKER_CONFIG, AWS_ENDPOINT_URL,",
      "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_IAM; for setup and doctor",
      "also AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION.",
      "OIDC_ECR_TIMEOUT: seconds one login may take in all, connecting, reading and retrying",
      "(1-3600, default 30). Logs: warnings only, on stderr; --verbose (any command) adds",
      "the info lines. OIDC_ECR_DEBUG=1 or --debug (any command): debug logs and stack",
      "traces on stderr, never a secret; the credential helper takes OIDC_ECR_DEBUG only.",
      "",
      "Exit status:",
      "  0  success (doctor: no check failed)",
      "  1  failure: AWS refused, a file or the network failed, doctor found a failing check",
      "  2  usage: unknown command or option, missing or malformed flag or environment value",
      "     (role ARN, registry, duration, session name, OIDC_ECR_TIMEOUT)",
      "The credential helper (docker-credential-oidc-ecr) answers on stdout with 0 or 1, as",
      "the Docker credential helper protocol says.");

  private static final String LOGIN_USAGE = String.join("\n",
      "Usage: oidc-ecr login --role-arn ARN --registry HOST|IMAGE [options]",
      "",
      "Assumes the role with the workspace's OIDC token (STS AssumeRoleWithWebIdentity), gets",
      "an ECR login with the session and stores it in the Docker config.",
      "",
      "Options:",
      "  --role-arn ARN         role to assume (default: $OIDC_ECR_ROLE_ARN, $IDP_AWS_ROLE_ARN,",
      "                         $AWS_ROLE_ARN)",
      "  --registry HOST|IMAGE  ECR registry host or image reference (default:",
      "                         $OIDC_ECR_REGISTRY)",
      "  --token-file FILE      read the OIDC token from FILE",
      "  --token-env NAME       read the OIDC token from the environment variable NAME (such as",
      "                         the name of a GitLab id_tokens: entry)",
      "  --audience AUD         the audience to ask token services for (default",
      "                         sts.amazonaws.com): GitHub Actions, Buildkite, Ona, Gitpod",
      "                         Without --token-file or --token-env, the first of:",
      "                         $AWS_WEB_IDENTITY_TOKEN_FILE, $OIDC_ECR_TOKEN, GitHub Actions",
      "                         ($ACTIONS_ID_TOKEN_REQUEST_URL), GitLab CI (id_tokens: variable),",
      "                         CircleCI ($CIRCLE_OIDC_TOKEN_V2), Bitbucket",
      "                         ($BITBUCKET_STEP_OIDC_TOKEN), Buildkite (buildkite-agent), Ona",
      "                         (ona idp token), Gitpod (gp idp token)",
      "  --docker-config DIR    Docker config folder (default: $DOCKER_CONFIG or ~/.docker)",
      "  --endpoint-url URL     send STS and ECR calls to URL (default: $AWS_ENDPOINT_URL,",
      "                         $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL_ECR)",
      "  --duration SECONDS     role session duration, 900-43200 (default 3600)",
      "  --session-name NAME    STS session name (default: <workspace id>-<unix seconds>)",
      "  --registry-alias HOST=ECR_HOST",
      "                         also log in HOST (a proxy, a mirror, 127.0.0.1:PORT) with the",
      "                         ECR registry's credentials; repeat, or separate with commas",
      "  --print                print the Docker config entry instead of writing it",
      "  --use-credential-helper",
      "                         make Docker ask docker-credential-oidc-ecr for the registry",
      "                         (a credHelpers entry) instead of storing this login",
      "  --help                 show this text",
      "",
      "Where the login goes, by Docker's rules: through the credHelpers entry for the registry",
      "if the Docker config has one, else through its credsStore (docker-credential-NAME store),",
      "else into its auths. A symlinked config.json is written through the link.");

  private static final String SETUP_USAGE = String.join("\n",
      "Usage: oidc-ecr setup [--issuer ID|URL] --repository NAME ALLOW-FLAGS [options] [--apply]",
      "       oidc-ecr setup (--gitpod-domain DOMAIN | --issuer-url URL) --repository NAME",
      "                      (--allow-repository URL | --allow-organization URL",
      "                       | --trust-policy FILE) [options] [--apply]",
      "",
      "Shows what would change in AWS so that Gitpod workspaces can pull from private ECR: the",
      "IAM OIDC provider of the installation, the role workspaces assume (trust policy, maximum",
      "session duration, inline pull policy) and the repository policies. With --apply, makes",
      "the changes and prints the next steps; a second --apply changes nothing.",
      "",
      "Options:",
      "  --apply                      make the changes (default: only show the plan)",
      "  --gitpod-domain DOMAIN       the installation, such as gitpod.example.com (issuer",
      "                               https://services.DOMAIN/idp)",
      "  --issuer-url URL             the installation's issuer URL instead of the domain",
      "  --audience AUD               the provider's client id (default sts.amazonaws.com)",
      "  --role-name NAME             the role to create or update (default gitpod-ecr-pull;",
      "                               with another --issuer ID: ID-ecr-pull)",
      "  --role-path PATH             the role's path, such as /gitpod/ (default /)",
      "  --max-session-duration SEC   the role's maximum session, 3600-43200 (default 3600)",
      "  --allow-repository URL       let workspaces of this repository assume the role, such as",
      "                               https://github.com/acme/app (repeatable)",
      "  --allow-organization URL     let workspaces of every repository of an organization",
      "                               assume the role, such as https://github.com/acme (repeatable)",
      "  --trust-policy FILE          use this trust policy JSON instead of the --allow-* rules",
      "  --allow-subject PATTERN      also allow this sub value or pattern, linted by the",
      "                               issuer's grammar (repeatable; every issuer)",
      "  --issuer ID|URL              the issuer: gitpod (default), ona, github-actions, gitlab,",
      "                               eks, circleci, bitbucket, buildkite, or an issuer URL",
      "                               (its profile is detected). Narrowing flags apply to the",
      "                               rule before them. Each issuer's allow flags:",
      ProfileFlags.usage().stripTrailing(),
      "  --repository NAME            an ECR repository the role may pull, such as acme/app",
      "                               (repeatable, at least one)",
      "  --push                       also let the role push to the repositories",
      "  --gitpod-account ID          the installation's AWS account, allowed to pull by the",
      "                               repository policies (not needed in one account)",
      "  --account ID                 the account of the role (default: the caller's, from STS)",
      "  --registry-account ID        the registry's account, when it is not the role's",
      "  --region REGION              the region of the repositories (default: $AWS_REGION,",
      "                               $AWS_DEFAULT_REGION, then the profile in ~/.aws/config)",
      "  --endpoint-url URL           send IAM, ECR and STS calls to URL (default:",
      "                               $AWS_ENDPOINT_URL_IAM, _ECR, _STS, then $AWS_ENDPOINT_URL)",
      "  --allow-lint-errors          apply even when the linter finds errors in a policy",
      "  --help                       show this text",
      "",
      "Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else the",
      "AWS SDK's default chain (profiles, container and instance credentials). The caller needs",
      "the permissions of AwsSetup.requiredPermissions().",
      "Exit status: 0 planned or applied, 1 refused or failed (linter errors, AWS errors),",
      "2 usage error.");

  private static final String DOCTOR_USAGE = String.join("\n",
      "Usage: oidc-ecr doctor [--role-arn ARN] [--registry HOST|IMAGE] [options]",
      "",
      "Checks each link from the workspace's OIDC token to pulling the image and reports each",
      "as PASS, FAIL, WARN or SKIPPED with the reason and the fix: the token, the IAM OIDC",
      "provider and its audience, the role's trust policy (evaluated offline against the token)",
      "and its linter findings, the permission policy, the repository policy, the image of",
      ".gitpod.yml, and optionally a real login. With AWS credentials in the environment it",
      "reads the provider and the role's policies from IAM; without, those checks are SKIPPED.",
      "",
      "Options:",
      "  --role-arn ARN         role the workspace assumes (default: $OIDC_ECR_ROLE_ARN,",
      "                         $IDP_AWS_ROLE_ARN, $AWS_ROLE_ARN)",
      "  --registry HOST|IMAGE  ECR registry host or image reference (default:",
      "                         $OIDC_ECR_REGISTRY)",
      "  --token-file FILE      read the OIDC token from FILE",
      "  --token-env NAME       read the OIDC token from the environment variable NAME (such as",
      "                         the name of a GitLab id_tokens: entry)",
      "  --audience AUD         the audience to ask token services for (default",
      "                         sts.amazonaws.com): GitHub Actions, Buildkite, Ona, Gitpod",
      "                         Without --token-file or --token-env, the first of:",
      "                         $AWS_WEB_IDENTITY_TOKEN_FILE, $OIDC_ECR_TOKEN, GitHub Actions",
      "                         ($ACTIONS_ID_TOKEN_REQUEST_URL), GitLab CI (id_tokens: variable),",
      "                         CircleCI ($CIRCLE_OIDC_TOKEN_V2), Bitbucket",
      "                         ($BITBUCKET_STEP_OIDC_TOKEN), Buildkite (buildkite-agent), Ona",
      "                         (ona idp token), Gitpod (gp idp token)",
      "  --gitpod-yml FILE      check the image of this .gitpod.yml (default: ./.gitpod.yml when",
      "                         it exists)",
      "  --endpoint-url URL     send IAM, ECR and STS calls to URL (default: $AWS_ENDPOINT_URL_IAM,",
      "                         _ECR, _STS, then $AWS_ENDPOINT_URL)",
      "  --login                also try a real login (STS and ECR) when every check passes",
      "  --json                 print the report as JSON",
      "  --help                 show this text",
      "",
      "Credentials for reading IAM and ECR: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and",
      "AWS_SESSION_TOKEN). The token itself is never printed.",
      "Exit status: 0 no check failed, 1 a check failed, 2 usage error.");

  private final Map<String, String> env;
  private final Path home;
  private final Path workDir;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  OidcEcrCli(Map<String, String> env, Path home, Path workDir, InputStream in, PrintStream out,
      PrintStream err, Clock clock) {
    this.env = env;
    this.home = home;
    this.workDir = workDir;
    this.in = in;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    CliMain.main(args, false);
  }

  /**
   * Runs the Docker credential helper ({@code docker-credential-oidc-ecr ACTION}) with the given
   * world: every argument goes to the protocol, which answers on {@code out}.
   */
  static int runHelper(List<String> args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env, Path home) {
    return new OidcEcrCli(env, home, Path.of("").toAbsolutePath(), in, out, err,
        Clock.systemUTC()).credentialHelper(args);
  }

  /** Runs the command line with the given world and returns the exit status. */
  public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env, Path home) {
    return run(args, in, out, err, env, home, Path.of("").toAbsolutePath());
  }

  /**
   * Runs the command line with the given world, {@code workDir} standing for the current
   * directory (where {@code doctor} looks for {@code .gitpod.yml}), and returns the exit status.
   */
  public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env, Path home, Path workDir) {
    return new OidcEcrCli(env, home, workDir, in, out, err, Clock.systemUTC()).run(args);
  }

  int run(List<String> args) {
    if (args.isEmpty()) {
      err.println("oidc-ecr: no command given: run `oidc-ecr --help` for the commands (login,"
          + " setup, doctor)");
      return USAGE;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try {
      switch (command) {
        case "login":
          return login(rest);
        case "setup":
          return setup(rest);
        case "doctor":
          return doctor(rest);
        case "get":
        case "list":
        case "store":
        case "erase":
        case "version":
          return credentialHelper(args);
        case "help":
        case "--help":
        case "-h":
          out.println(USAGE_TEXT);
          return OK;
        default:
          err.println("oidc-ecr: unknown command \"" + command + "\": run `oidc-ecr --help` for"
              + " the commands (login, setup, doctor)");
          return USAGE;
      }
    } catch (Args.UsageException e) {
      err.println("oidc-ecr " + command + ": " + e.getMessage()
          + "\nRun `oidc-ecr " + command + " --help` for the options.");
      CliMain.trace(err, e);
      return USAGE;
    } catch (OidcEcrException | PolicyException | IllegalArgumentException
        | IllegalStateException e) {
      err.println("oidc-ecr " + command + ": " + e.getMessage());
      CliMain.trace(err, e);
      return FAILED;
    } catch (SdkException e) {
      CliMain.trace(err, e);
      // Mostly client-side: no credentials, no connection, no region.
      err.println("oidc-ecr " + command + ": an AWS call failed: " + e.getMessage()
          + "\nCheck the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a"
          + " profile), the region and the endpoint.");
      return FAILED;
    }
  }

  private int login(List<String> argv) {
    Args a = Args.parse(argv,
        Set.of("role-arn", "registry", "token-file", "token-env", "audience", "docker-config",
            "endpoint-url", "duration", "session-name", "registry-alias"),
        Set.of("print", "use-credential-helper", "help"));
    if (a.flag("help")) {
      out.println(LOGIN_USAGE);
      return OK;
    }
    if (!a.positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument \"" + a.positional().get(0) + "\"");
    }
    String roleArn = a.value("role-arn").orElseGet(() -> RoleArns.fromEnvironment(env)
        .map(Map.Entry::getValue)
        .orElseThrow(() -> new Args.UsageException("--role-arn is required (or set"
            + " OIDC_ECR_ROLE_ARN or IDP_AWS_ROLE_ARN)")));
    UsageChecks.roleArn(roleArn, a.value("role-arn").isPresent(), env);
    String registryText = a.value("registry").or(() -> Optional.ofNullable(
            env.get("OIDC_ECR_REGISTRY")).filter(s -> !s.isBlank()))
        .orElseThrow(() -> new Args.UsageException("--registry is required (or set"
            + " OIDC_ECR_REGISTRY), such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
    EcrRegistry registry = UsageChecks.registry(registryText, a.value("registry").isPresent());
    UsageChecks.environment(env);

    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder()
        .roleArn(roleArn)
        .registry(registry)
        .environment(env)
        .clock(clock);
    b.tokenSource(tokenSource(a, Path.of("")));
    a.value("endpoint-url").ifPresent(u -> b.endpoint(parseUrl(u)));
    a.value("session-name").ifPresent(n -> UsageChecks.option("--session-name",
        () -> b.sessionName(n)));
    a.value("duration").ifPresent(d -> UsageChecks.option("--duration", () -> b.duration(
        Duration.ofSeconds(parseSeconds("--duration", d, "900-43200")))));

    Map<String, EcrRegistry> aliases = new LinkedHashMap<>();
    for (String v : a.values("registry-alias")) {
      try {
        aliases.putAll(RegistryAliases.parse(v, "--registry-alias"));
      } catch (IllegalArgumentException e) {
        throw new Args.UsageException(e.getMessage());
      }
    }
    aliases.forEach((host, target) -> b.registryAlias(host, target.host()));
    DockerAuth auth;
    List<DockerAuth> aliased = new ArrayList<>();
    try (OidcEcrAuthenticator authenticator = b.build()) {
      auth = authenticator.authenticate();
      for (String host : aliases.keySet()) {
        aliased.add(authenticator.authenticateHost(host).orElseThrow());
      }
    }
    if (a.flag("print")) {
      out.println(auth.toDockerConfigJson());
      return OK;
    }
    DockerConfig config = a.value("docker-config")
        .map(dir -> DockerConfig.at(Path.of(dir).resolve("config.json")))
        .orElseGet(() -> DockerConfig.fromEnvironment(env, home));
    boolean roleFromEnvironment = RoleArns.fromEnvironment(env).map(Map.Entry::getValue)
        .filter(roleArn::equals).isPresent();
    DockerLogin.Outcome done = new DockerLogin(config, env)
        .store(auth, a.flag("use-credential-helper"), roleFromEnvironment);
    done.warning().ifPresent(w -> err.println("oidc-ecr login: warning: " + w));
    out.println(done.said());
    // Aliases get the same credentials as plain auths entries: a credential helper would be
    // asked for the alias host, which it answers only with OIDC_ECR_REGISTRY_ALIASES set.
    for (DockerAuth alias : aliased) {
      boolean c = config.store(alias);
      out.println("Login Succeeded: " + alias.registryHost() + " (alias of "
          + auth.registryHost() + ")" + (c ? " (written to " : " (already in ") + config.path()
          + ")");
    }
    return OK;
  }

  private static final Set<String> SETUP_VALUED = Set.of("issuer", "gitpod-domain",
      "issuer-url", "audience", "role-name", "role-path", "max-session-duration",
      "allow-repository", "allow-organization", "allow-subject", "trust-policy", "repository",
      "gitpod-account", "account", "registry-account", "region", "endpoint-url");
  private static final Set<String> SETUP_FLAGS =
      Set.of("apply", "push", "allow-lint-errors", "help");

  private int setup(List<String> argv) {
    Set<String> valued = new java.util.HashSet<>(SETUP_VALUED);
    valued.addAll(ProfileFlags.valued());
    Set<String> flags = new java.util.HashSet<>(SETUP_FLAGS);
    flags.addAll(ProfileFlags.flags());
    Args a = Args.parse(argv, valued, flags);
    if (a.flag("help")) {
      out.println(SETUP_USAGE);
      return OK;
    }
    noPositional(a);
    IssuerProfile profile = a.value("issuer").map(ProfileFlags::profile)
        .or(() -> a.value("issuer-url").map(ProfileFlags::profile))
        .orElseGet(() -> IssuerProfile.byId("gitpod").orElseThrow());
    Optional<ProfileFlags.Shape> shape = ProfileFlags.of(profile.id());
    if (shape.isPresent()) {
      return setupProfile(a, shape.get());
    }
    return setupGitpod(a);
  }

  /** The setup of an issuer with a typed builder: its allow flags, in order, make the rules. */
  private int setupProfile(Args a, ProfileFlags.Shape shape) {
    if (a.value("gitpod-domain").isPresent()) {
      throw new Args.UsageException("--gitpod-domain is for --issuer gitpod; --issuer "
          + shape.profileId() + " takes " + ProfileFlags.names(shape));
    }
    if (a.value("trust-policy").isPresent()) {
      throw new Args.UsageException("--trust-policy cannot be combined with --issuer "
          + shape.profileId() + ": put every rule in the file and leave out --issuer");
    }
    if (a.value("audience").isEmpty() && (shape.profileId().equals("gitlab")
        || shape.profileId().equals("bitbucket"))) {
      throw new Args.UsageException("--audience is required for --issuer " + shape.profileId()
          + (shape.profileId().equals("gitlab")
              ? ": GitLab has no default audience; give the aud your .gitlab-ci.yml id_tokens:"
                  + " sets, such as --audience sts.amazonaws.com"
              : ": the Audience of the repository's OpenID Connect settings, such as"
                  + " --audience ari:cloud:bitbucket::workspace/<workspace uuid>"));
    }
    Set<String> known = new java.util.HashSet<>(SETUP_VALUED);
    known.addAll(SETUP_FLAGS);
    known.removeAll(Set.of("allow-repository", "allow-organization", "allow-subject",
        "gitpod-domain", "gitpod-account"));
    known.add("issuer");
    java.util.List<Map.Entry<String, String>> options = new ArrayList<>();
    for (Map.Entry<String, String> o : a.sequence()) {
      if (o.getKey().equals("issuer") && o.getValue().contains("://")
          && a.value("issuer-url").isEmpty()) {
        options.add(Map.entry("issuer-url", o.getValue()));
      } else {
        options.add(o);
      }
    }
    AwsSetup.Builder b = commonSetup(a, shape.profileId() + "-ecr-pull");
    b.trust(ProfileFlags.builder(shape, options, known));
    options.stream().filter(o -> o.getKey().equals("issuer-url")).reduce((x, y) -> y)
        .ifPresent(o -> b.issuerUrl(o.getValue()));
    return runSetup(a, b);
  }

  private AwsSetup.Builder commonSetup(Args a, String defaultRoleName) {
    if (a.values("repository").isEmpty()) {
      throw new Args.UsageException("--repository NAME is required (repeatable): the ECR"
          + " repositories the role may pull, such as acme/app");
    }
    String region = a.value("region").or(() -> AwsEnvironment.region(env, home))
        .orElseThrow(() -> new Args.UsageException("--region is required (or set AWS_REGION):"
            + " the region of the ECR repositories, such as eu-west-1"));
    AwsSetup.Builder b = AwsSetup.builder()
        .region(region)
        .roleName(a.value("role-name").orElse(defaultRoleName))
        .allowPush(a.flag("push"))
        .allowLintErrors(a.flag("allow-lint-errors"));
    a.value("audience").ifPresent(b::audience);
    a.value("role-path").ifPresent(b::path);
    a.value("max-session-duration").ifPresent(s -> b.maxSessionDuration(
        Duration.ofSeconds(parseSeconds("--max-session-duration", s, "3600-43200"))));
    b.repositories(a.values("repository").toArray(String[]::new));
    a.value("account").ifPresent(b::accountId);
    a.value("registry-account").ifPresent(b::registryAccountId);
    return b;
  }

  private int setupGitpod(Args a) {
    Optional<String> issuerUrl = a.value("issuer-url")
        .or(() -> a.value("issuer").filter(i -> i.contains("://")));
    for (Map.Entry<String, String> o : a.sequence()) {
      if (!SETUP_VALUED.contains(o.getKey()) && !SETUP_FLAGS.contains(o.getKey())) {
        throw new Args.UsageException("--" + o.getKey() + " is not an option of --issuer"
            + " gitpod: it takes --gitpod-domain DOMAIN or --issuer-url URL, then"
            + " --allow-repository URL, --allow-organization URL or --allow-subject PATTERN"
            + " (other issuers: --issuer " + String.join("|", ProfileFlags.ids()) + ")");
      }
    }
    if (a.value("gitpod-domain").isPresent() == issuerUrl.isPresent()) {
      throw new Args.UsageException("give one of --gitpod-domain DOMAIN (such as"
          + " gitpod.example.com) or --issuer-url URL");
    }
    boolean allowRules = !a.values("allow-repository").isEmpty()
        || !a.values("allow-organization").isEmpty() || !a.values("allow-subject").isEmpty();
    if (allowRules == a.value("trust-policy").isPresent()) {
      throw new Args.UsageException(allowRules
          ? "--trust-policy cannot be combined with --allow-repository or --allow-organization:"
              + " put every rule in the file, or use only the --allow-* options"
          : "say who may assume the role: --allow-repository URL (such as"
              + " https://github.com/acme/app), --allow-organization URL or --trust-policy FILE");
    }
    AwsSetup.Builder b = commonSetup(a, DEFAULT_ROLE_NAME);
    a.value("gitpod-domain").ifPresent(b::gitpodDomain);
    issuerUrl.ifPresent(b::issuerUrl);
    a.values("allow-repository").forEach(b::allowRepository);
    a.values("allow-organization").forEach(b::allowOrganization);
    a.values("allow-subject").forEach(b::allowSubject);
    a.value("trust-policy").ifPresent(f -> b.trustPolicy(readPolicy(f)));
    a.value("gitpod-account").ifPresent(b::gitpodAccountId);
    return runSetup(a, b);
  }

  private int runSetup(Args a, AwsSetup.Builder b) {
    String region = a.value("region").or(() -> AwsEnvironment.region(env, home)).orElseThrow();
    Optional<URI> endpoint = a.value("endpoint-url").map(OidcEcrCli::parseUrl);
    try (AwsEnvironment.Clients clients = new AwsEnvironment.Clients(env, endpoint,
        AwsEnvironment.credentialsOrDefaultChain(env))) {
      AwsSetup setup = b
          .iamClient(clients.iam(AwsNames.partitionOfRegion(region)))
          .ecrClient(clients.ecr(region))
          .stsClient(clients.sts(region))
          .build();
      if (a.flag("apply")) {
        SetupResult result = setup.apply();
        out.print(result.render());
        return OK;
      }
      SetupPlan plan = setup.plan();
      out.print(plan.render());
      List<Finding> errors = plan.findings().stream()
          .filter(f -> f.severity() == Finding.Severity.ERROR).toList();
      if (!errors.isEmpty() && !a.flag("allow-lint-errors")) {
        err.println("oidc-ecr setup: --apply would refuse this setup: the linter found "
            + errors.size() + " error" + (errors.size() == 1 ? "" : "s") + " ("
            + String.join(", ", errors.stream().map(Finding::id).toList()) + "). Fix the"
            + " policy, or add --allow-lint-errors to apply it anyway.");
        return FAILED;
      }
      out.println(plan.isEmpty() ? "Nothing to apply."
          : "Run the same command with --apply to make these changes.");
      return OK;
    }
  }

  private PolicyDocument readPolicy(String file) {
    Path path = workDir.resolve(file);
    String text;
    try (InputStream policy = Files.newInputStream(path)) {
      // IAM's largest policy is 10,240 characters: 1 MiB is room for any formatting.
      byte[] bytes = policy.readNBytes(MAX_POLICY_BYTES + 1);
      if (bytes.length > MAX_POLICY_BYTES) {
        throw new IllegalArgumentException("--trust-policy " + path + " holds more than 1 MiB,"
            + " the most read from a policy file (IAM allows policies of a few KiB): check the"
            + " path");
      }
      text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read --trust-policy " + path + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "): give a readable JSON"
          + " file", e);
    }
    try {
      return PolicyDocument.parse(text);
    } catch (PolicyException e) {
      throw new IllegalArgumentException("--trust-policy " + path + " is not an IAM policy: "
          + e.getMessage(), e);
    }
  }

  private int doctor(List<String> argv) {
    Args a = Args.parse(argv,
        Set.of("role-arn", "registry", "token-file", "token-env", "audience", "gitpod-yml",
            "endpoint-url"),
        Set.of("login", "json", "help"));
    if (a.flag("help")) {
      out.println(DOCTOR_USAGE);
      return OK;
    }
    noPositional(a);
    Optional<String> roleArn = a.value("role-arn")
        .or(() -> RoleArns.fromEnvironment(env).map(Map.Entry::getValue));
    roleArn.ifPresent(r -> UsageChecks.roleArn(r, a.value("role-arn").isPresent(), env));
    // OIDC_ECR_REGISTRY may list several registries for the credential helper: check the first.
    Optional<String> registry = a.value("registry").or(() -> Arrays.stream(
        env.getOrDefault("OIDC_ECR_REGISTRY", "").split("[,\\s]+"))
        .filter(s -> !s.isBlank()).findFirst());
    registry.ifPresent(r -> UsageChecks.registry(r, a.value("registry").isPresent()));
    UsageChecks.environment(env);
    Optional<Path> gitpodYml = a.value("gitpod-yml").map(workDir::resolve)
        .or(() -> DoctorRunner.gitpodYmlIn(workDir));
    DoctorRunner.Inputs inputs = new DoctorRunner.Inputs(roleArn, registry,
        Optional.of(tokenSource(a, workDir)), gitpodYml,
        a.value("endpoint-url").map(OidcEcrCli::parseUrl), a.flag("login"));
    DoctorReport report = DoctorRunner.run(inputs, env, clock);
    if (a.flag("json")) {
      out.println(report.toJson());
    } else {
      out.print(report.render());
      if (AwsEnvironment.credentials(env).isEmpty()) {
        out.println("(No AWS credentials in the environment: the checks that read IAM and ECR"
            + " were skipped. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of an account"
            + " that may read the role to run them.)");
      }
    }
    return report.ok() ? OK : FAILED;
  }

  /**
   * The token sources of {@code --token-file}, {@code --token-env} and {@code --audience}: the
   * named file, then the named variable (both errors when missing, since the user named them),
   * then the default chain asking for the audience.
   */
  private TokenSource tokenSource(Args a, Path base) {
    String audience = a.value("audience").map(String::strip).orElse(TokenSource.DEFAULT_AUDIENCE);
    if (audience.isEmpty() || !audience.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
      throw new Args.UsageException("--audience \"" + audience + "\" must be printable ASCII"
          + " without spaces, such as sts.amazonaws.com");
    }
    List<TokenSource> sources = new ArrayList<>();
    a.value("token-file").ifPresent(f -> sources.add(TokenSource.fromFile(base.resolve(f))));
    a.value("token-env").ifPresent(n -> {
      if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new Args.UsageException("--token-env \"" + n + "\" is not a variable name: give"
            + " the name of the variable holding the token, such as GITLAB_OIDC_TOKEN");
      }
      sources.add(TokenSources.requiredEnvironment(n, env));
    });
    sources.add(TokenSource.defaultChain(env, audience, ProcessRunner.system(env)));
    return sources.size() == 1 ? sources.get(0)
        : TokenSource.named("token source", TokenSource.firstOf(sources));
  }

  private static void noPositional(Args a) {
    if (!a.positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument \"" + a.positional().get(0) + "\"");
    }
  }

  private int credentialHelper(List<String> args) {
    Optional<String> roleArn = RoleArns.fromEnvironment(env).map(Map.Entry::getValue);
    CredentialCache cache = CredentialCache.fromEnvironment(env, home, clock);
    Function<EcrRegistry, Optional<DockerAuth>> source = registry -> {
      String role = roleArn.orElseThrow(() -> new OidcEcrException("No role to assume for "
          + registry.host() + ": set OIDC_ECR_ROLE_ARN (or IDP_AWS_ROLE_ARN) to the role whose"
          + " trust policy allows this workspace"));
      try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
          .roleArn(role)
          .registry(registry)
          .environment(env)
          .clock(clock)
          .build()) {
        // The disk entry is served only to the caller of the current token (see CredentialCache).
        return Optional.of(cache.authenticate(authenticator, registry));
      }
    };
    CredentialHelper.Builder hb = CredentialHelper.builder()
        .credentials(roleArn.map(r -> singleFlight(cache, r, source)).orElse(source))
        .knownRegistries(() -> knownRegistries());
    String aliasList = env.getOrDefault("OIDC_ECR_REGISTRY_ALIASES", "");
    if (!aliasList.isBlank()) {
      try {
        RegistryAliases.parse(aliasList, "OIDC_ECR_REGISTRY_ALIASES").forEach(hb::registryAlias);
      } catch (IllegalArgumentException e) {
        return answerError(e.getMessage());
      }
    }
    CredentialHelper helper = hb.build();
    if (!args.equals(List.of("get")) || roleArn.isEmpty()) {
      return helper.run(args, in, out);
    }
    // `get`: keep the answer for the launcher's shell fast path (FastEntries), bound to the exact
    // token the shell will read, which must be the same before and after the JVM answered.
    Optional<String> tokenBefore = FastEntries.shellToken(env);
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    int status = helper.run(args, new TeeInputStream(in, input), new TeeOutputStream(out, answer));
    if (status == OK && tokenBefore.isPresent()) {
      keepForShell(cache, roleArn.get(), input.toString(StandardCharsets.UTF_8).strip(),
          answer.toString(StandardCharsets.UTF_8), tokenBefore.get());
    }
    return status;
  }

  /**
   * Lets one process at a time ask {@code source} (the bound disk cache, then AWS) for {@code
   * roleArn} and a registry: the others wait (at most a minute) on a lock file in the cache folder
   * and then find the fetched credentials in the cache. Ten Docker pulls starting at once make one
   * STS and one ECR call, not ten.
   */
  private static Function<EcrRegistry, Optional<DockerAuth>> singleFlight(CredentialCache cache,
      String roleArn, Function<EcrRegistry, Optional<DockerAuth>> cached) {
    return registry -> {
      Path lock = cache.directory().resolve("fetch-" + FastEntries.sha256Hex(
          (registry.host() + "\n" + roleArn).getBytes(StandardCharsets.UTF_8)).substring(0, 40)
          + ".lock");
      try {
        AtomicFiles.createPrivateDirectories(cache.directory());
        return FileLocks.withLock(lock, Duration.ofMinutes(1), () -> cached.apply(registry));
      } catch (IOException | java.util.concurrent.TimeoutException e) {
        // No lock (a read-only cache, a stuck holder): fetch anyway rather than fail the pull.
        return cached.apply(registry);
      }
    };
  }

  private void keepForShell(CredentialCache cache, String roleArn, String server, String answer,
      String tokenBefore) {
    try {
      Optional<String> tokenAfter = FastEntries.shellToken(env);
      if (!tokenAfter.equals(Optional.of(tokenBefore))
          || !FastEntries.shellRole(env).equals(roleArn) || !answer.endsWith("\n")) {
        return;
      }
      Optional<String> key = FastEntries.key(env, server, tokenBefore);
      if (key.isEmpty()) {
        return;
      }
      EcrRegistry registry = EcrRegistry.parse(server);
      Optional<Instant> until = cache.servedUntil(registry.host(), roleArn,
          FastEntries.sha256Hex(tokenBefore.getBytes(StandardCharsets.UTF_8)));
      Instant tokenExpires = WebIdentityToken.parse(tokenBefore).expiresAt();
      if (until.isEmpty()) {
        return;
      }
      Instant end = until.get().isBefore(tokenExpires) ? until.get() : tokenExpires;
      FastEntries.write(cache.directory(), key.get(), answer.substring(0, answer.length() - 1),
          clock.instant(), end);
    } catch (IOException | RuntimeException e) {
      // The fast path is an optimisation: the answer has been given already.
      // Looked up here, not in a static field: this class is the launcher's main class, and SLF4J
      // must not start before CliMain has configured it.
      LoggerFactory.getLogger(OidcEcrCli.class)
          .debug("No fast-path cache entry written ({})", e.getClass().getSimpleName());
    }
  }

  /** Copies what is read from {@code in} into {@code copy} (bounded by the helper's 64 KiB). */
  private static final class TeeInputStream extends java.io.FilterInputStream {
    private final ByteArrayOutputStream copy;

    TeeInputStream(InputStream in, ByteArrayOutputStream copy) {
      super(in);
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && copy.size() <= 65536) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0 && copy.size() <= 65536) {
        copy.write(buf, off, n);
      }
      return n;
    }
  }

  /** Writes to {@code out} and keeps a copy of what was written. */
  private static final class TeeOutputStream extends java.io.FilterOutputStream {
    private final ByteArrayOutputStream copy;

    TeeOutputStream(OutputStream out, ByteArrayOutputStream copy) {
      super(out);
      this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      copy.write(b);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      out.write(buf, off, len);
      copy.write(buf, off, len);
    }
  }

  // The credential helper protocol wants errors on standard output, with exit code 1.
  private int answerError(String message) {
    out.println(message);
    return FAILED;
  }

  private List<EcrRegistry> knownRegistries() {
    List<EcrRegistry> known = new ArrayList<>();
    String list = env.getOrDefault("OIDC_ECR_REGISTRY", "");
    for (String s : list.split("[,\\s]+")) {
      if (!s.isBlank()) {
        EcrRegistry.tryParse(s).ifPresent(known::add);
      }
    }
    return known;
  }

  private static URI parseUrl(String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--endpoint-url \"" + url + "\" is not a URL such as"
          + " http://localhost:4566");
    }
  }

  private static long parseSeconds(String option, String s, String range) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new Args.UsageException(option + " takes whole seconds (" + range + "), not \""
          + s + "\"");
    }
  }
}
