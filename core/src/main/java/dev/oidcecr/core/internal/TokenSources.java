package dev.oidcecr.core.internal;

import dev.oidcecr.core.InvalidTokenException;
import dev.oidcecr.core.ProcessRunner;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.TokenSourceException;
import dev.oidcecr.core.WebIdentityToken;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The implementations behind {@link TokenSource}'s factories. */
public final class TokenSources {
  private static final Logger LOG = LoggerFactory.getLogger(TokenSource.class);
  /** Enough of a failing command's stderr to explain it, not enough to flood a message. */
  static final int MAX_STDERR_IN_MESSAGE = 1000;
  /** A token file is a few kilobytes; anything much larger is not a token. */
  private static final long MAX_TOKEN_FILE_SIZE = 64 * 1024;

  private TokenSources() {}

  /** See {@link TokenSource#of(String)}. */
  public static TokenSource fixed(String token) {
    Objects.requireNonNull(token, "token");
    return new Named("fixed token") {
      @Override
      public WebIdentityToken fetch() {
        return parse(this, token);
      }
    };
  }

  /** See {@link TokenSource#of(WebIdentityToken)}. */
  public static TokenSource fixed(WebIdentityToken token) {
    Objects.requireNonNull(token, "token");
    return new Named("fixed token") {
      @Override
      public WebIdentityToken fetch() {
        return token;
      }
    };
  }

  /** See {@link TokenSource#fromFile(Path)}. */
  public static TokenSource file(Path file) {
    Objects.requireNonNull(file, "file");
    return new Named("file " + file) {
      @Override
      public WebIdentityToken fetch() {
        return parse(this, readTokenFile(file));
      }
    };
  }

