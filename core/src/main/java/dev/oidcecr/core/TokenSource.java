package dev.oidcecr.core;

import dev.oidcecr.core.internal.TokenSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where a web identity token comes from: a fixed string, a file, an environment variable, a
 * command, or the default chain that picks the first one available.
 *
 * <p>{@link #fetch()} is called every time a fresh token is needed, so file and command sources
 * return the current token (Gitpod tokens live 60 minutes).
 */
public interface TokenSource {

  /** The Gitpod CLI command that prints a token for AWS STS. */
  List<String> GITPOD_COMMAND = List.of("gp", "idp", "token", "--audience", "sts.amazonaws.com");

  /** How long a token command may run before it is killed. */
  Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

  /** The variable naming a token file, as the AWS SDKs and CLI read it. */
  String TOKEN_FILE_VARIABLE = "AWS_WEB_IDENTITY_TOKEN_FILE";

  /** The variable holding a token directly, read by the default chain. */
  String TOKEN_VARIABLE = "OIDC_ECR_TOKEN";

  /**
   * Returns the current token.
   *
   * @throws TokenSourceException if the source cannot produce a token
   * @throws InvalidTokenException if what it produced is not a JWT
   */
  WebIdentityToken fetch();

  /** Describes the source for messages and logs (for example {@code file /var/run/token}). */
  String describe();

  /** Returns a source that always gives {@code token}; it is parsed at each {@link #fetch()}. */
  static TokenSource of(String token) {
    return TokenSources.fixed(token);
  }

  /** Returns a source that always gives {@code token}. */
  static TokenSource of(WebIdentityToken token) {
    return TokenSources.fixed(token);
  }

  /** Returns a source that reads the token from {@code file} at every {@link #fetch()}. */
  static TokenSource fromFile(Path file) {
    return TokenSources.file(file);
  }

  /** Returns a source that reads the token from {@code variable} in {@code environment}. */
  static TokenSource fromEnvironment(String variable, Map<String, String> environment) {
    return TokenSources.environment(variable, environment);
  }

  /**
   * Returns a source that runs {@code command} (inheriting this JVM's environment) and reads the
   * token on its standard output; the command is killed after {@code timeout}.
   */
  static TokenSource fromCommand(List<String> command, Duration timeout) {
    return TokenSources.command(command, timeout, ProcessRunner.system());
  }

  /** Returns a source that runs {@code command} with {@code runner}. */
  static TokenSource fromCommand(List<String> command, Duration timeout, ProcessRunner runner) {
    return TokenSources.command(command, timeout, runner);
  }

  /** Returns a source that runs {@code gp idp token --audience sts.amazonaws.com}. */
  static TokenSource fromGitpodCli() {
    return fromCommand(GITPOD_COMMAND, DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * Returns the default chain, which uses the first available of: the file named by {@code
   * AWS_WEB_IDENTITY_TOKEN_FILE}, the token in {@code OIDC_ECR_TOKEN}, and {@code gp idp token
   * --audience sts.amazonaws.com} if {@code gp} is on the {@code PATH} of {@code environment}.
   *
   * <p>The choice is made at each fetch and logged at debug level. The command runs with exactly
   * {@code environment} as its environment.
   */
  static TokenSource defaultChain(Map<String, String> environment) {
    return TokenSources.defaultChain(environment, ProcessRunner.system(environment));
  }

  /** Returns the default chain, running {@code gp} with {@code runner}. */
  static TokenSource defaultChain(Map<String, String> environment, ProcessRunner runner) {
    return TokenSources.defaultChain(environment, runner);
  }
}
