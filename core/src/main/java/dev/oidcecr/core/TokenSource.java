package dev.oidcecr.core;

import dev.oidcecr.core.internal.TokenSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a web identity token comes from: a fixed string, a file, an environment variable, a
 * command, a CI system's token service, or a chain that takes the first one that has a token.
 *
 * <p>A source is a one-method plug-in: {@link #find()} returns the current token, an empty
 * {@code Optional} when the source does not apply here (its variable is not set, this is not its
 * CI system), or throws when it applies but is broken (the file it names is missing, the command
 * fails). That difference lets {@link #firstOf(TokenSource...)} move on past a source that does
 * not apply and stop at one that is broken, so an embedder can add a source of their own to the
 * {@linkplain #defaultChain(Map) default chain}:
 *
 * <pre>{@code
 * TokenSource vault = TokenSource.named("Vault", () -> myVault.jwt().map(WebIdentityToken::parse));
 * TokenSource tokens = TokenSource.firstOf(vault, TokenSource.defaultChain(System.getenv()));
 * }</pre>
 *
 * <p>{@link #find()} is called every time a fresh token is needed, so file, command and HTTP
 * sources return the current token (Gitpod tokens live 60 minutes, EKS rotates its token file).
 *
 * <p>Migration from the two-method interface of earlier versions: implement {@link #find()}
 * (return {@code Optional.of(token)} where {@code fetch()} returned {@code token}) instead of
 * {@code fetch()}; {@link #fetch()} and {@link #describe()} are now default methods that callers
 * keep using unchanged, and {@link #named(String, TokenSource)} gives a lambda a description.
 */
@FunctionalInterface
public interface TokenSource {

  /** The audience requested from sources that take one, as AWS STS expects by default. */
  String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  /** The Gitpod CLI command that prints a token for AWS STS. */
  List<String> GITPOD_COMMAND = List.of("gp", "idp", "token", "--audience", DEFAULT_AUDIENCE);

  /** How long a token command or token request may take before it is abandoned. */
  Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

  /** The variable naming a token file, as the AWS SDKs and CLI read it (EKS sets it). */
  String TOKEN_FILE_VARIABLE = "AWS_WEB_IDENTITY_TOKEN_FILE";

  /** The variable holding a token directly, read by the default chain. */
  String TOKEN_VARIABLE = "OIDC_ECR_TOKEN";

  /**
   * The variables {@link #fromGitLab(Map)} reads, in order, when no name is given: GitLab puts
   * each {@code id_tokens:} entry of a job in a variable of the name the job chose.
   */
  List<String> GITLAB_TOKEN_VARIABLES = List.of(
      TOKEN_VARIABLE, "ID_TOKEN", "AWS_ID_TOKEN", "AWS_OIDC_TOKEN", "GITLAB_OIDC_TOKEN",
      "OIDC_TOKEN");

  /**
   * Returns the current token, or an empty {@code Optional} when this source does not apply
   * here.
   *
   * @throws TokenSourceException if the source applies but cannot produce a token
   * @throws InvalidTokenException if what it produced is not a JWT
   *
   * @return the current token, or an empty {@code Optional} when this source does not apply here
   */
  Optional<WebIdentityToken> find();

  /**
   * Returns the current token, failing when the source has none here.
   *
   * @throws TokenSourceException if the source does not apply here or cannot produce a token
   * @throws InvalidTokenException if what it produced is not a JWT
   *
   * @return the current token, failing when the source has none here
   */
  default WebIdentityToken fetch() {
    return find().orElseThrow(() -> new TokenSourceException("The " + describe()
        + " has no token here: configure it, or use another token source"));
  }

  /**
   * Describes the source for messages and logs (for example {@code file /var/run/token}); a
   * lambda is described as {@code custom token source} unless wrapped by {@link #named}.
   *
   * @return the description, such as {@code file /var/run/token}
   */
  default String describe() {
    return "custom token source";
  }

  /**
   * Returns {@code source} described as {@code description} in messages and logs.
   *
   * @param description how messages and logs name the source
   * @param source the token source
   * @return {@code source} described as {@code description} in messages and logs
   */
  static TokenSource named(String description, TokenSource source) {
    return TokenSources.named(description, source);
  }

  /**
   * Returns a chain that asks each source in turn and gives the first token found. A source that
   * throws stops the chain (it applies here but is broken); when none has a token, {@link
   * #fetch()} throws a {@link TokenSourceException} that names each source and why it had none.
   * Chains nest: {@code firstOf(mine, defaultChain(env))} lists every source of both.
   *
   * @param sources the sources, asked in order
   * @return a chain that asks each source in turn and gives the first token found
   */
  static TokenSource firstOf(TokenSource... sources) {
    return TokenSources.firstOf(List.of(sources));
  }

  /**
   * Returns a chain of {@code sources}; see {@link #firstOf(TokenSource...)}.
   *
   * @param sources the sources, asked in order
   * @return a chain of {@code sources}
   */
  static TokenSource firstOf(List<? extends TokenSource> sources) {
    return TokenSources.firstOf(sources);
  }

  /**
   * Returns a source that always gives {@code token}; it is parsed at each {@link #fetch()}.
   *
   * @param token the OIDC token (a JWT); never logged
   * @return a source that always gives {@code token}; it is parsed at each {@link #fetch()}
   */
  static TokenSource of(String token) {
    return TokenSources.fixed(token);
  }

  /**
   * Returns a source that always gives {@code token}.
   *
   * @param token the OIDC token (a JWT); never logged
   * @return a source that always gives {@code token}
   */
  static TokenSource of(WebIdentityToken token) {
    return TokenSources.fixed(token);
  }

  /**
   * Returns a source that reads the token from {@code file} at every {@link #fetch()}; a missing
   * or empty file is an error, not "no token here".
   *
   * @param file the token file, such as {@code /var/run/secrets/eks.amazonaws.com/serviceaccount/token}
   * @return a source that reads the token from {@code file} at every {@link #fetch()}; a missing or empty file is an error, not "no token here"
   */
  static TokenSource fromFile(Path file) {
    return TokenSources.file(file);
  }

  /**
   * Returns a source that reads the token from the file named by {@code AWS_WEB_IDENTITY_TOKEN_FILE}
   * in {@code environment}, again at every fetch (EKS rotates the projected token); no token
   * here when the variable is not set, an error when the file it names cannot be read.
   *
   * @param environment the environment variables to read
   * @return a source that reads the token from the file named by {@code AWS_WEB_IDENTITY_TOKEN_FILE} in {@code environment}, again at every fetch (EKS rotates the projected token); no token here when the variable is not set, an error when the file it names cannot be read
   */
  static TokenSource fromWebIdentityTokenFile(Map<String, String> environment) {
    return TokenSources.webIdentityTokenFile(environment);
  }

  /**
   * Returns a source that reads the token from {@code variable} in {@code environment}; no token
   * here when it is unset or blank.
   *
   * @param variable the environment variable's name
   * @param environment the environment variables to read
   * @return a source that reads the token from {@code variable} in {@code environment}; no token here when it is unset or blank
   */
  static TokenSource fromEnvironment(String variable, Map<String, String> environment) {
    return TokenSources.environment(variable, environment);
  }

  /**
   * Returns a source that runs {@code command} (inheriting this JVM's environment) and reads the
   * token on its standard output; the command is killed after {@code timeout}.
   *
   * @param command the command and its arguments
   * @param timeout how long to wait at most
   * @return a source that runs {@code command} (inheriting this JVM's environment) and reads the token on its standard output; the command is killed after {@code timeout}
   */
  static TokenSource fromCommand(List<String> command, Duration timeout) {
    return TokenSources.command(command, timeout, ProcessRunner.system());
  }

  /**
   * Returns a source that runs {@code command} with {@code runner}.
   *
   * @param command the command and its arguments
   * @param timeout how long to wait at most
   * @param runner runs external processes (replaceable in tests)
   * @return a source that runs {@code command} with {@code runner}
   */
  static TokenSource fromCommand(List<String> command, Duration timeout, ProcessRunner runner) {
    return TokenSources.command(command, timeout, runner);
  }

  /**
   * Returns a source that runs {@code gp idp token --audience sts.amazonaws.com}.
   *
   * @return a source that runs {@code gp idp token --audience sts.amazonaws.com}
   */
  static TokenSource fromGitpodCli() {
    return fromCommand(GITPOD_COMMAND, DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * Returns {@link #fromGitHubActions(Map, String)} for {@link #DEFAULT_AUDIENCE}.
   *
   * @param environment the environment variables to read
   * @return {@link #fromGitHubActions(Map, String)} for {@link #DEFAULT_AUDIENCE}
   */
  static TokenSource fromGitHubActions(Map<String, String> environment) {
    return fromGitHubActions(environment, DEFAULT_AUDIENCE);
  }

  /**
   * Returns a source that asks GitHub Actions for a token with {@code audience}: an HTTP GET of
   * {@code ACTIONS_ID_TOKEN_REQUEST_URL} with the audience added, authorized by {@code
   * ACTIONS_ID_TOKEN_REQUEST_TOKEN}. No token here outside a job that may request one (the job
   * needs {@code permissions: id-token: write}).
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @return a source that asks GitHub Actions for a token with {@code audience}: an HTTP GET of {@code ACTIONS_ID_TOKEN_REQUEST_URL} with the audience added, authorized by {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}
   */
  static TokenSource fromGitHubActions(Map<String, String> environment, String audience) {
    return TokenSources.gitHubActions(environment, audience, DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * Returns {@link #fromGitHubActions(Map, String)} giving up after {@code timeout}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @param timeout how long to wait at most
   * @return {@link #fromGitHubActions(Map, String)} giving up after {@code timeout}
   */
  static TokenSource fromGitHubActions(Map<String, String> environment, String audience,
      Duration timeout) {
    return TokenSources.gitHubActions(environment, audience, timeout);
  }

  /**
   * Returns a source for GitLab CI ({@code GITLAB_CI=true}) that reads the first of {@link
   * #GITLAB_TOKEN_VARIABLES} that is set; the job declares the token with {@code id_tokens:} and
   * {@code aud: sts.amazonaws.com}.
   *
   * @param environment the environment variables to read
   * @return a source for GitLab CI ({@code GITLAB_CI=true}) that reads the first of {@link #GITLAB_TOKEN_VARIABLES} that is set; the job declares the token with {@code id_tokens:} and {@code aud: sts.amazonaws.com}
   */
  static TokenSource fromGitLab(Map<String, String> environment) {
    return TokenSources.gitLab(environment, GITLAB_TOKEN_VARIABLES);
  }

  /**
   * Returns a source for GitLab CI that reads the {@code id_tokens:} entry named {@code variable}.
   *
   * @param environment the environment variables to read
   * @param variable the environment variable's name
   * @return a source for GitLab CI that reads the {@code id_tokens:} entry named {@code variable}
   */
  static TokenSource fromGitLab(Map<String, String> environment, String variable) {
    return TokenSources.gitLab(environment, List.of(variable));
  }

  /**
   * Returns a source for CircleCI: {@code CIRCLE_OIDC_TOKEN_V2}, then {@code CIRCLE_OIDC_TOKEN}.
   *
   * @param environment the environment variables to read
   * @return a source for CircleCI
   */
  static TokenSource fromCircleCi(Map<String, String> environment) {
    return TokenSources.circleCi(environment);
  }

  /**
   * Returns a source for Bitbucket Pipelines: {@code BITBUCKET_STEP_OIDC_TOKEN}.
   *
   * @param environment the environment variables to read
   * @return a source for Bitbucket Pipelines
   */
  static TokenSource fromBitbucket(Map<String, String> environment) {
    return TokenSources.bitbucket(environment);
  }

  /**
   * Returns a source for Buildkite ({@code BUILDKITE=true}) that runs {@code buildkite-agent oidc
   * request-token --audience <audience>}, found on the {@code PATH} of {@code environment}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @return a source for Buildkite ({@code BUILDKITE=true}) that runs {@code buildkite-agent oidc request-token --audience <audience>}, found on the {@code PATH} of {@code environment}
   */
  static TokenSource fromBuildkite(Map<String, String> environment, String audience) {
    return fromBuildkite(environment, audience, ProcessRunner.system(environment));
  }

  /**
   * Returns {@link #fromBuildkite(Map, String)} running the command with {@code runner}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @param runner runs external processes (replaceable in tests)
   * @return {@link #fromBuildkite(Map, String)} running the command with {@code runner}
   */
  static TokenSource fromBuildkite(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    return TokenSources.buildkite(environment, audience, runner);
  }

  /**
   * Returns a source for an Ona environment ({@code GITPOD_ENVIRONMENT_ID} set) that runs {@code
   * ona idp token --audience <audience>}, or {@code gitpod idp token ...} where the CLI still has
   * its former name.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @return a source for an Ona environment ({@code GITPOD_ENVIRONMENT_ID} set) that runs {@code ona idp token --audience <audience>}, or {@code gitpod idp token ...} where the CLI still has its former name
   */
  static TokenSource fromOna(Map<String, String> environment, String audience) {
    return fromOna(environment, audience, ProcessRunner.system(environment));
  }

  /**
   * Returns {@link #fromOna(Map, String)} running the command with {@code runner}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @param runner runs external processes (replaceable in tests)
   * @return {@link #fromOna(Map, String)} running the command with {@code runner}
   */
  static TokenSource fromOna(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    return TokenSources.ona(environment, audience, runner);
  }

  /**
   * Returns a source for a Gitpod Classic, Enterprise or Dedicated workspace ({@code
   * GITPOD_WORKSPACE_ID} set) that runs {@code gp idp token --audience <audience>}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @return a source for a Gitpod Classic, Enterprise or Dedicated workspace ({@code GITPOD_WORKSPACE_ID} set) that runs {@code gp idp token --audience <audience>}
   */
  static TokenSource fromGitpod(Map<String, String> environment, String audience) {
    return fromGitpod(environment, audience, ProcessRunner.system(environment));
  }

  /**
   * Returns {@link #fromGitpod(Map, String)} running the command with {@code runner}.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @param runner runs external processes (replaceable in tests)
   * @return {@link #fromGitpod(Map, String)} running the command with {@code runner}
   */
  static TokenSource fromGitpod(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    return TokenSources.gitpod(environment, audience, runner);
  }

  /**
   * Returns the default chain for {@link #DEFAULT_AUDIENCE}; commands run with exactly {@code
   * environment} as their environment. See {@link #defaultChain(Map, String, ProcessRunner)}.
   *
   * @param environment the environment variables to read
   * @return the default chain for {@link #DEFAULT_AUDIENCE}; commands run with exactly {@code environment} as their environment
   */
  static TokenSource defaultChain(Map<String, String> environment) {
    return defaultChain(environment, DEFAULT_AUDIENCE, ProcessRunner.system(environment));
  }

  /**
   * Returns the default chain for {@link #DEFAULT_AUDIENCE}, running commands with {@code runner}.
   *
   * @param environment the environment variables to read
   * @param runner runs external processes (replaceable in tests)
   * @return the default chain for {@link #DEFAULT_AUDIENCE}, running commands with {@code runner}
   */
  static TokenSource defaultChain(Map<String, String> environment, ProcessRunner runner) {
    return defaultChain(environment, DEFAULT_AUDIENCE, runner);
  }

  /**
   * Returns the default chain: the first of {@link #fromWebIdentityTokenFile}, {@code
   * OIDC_ECR_TOKEN}, {@link #fromGitHubActions}, {@link #fromGitLab}, {@link #fromCircleCi},
   * {@link #fromBitbucket}, {@link #fromBuildkite}, {@link #fromOna} and {@link #fromGitpod}
   * that has a token in {@code environment}, asking for {@code audience} where a source takes
   * one. The choice is made at each fetch and logged at debug level.
   *
   * @param environment the environment variables to read
   * @param audience the audience (the token's {@code aud})
   * @param runner runs external processes (replaceable in tests)
   * @return the default chain: the first of {@link #fromWebIdentityTokenFile}, {@code OIDC_ECR_TOKEN}, {@link #fromGitHubActions}, {@link #fromGitLab}, {@link #fromCircleCi}, {@link #fromBitbucket}, {@link #fromBuildkite}, {@link #fromOna} and {@link #fromGitpod} that has a token in {@code environment}, asking for {@code audience} where a source takes one
   */
  static TokenSource defaultChain(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    return named("default chain", firstOf(
        fromWebIdentityTokenFile(environment),
        fromEnvironment(TOKEN_VARIABLE, environment),
        fromGitHubActions(environment, audience),
        fromGitLab(environment),
        fromCircleCi(environment),
        fromBitbucket(environment),
        fromBuildkite(environment, audience, runner),
        fromOna(environment, audience, runner),
        fromGitpod(environment, audience, runner)));
  }
}
