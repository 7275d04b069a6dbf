package dev.oidcecr.core.internal.cli;

import dev.oidcecr.core.CredentialCache;
import dev.oidcecr.core.CredentialHelper;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfig;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.OidcEcrException;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.internal.RoleArns;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code oidc-ecr} command: {@code login}, the Docker credential helper verbs, and (from the
 * setup module) {@code setup} and {@code doctor}. Exit codes: 0 success, 1 failure or findings,
 * 2 usage error.
 */
public final class OidcEcrCli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT = String.join("\n",
      "Usage: oidc-ecr <command> [options]",
      "",
      "Commands:",
      "  login     Exchange the workspace's OIDC token for an ECR login and write it to the",
      "            Docker config (what `docker login` does).",
      "  get, list, store, erase, version",
      "            The Docker credential helper protocol (as docker-credential-oidc-ecr).",
      "  help      Show this text; `oidc-ecr <command> --help` shows a command's options.",
      "",
      "Environment: OIDC_ECR_ROLE_ARN (or IDP_AWS_ROLE_ARN, AWS_ROLE_ARN), OIDC_ECR_REGISTRY,",
      "AWS_WEB_IDENTITY_TOKEN_FILE, OIDC_ECR_TOKEN, DOCKER_CONFIG, AWS_ENDPOINT_URL,",
      "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_ECR.",
      "Exit status: 0 success, 1 failure, 2 usage error.");

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
      "  --token-file FILE      read the OIDC token from FILE (default: $AWS_WEB_IDENTITY_TOKEN_FILE,",
      "                         $OIDC_ECR_TOKEN, then `gp idp token --audience sts.amazonaws.com`)",
      "  --docker-config DIR    Docker config folder (default: $DOCKER_CONFIG or ~/.docker)",
      "  --endpoint-url URL     send STS and ECR calls to URL (default: $AWS_ENDPOINT_URL,",
      "                         $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL_ECR)",
      "  --duration SECONDS     role session duration, 900-43200 (default 3600)",
      "  --session-name NAME    STS session name (default: <workspace id>-<unix seconds>)",
      "  --print                print the Docker config entry instead of writing it",
      "  --help                 show this text");

  private final Map<String, String> env;
  private final Path home;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  OidcEcrCli(Map<String, String> env, Path home, InputStream in, PrintStream out,
      PrintStream err, Clock clock) {
    this.env = env;
    this.home = home;
    this.in = in;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    int status = run(Arrays.asList(args), System.in, System.out, System.err, System.getenv(),
        Path.of(System.getProperty("user.home")));
    System.out.flush();
    System.exit(status);
  }

  /** Runs the command line with the given world and returns the exit status. */
  public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env, Path home) {
    return new OidcEcrCli(env, home, in, out, err, Clock.systemUTC()).run(args);
  }

  int run(List<String> args) {
    if (args.isEmpty()) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try {
      switch (command) {
        case "login":
          return login(rest);
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
          err.println("oidc-ecr: unknown command \"" + command + "\"\n\n" + USAGE_TEXT);
          return USAGE;
      }
    } catch (Args.UsageException e) {
      err.println("oidc-ecr " + command + ": " + e.getMessage()
          + "\nRun `oidc-ecr " + command + " --help` for the options.");
      return USAGE;
    } catch (OidcEcrException | IllegalArgumentException | IllegalStateException e) {
      err.println("oidc-ecr " + command + ": " + e.getMessage());
      return FAILED;
    }
  }

  private int login(List<String> argv) {
    Args a = Args.parse(argv,
        Set.of("role-arn", "registry", "token-file", "docker-config", "endpoint-url",
            "duration", "session-name"),
        Set.of("print", "help"));
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
    String registryText = a.value("registry").or(() -> Optional.ofNullable(
            env.get("OIDC_ECR_REGISTRY")).filter(s -> !s.isBlank()))
        .orElseThrow(() -> new Args.UsageException("--registry is required (or set"
            + " OIDC_ECR_REGISTRY), such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
    EcrRegistry registry = EcrRegistry.parse(registryText);

    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder()
        .roleArn(roleArn)
        .registry(registry)
        .environment(env)
        .clock(clock);
    a.value("token-file").ifPresent(f -> b.tokenSource(TokenSource.fromFile(Path.of(f))));
    a.value("endpoint-url").ifPresent(u -> b.endpoint(parseUrl(u)));
    a.value("session-name").ifPresent(b::sessionName);
    a.value("duration").ifPresent(d -> b.duration(Duration.ofSeconds(parseSeconds(d))));

    DockerAuth auth;
    try (OidcEcrAuthenticator authenticator = b.build()) {
      auth = authenticator.authenticate();
    }
    if (a.flag("print")) {
      out.println(auth.toDockerConfigJson());
      return OK;
    }
    DockerConfig config = a.value("docker-config")
        .map(dir -> DockerConfig.at(Path.of(dir).resolve("config.json")))
        .orElseGet(() -> DockerConfig.fromEnvironment(env, home));
    boolean changed = config.store(auth);
    out.println("Login Succeeded: " + auth.registryHost() + " until "
        + auth.expiresAt().map(Object::toString).orElse("(no expiry)")
        + (changed ? " (written to " : " (already in ") + config.path() + ")");
    return OK;
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
        return Optional.of(authenticator.authenticate());
      }
    };
    Function<EcrRegistry, Optional<DockerAuth>> credentials =
        roleArn.map(r -> cache.cached(r, source)).orElse(source);
    CredentialHelper helper = CredentialHelper.builder()
        .credentials(credentials)
        .knownRegistries(() -> knownRegistries())
        .build();
    return helper.run(args, in, out);
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

  private static long parseSeconds(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new Args.UsageException("--duration takes whole seconds (900-43200), not \"" + s
          + "\"");
    }
  }
}