  /** See {@link TokenSource#fromEnvironment(String, Map)}. */
  public static TokenSource environment(String variable, Map<String, String> environment) {
    Objects.requireNonNull(variable, "variable");
    Map<String, String> env = Map.copyOf(environment);
    return new Named("environment variable " + variable) {
      @Override
      public WebIdentityToken fetch() {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
          throw new TokenSourceException(
              "Environment variable "
                  + variable
                  + " is "
                  + (value == null ? "not set" : "empty")
                  + ": set it to the web identity token, or use another token source");
        }
        return parse(this, value);
      }
    };
  }

  /** See {@link TokenSource#fromCommand(List, Duration, ProcessRunner)}. */
  public static TokenSource command(List<String> command, Duration timeout, ProcessRunner runner) {
    List<String> cmd = List.copyOf(command);
    if (cmd.isEmpty()) {
      throw new IllegalArgumentException("A token command needs at least the program to run");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("A token command's timeout must be positive");
    }
    Objects.requireNonNull(runner, "runner");
    return new Named("command `" + String.join(" ", cmd) + "`") {
      @Override
      public WebIdentityToken fetch() {
        ProcessRunner.Result result;
        try {
          result = runner.run(cmd, timeout);
        } catch (UncheckedIOException e) {
          throw new TokenSourceException(
              "Could not start "
                  + describe()
                  + ": "
                  + e.getCause().getMessage()
                  + ". Check that "
                  + cmd.get(0)
                  + " is installed and executable"
                  + (cmd.get(0).equals("gp") ? " (it exists only inside a Gitpod workspace)" : ""),
              e);
        }
        if (result.timedOut()) {
          throw new TokenSourceException(
              describe()
                  + " did not finish within "
                  + timeout
                  + " and was killed"
                  + stderrPart(result.stderr())
                  + ". Check that the command works when run by hand, or raise the timeout");
        }
        if (result.exitCode() != 0) {
          // Never the command's stdout: on a partial failure it may still hold a token.
          throw new TokenSourceException(
              describe()
                  + " failed with exit code "
                  + result.exitCode()
                  + stderrPart(result.stderr())
                  + ". Run it by hand to see why"
                  + (cmd.get(0).endsWith("gp")
                      ? " (is this a Gitpod workspace, and does `gp idp token` work here?)"
                      : ""));
        }
        if (result.stdout().isBlank()) {
          throw new TokenSourceException(
              describe()
                  + " exited with code 0 but printed nothing on standard output"
                  + stderrPart(result.stderr())
                  + ". It must print the token");
        }
        return parse(this, result.stdout());
      }
    };
  }

  /** See {@link TokenSource#defaultChain(Map, ProcessRunner)}. */
  public static TokenSource defaultChain(Map<String, String> environment, ProcessRunner runner) {
    Map<String, String> env = Map.copyOf(environment);
    Objects.requireNonNull(runner, "runner");
    return new TokenSource() {
      @Override
      public WebIdentityToken fetch() {
        TokenSource chosen = choose(env, runner);
        LOG.debug("Web identity token source: {}", chosen.describe());
        return chosen.fetch();
      }

      @Override
      public String describe() {
        try {
          return "default chain, using " + choose(env, runner).describe();
        } catch (TokenSourceException e) {
          return "default chain (no source available)";
        }
      }

      @Override
      public String toString() {
        return "TokenSource{" + describe() + "}";
      }
    };
  }

  private static TokenSource choose(Map<String, String> env, ProcessRunner runner) {
    String file = env.get(TokenSource.TOKEN_FILE_VARIABLE);
    if (file != null && !file.isBlank()) {
      Path path;
      try {
        path = Path.of(file);
      } catch (InvalidPathException e) {
        throw new TokenSourceException(
            TokenSource.TOKEN_FILE_VARIABLE
                + " is not a valid path: "
                + e.getReason()
                + ". Set it to the file holding the web identity token");
      }
      return renamed(file(path), "file " + path + " (from " + TokenSource.TOKEN_FILE_VARIABLE + ")");
    }
    String token = env.get(TokenSource.TOKEN_VARIABLE);
    if (token != null && !token.isBlank()) {
      return environment(TokenSource.TOKEN_VARIABLE, env);
    }
    Optional<Path> gp = findOnPath("gp", env.get("PATH"));
    if (gp.isPresent()) {
      List<String> cmd = new ArrayList<>(TokenSource.GITPOD_COMMAND);
      cmd.set(0, gp.get().toString());
      return command(cmd, TokenSource.DEFAULT_COMMAND_TIMEOUT, runner);
    }
    throw new TokenSourceException(
        "No web identity token source is available: "
            + TokenSource.TOKEN_FILE_VARIABLE
            + " is not set, "
            + TokenSource.TOKEN_VARIABLE
            + " is not set, and there is no `gp` on PATH. Run inside a Gitpod workspace, or set "
            + TokenSource.TOKEN_FILE_VARIABLE
            + " to a file holding the token, or set "
            + TokenSource.TOKEN_VARIABLE
            + " to the token");
  }

  /** Looks for an executable regular file named {@code name} in the {@code PATH} folders. */
  public static Optional<Path> findOnPath(String name, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Path.of(dir).resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate.toAbsolutePath());
        }
      } catch (InvalidPathException e) {
        // A malformed PATH entry cannot hold the program: try the next one.
      }
    }
    return Optional.empty();
  }

  private static String readTokenFile(Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw new TokenSourceException(
            "Token file " + file + " is a directory: point to the file holding the token");
      }
      // Read at most the cap: /dev/zero, a FIFO or /proc files report no size.
      byte[] bytes;
      try (java.io.InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) MAX_TOKEN_FILE_SIZE + 1);
      }
      if (bytes.length > MAX_TOKEN_FILE_SIZE) {
        throw new TokenSourceException(
            "Token file " + file + " holds more than 64 KiB, the most read from a token file"
                + " (STS accepts tokens of up to 20,000 characters): check the path");
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        throw new TokenSourceException(
            "Token file "
                + file
                + " is empty: write the web identity token into it (for Gitpod: `gp idp token"
                + " --audience sts.amazonaws.com > "
                + file
                + "`)");
      }
      return text;
    } catch (NoSuchFileException e) {
      throw new TokenSourceException(
          "Token file "
              + file
              + " does not exist: create it with the web identity token, or fix the path"
              + " (AWS_WEB_IDENTITY_TOKEN_FILE)",
          e);
    } catch (AccessDeniedException e) {
      throw new TokenSourceException(
          "Token file " + file + " cannot be read (permission denied): make it readable by this user",
          e);
    } catch (IOException | UncheckedIOException e) {
      throw new TokenSourceException(
          "Token file " + file + " cannot be read: " + e.getClass().getSimpleName()
              + ". Check the path and its permissions",
          e);
    }
  }

  static WebIdentityToken parse(TokenSource source, String text) {
    try {
      return WebIdentityToken.parse(text);
    } catch (InvalidTokenException e) {
      throw new InvalidTokenException("The " + source.describe() + " gave an unusable token. "
          + e.getMessage(), e);
    }
  }

  static String stderrPart(String stderr) {
    String s = stderr.strip();
    if (s.isEmpty()) {
      return " (nothing on standard error)";
    }
    if (s.length() > MAX_STDERR_IN_MESSAGE) {
      s = s.substring(0, MAX_STDERR_IN_MESSAGE) + "... (" + (s.length() - MAX_STDERR_IN_MESSAGE)
          + " more characters)";
    }
    return "; standard error: " + s;
  }

  private static TokenSource renamed(TokenSource source, String name) {
    return new Named(name) {
      @Override
      public WebIdentityToken fetch() {
        try {
          return source.fetch();
        } catch (InvalidTokenException e) {
          throw new InvalidTokenException(
              "The " + name + " gave an unusable token. " + e.getCause().getMessage(), e);
        }
      }
    };
  }

  private abstract static class Named implements TokenSource {
    private final String name;

    Named(String name) {
      this.name = name;
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public String toString() {
      return "TokenSource{" + name + "}";
    }
  }
}
