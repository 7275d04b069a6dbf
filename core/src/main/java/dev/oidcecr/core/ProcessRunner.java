package dev.oidcecr.core;

import dev.oidcecr.core.internal.SystemProcessRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs an external command and collects its exit code and output; the seam through which {@link
 * TokenSource#fromCommand} starts processes, so tests and embedders can substitute their own.
 */
@FunctionalInterface
public interface ProcessRunner {

  /**
   * Runs {@code command} with an empty standard input and waits at most {@code timeout} for it.
   *
   * @return the result; {@link Result#timedOut()} is true if the command was killed at the timeout
   * @throws java.io.UncheckedIOException if the command cannot be started
   *
   * @param command the command and its arguments
   * @param timeout how long to wait at most
   */
  Result run(List<String> command, Duration timeout);

  /**
   * Returns a runner that starts real processes which inherit this JVM's environment.
   *
   * @return a runner that starts real processes which inherit this JVM's environment
   */
  static ProcessRunner system() {
    return new SystemProcessRunner(null);
  }

  /**
   * Returns a runner that starts real processes whose environment is exactly {@code env}.
   *
   * @param env the environment variables to read
   * @return a runner that starts real processes whose environment is exactly {@code env}
   */
  static ProcessRunner system(Map<String, String> env) {
    return new SystemProcessRunner(Map.copyOf(env));
  }

  /**
   * What a command did: its exit code, standard output and standard error.
   *
   * <p>Standard output may hold a secret (a token command prints the token), so {@link
   * #toString()} shows only its length.
   */
  final class Result {
    private final int exitCode;
    private final String stdout;
    private final String stderr;
    private final boolean timedOut;

    private Result(int exitCode, String stdout, String stderr, boolean timedOut) {
      this.exitCode = exitCode;
      this.stdout = Objects.requireNonNull(stdout, "stdout");
      this.stderr = Objects.requireNonNull(stderr, "stderr");
      this.timedOut = timedOut;
    }

    /**
     * Returns the result of a command that exited with {@code exitCode}.
     *
     * @param exitCode the command's exit code
     * @param stdout what the command wrote to standard output
     * @param stderr what the command wrote to standard error
     * @return the result of a command that exited with {@code exitCode}
     */
    public static Result of(int exitCode, String stdout, String stderr) {
      return new Result(exitCode, stdout, stderr, false);
    }

    /**
     * Returns the result of a command killed at its timeout, with what it wrote until then.
     *
     * @param stdout what the command wrote to standard output
     * @param stderr what the command wrote to standard error
     * @return the result of a command killed at its timeout, with what it wrote until then
     */
    public static Result timedOut(String stdout, String stderr) {
      return new Result(-1, stdout, stderr, true);
    }

    /**
     * Returns the exit code ({@code -1} if the command timed out).
     *
     * @return the exit code ({@code -1} if the command timed out)
     */
    public int exitCode() {
      return exitCode;
    }

    /**
     * Returns what the command wrote on standard output. May be a secret: never log it.
     *
     * @return what the command wrote on standard output
     */
    public String stdout() {
      return stdout;
    }

    /**
     * Returns what the command wrote on standard error.
     *
     * @return what the command wrote on standard error
     */
    public String stderr() {
      return stderr;
    }

    /**
     * Tells whether the command was killed because it outlived its timeout.
     *
     * @return {@code true} if the command was killed because it outlived its timeout
     */
    public boolean timedOut() {
      return timedOut;
    }

    /** Shows the exit code and output sizes, never the output itself. */
    @Override
    public String toString() {
      return "ProcessRunner.Result{exitCode="
          + exitCode
          + (timedOut ? ", timedOut" : "")
          + ", stdout="
          + stdout.length()
          + " chars, stderr="
          + stderr.length()
          + " chars}";
    }
  }
}
