package dev.oidcecr.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oidcecr.core.InvalidTokenException;
import dev.oidcecr.core.ProcessRunner;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.TokenSourceException;
import dev.oidcecr.core.WebIdentityToken;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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
  /** A token answer is a few kilobytes; GitHub's is one JSON object with the JWT. */
  private static final int MAX_HTTP_ANSWER = 1 << 20;

  // GitHub Actions: the runner sets both variables only in jobs with `permissions: id-token:
  // write`; a GET of the URL plus `&audience=...` with the request token as a bearer token
  // answers {"value": "<jwt>"} (docs.github.com, "About security hardening with OpenID
  // Connect", and actions/toolkit's core.getIDToken).
  static final String GITHUB_URL = "ACTIONS_ID_TOKEN_REQUEST_URL";
  static final String GITHUB_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
  // CircleCI sets both in jobs that use a context; V2 carries the newer claims
  // (circleci.com/docs/openid-connect-tokens).
  static final List<String> CIRCLECI_VARIABLES = List.of("CIRCLE_OIDC_TOKEN_V2",
      "CIRCLE_OIDC_TOKEN");
  // Bitbucket Pipelines sets it in steps with `oidc: true`
  // (support.atlassian.com, "Integrate Pipelines with resource servers using OIDC").
  static final String BITBUCKET_VARIABLE = "BITBUCKET_STEP_OIDC_TOKEN";
  // An Ona environment sets GITPOD_ENVIRONMENT_ID (its URLs are
  // https://<port>--$GITPOD_ENVIRONMENT_ID.<region>.gitpod.dev; public devcontainer scripts tell
  // Ona from Gitpod Classic by it versus GITPOD_WORKSPACE_ID); its CLI is `ona`, formerly
  // `gitpod` (ona.com/docs/ona/identity/aws-oidc: `ona idp login aws`).
  static final String ONA_VARIABLE = "GITPOD_ENVIRONMENT_ID";
  // Gitpod Classic, Enterprise and Dedicated set GITPOD_WORKSPACE_ID in every workspace
  // (gitpod.io/docs, "Default Environment Variables"); `gp` alone is also PARI/GP's binary.
  static final String GITPOD_VARIABLE = "GITPOD_WORKSPACE_ID";

  private TokenSources() {}

  /** See {@link TokenSource#named(String, TokenSource)}. */
  public static TokenSource named(String description, TokenSource source) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    if (source instanceof Chain chain) {
      return new Chain(description, chain.sources);
    }
    return new TokenSource() {
      @Override
      public Optional<WebIdentityToken> find() {
        return source.find();
      }

      @Override
      public WebIdentityToken fetch() {
        return source.find().orElseThrow(() -> new TokenSourceException("The " + description
            + " has no token here: configure it, or use another token source"));
      }

      @Override
      public String describe() {
        return description;
      }

      @Override
      public String toString() {
        return "TokenSource{" + description + "}";
      }
    };
  }

  /** See {@link TokenSource#firstOf(List)}. */
  public static TokenSource firstOf(List<? extends TokenSource> sources) {
    List<TokenSource> copy = List.copyOf(sources);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("TokenSource.firstOf(...) needs at least one source");
    }
    return new Chain("first of " + copy.size() + " token sources", copy);
  }

  /** See {@link TokenSource#of(String)}. */
  public static TokenSource fixed(String token) {
    Objects.requireNonNull(token, "token");
    return new Detecting("fixed token") {
      @Override
      WebIdentityToken read() {
        return parse(this, token);
      }
    };
  }

  /** See {@link TokenSource#of(WebIdentityToken)}. */
  public static TokenSource fixed(WebIdentityToken token) {
    Objects.requireNonNull(token, "token");
    return new Detecting("fixed token") {
      @Override
      WebIdentityToken read() {
        return token;
      }
    };
  }

  /** See {@link TokenSource#fromFile(Path)}. */
  public static TokenSource file(Path file) {
    Objects.requireNonNull(file, "file");
    return new Detecting("file " + file) {
      @Override
      WebIdentityToken read() {
        return parse(this, readTokenFile(file, null));
      }
    };
  }

  /** See {@link TokenSource#fromWebIdentityTokenFile(Map)}. */
  public static TokenSource webIdentityTokenFile(Map<String, String> environment) {
    Map<String, String> env = Map.copyOf(environment);
    String variable = TokenSource.TOKEN_FILE_VARIABLE;
    return new Detecting("file named by " + variable) {
      @Override
      Optional<Absence> absence() {
        return isSet(env, variable) ? Optional.empty()
            : Optional.of(Absence.of(variable + " is not set"));
      }

      @Override
      String describe(boolean applies) {
        return applies ? "file " + env.get(variable).strip() + " (from " + variable + ")"
            : describe();
      }

      @Override
      WebIdentityToken read() {
        String name = env.get(variable).strip();
        Path path;
        try {
          path = Path.of(name);
        } catch (InvalidPathException e) {
          throw new TokenSourceException(variable + " is not a valid path: " + e.getReason()
              + ". Set it to the file holding the web identity token");
        }
        return parse(describe(true), readTokenFile(path, variable));
      }
    };
  }

  /** See {@link TokenSource#fromEnvironment(String, Map)}. */
  public static TokenSource environment(String variable, Map<String, String> environment) {
    Objects.requireNonNull(variable, "variable");
    Map<String, String> env = Map.copyOf(environment);
    return new Detecting("environment variable " + variable) {
      @Override
      Optional<Absence> absence() {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
          return Optional.of(Absence.of(variable + " is " + (value == null ? "not set" : "empty")));
        }
        return Optional.empty();
      }

      @Override
      String fix() {
        return "set it to the web identity token, or use another token source";
      }

      @Override
      WebIdentityToken read() {
        return parse(this, env.get(variable));
      }
    };
  }

  /**
   * The command line's {@code --token-env NAME}: like {@link #environment} but an unset variable
   * is an error, since the user named it.
   */
  public static TokenSource requiredEnvironment(String variable, Map<String, String> environment) {
    TokenSource source = environment(variable, environment);
    boolean gitLab = "true".equals(environment.get("GITLAB_CI"));
    return new Detecting("environment variable " + variable + " (--token-env)") {
      @Override
      WebIdentityToken read() {
        return source.find().orElseThrow(() -> new TokenSourceException("--token-env "
            + variable + ": " + variable + " is not set or empty. "
            + (gitLab ? "Declare it in the job: id_tokens: " + variable
                + ": aud: sts.amazonaws.com"
                : "Set it to the web identity token, or name another variable")));
      }
    };
  }

  /** See {@link TokenSource#fromCommand(List, Duration, ProcessRunner)}. */
  public static TokenSource command(List<String> command, Duration timeout, ProcessRunner runner) {
    List<String> cmd = List.copyOf(command);
    if (cmd.isEmpty()) {
      throw new IllegalArgumentException("A token command needs at least the program to run");
    }
    checkTimeout(timeout);
    Objects.requireNonNull(runner, "runner");
    return new Detecting(commandName(cmd)) {
      @Override
      WebIdentityToken read() {
        return runCommand(describe(), cmd, timeout, runner);
      }
    };
  }

  /** See {@link TokenSource#fromGitHubActions(Map, String, Duration)}. */
  public static TokenSource gitHubActions(Map<String, String> environment, String audience,
      Duration timeout) {
    Map<String, String> env = Map.copyOf(environment);
    String aud = checkAudience(audience);
    checkTimeout(timeout);
    return new Detecting("GitHub Actions ID token request (" + GITHUB_URL + ")") {
      private volatile HttpClient client;

      @Override
      Optional<Absence> absence() {
        boolean url = isSet(env, GITHUB_URL);
        boolean token = isSet(env, GITHUB_TOKEN);
        if (url && token) {
          return Optional.empty();
        }
        String missing = !url && !token ? GITHUB_URL + " and " + GITHUB_TOKEN + " are"
            : (url ? GITHUB_TOKEN : GITHUB_URL) + " is";
        if ("true".equals(env.get("GITHUB_ACTIONS")) || url || token) {
          return Optional.of(Absence.detected("This is a GitHub Actions job (GITHUB_ACTIONS=true)"
              + " but " + missing + " not set: GitHub sets them only for jobs with"
              + " `permissions: id-token: write`; add it to the job or the workflow"));
        }
        return Optional.of(Absence.of("GitHub Actions: " + missing + " not set"));
      }

      @Override
      WebIdentityToken read() {
        return parse(this, requestGitHubToken(http(timeout), env.get(GITHUB_URL).strip(),
            env.get(GITHUB_TOKEN).strip(), aud, timeout));
      }

      private HttpClient http(Duration timeout) {
        if (client == null) {
          synchronized (this) {
            if (client == null) {
              client = HttpClient.newBuilder()
                  .connectTimeout(timeout)
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
            }
          }
        }
        return client;
      }
    };
  }

  /** See {@link TokenSource#fromGitLab(Map)}. */
  public static TokenSource gitLab(Map<String, String> environment, List<String> variables) {
    Map<String, String> env = Map.copyOf(environment);
    List<String> names = List.copyOf(variables);
    return new Detecting("GitLab CI id_tokens variable") {
      @Override
      Optional<Absence> absence() {
        if (!"true".equals(env.get("GITLAB_CI"))) {
          return Optional.of(Absence.of("GitLab CI: GITLAB_CI is not true"));
        }
        if (firstSet(env, names).isPresent()) {
          return Optional.empty();
        }
        return Optional.of(Absence.detected("This is a GitLab CI job (GITLAB_CI=true) but none of "
            + String.join(", ", names) + " is set: declare the token in the job with id_tokens:,"
            + " such as `id_tokens: { " + names.get(0) + ": { aud: sts.amazonaws.com } }`, or"
            + " name your variable with --token-env"));
      }

      @Override
      String describe(boolean applies) {
        return applies ? "GitLab CI id_tokens variable " + firstSet(env, names).orElseThrow()
            : describe();
      }

      @Override
      WebIdentityToken read() {
        return parse(describe(true), env.get(firstSet(env, names).orElseThrow()));
      }
    };
  }

  /** See {@link TokenSource#fromCircleCi(Map)}. */
  public static TokenSource circleCi(Map<String, String> environment) {
    Map<String, String> env = Map.copyOf(environment);
    return new Detecting("CircleCI OIDC token") {
      @Override
      Optional<Absence> absence() {
        if (firstSet(env, CIRCLECI_VARIABLES).isPresent()) {
          return Optional.empty();
        }
        if ("true".equals(env.get("CIRCLECI"))) {
          return Optional.of(Absence.detected("This is a CircleCI job (CIRCLECI=true) but neither"
              + " CIRCLE_OIDC_TOKEN_V2 nor CIRCLE_OIDC_TOKEN is set: CircleCI issues them only to"
              + " jobs that use a context; add one to the job"));
        }
        return Optional.of(Absence.of("CircleCI: CIRCLE_OIDC_TOKEN_V2 and CIRCLE_OIDC_TOKEN are"
            + " not set"));
      }

      @Override
      String describe(boolean applies) {
        return applies ? "CircleCI " + firstSet(env, CIRCLECI_VARIABLES).orElseThrow()
            : describe();
      }

      @Override
      WebIdentityToken read() {
        return parse(describe(true), env.get(firstSet(env, CIRCLECI_VARIABLES).orElseThrow()));
      }
    };
  }

  /** See {@link TokenSource#fromBitbucket(Map)}. */
  public static TokenSource bitbucket(Map<String, String> environment) {
    Map<String, String> env = Map.copyOf(environment);
    return new Detecting("Bitbucket Pipelines " + BITBUCKET_VARIABLE) {
      @Override
      Optional<Absence> absence() {
        if (isSet(env, BITBUCKET_VARIABLE)) {
          return Optional.empty();
        }
        if (isSet(env, "BITBUCKET_BUILD_NUMBER")) {
          return Optional.of(Absence.detected("This is a Bitbucket Pipelines step"
              + " (BITBUCKET_BUILD_NUMBER is set) but " + BITBUCKET_VARIABLE + " is not set: add"
              + " `oidc: true` to the step"));
        }
        return Optional.of(Absence.of("Bitbucket Pipelines: " + BITBUCKET_VARIABLE
            + " is not set"));
      }

      @Override
      WebIdentityToken read() {
        return parse(this, env.get(BITBUCKET_VARIABLE));
      }
    };
  }

  /** See {@link TokenSource#fromBuildkite(Map, String, ProcessRunner)}. */
  public static TokenSource buildkite(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    String aud = checkAudience(audience);
    return cliSource("Buildkite", environment, "BUILDKITE", true,
        List.of("buildkite-agent"), List.of("oidc", "request-token", "--audience", aud), runner,
        "This is a Buildkite job (BUILDKITE=true)");
  }

  /** See {@link TokenSource#fromOna(Map, String, ProcessRunner)}. */
  public static TokenSource ona(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    String aud = checkAudience(audience);
    return cliSource("Ona", environment, ONA_VARIABLE, false, List.of("ona", "gitpod"),
        List.of("idp", "token", "--audience", aud), runner,
        "This is an Ona environment (" + ONA_VARIABLE + " is set)");
  }

  /** See {@link TokenSource#fromGitpod(Map, String, ProcessRunner)}. */
  public static TokenSource gitpod(Map<String, String> environment, String audience,
      ProcessRunner runner) {
    String aud = checkAudience(audience);
    return cliSource("Gitpod", environment, GITPOD_VARIABLE, false, List.of("gp"),
        List.of("idp", "token", "--audience", aud), runner,
        "This is a Gitpod workspace (" + GITPOD_VARIABLE + " is set)");
  }

  /**
   * A source that runs the first of {@code programs} found on the environment's {@code PATH},
   * when {@code marker} is set (to {@code true} if {@code markerTrue}).
   */
  private static TokenSource cliSource(String system, Map<String, String> environment,
      String marker, boolean markerTrue, List<String> programs, List<String> arguments,
      ProcessRunner runner, String detected) {
    Map<String, String> env = Map.copyOf(environment);
    Objects.requireNonNull(runner, "runner");
    String commandText = programs.get(0) + " " + String.join(" ", arguments);
    return new Detecting(system + " `" + commandText + "`") {
      @Override
      Optional<Absence> absence() {
        boolean here = markerTrue ? "true".equals(env.get(marker)) : isSet(env, marker);
        if (!here) {
          return Optional.of(Absence.of(system + ": " + marker + " is "
              + (markerTrue ? "not true" : "not set")));
        }
        if (program().isPresent()) {
          return Optional.empty();
        }
        return Optional.of(Absence.detected(detected + " but "
            + String.join(" or ", programs.stream().map(p -> "`" + p + "`").toList())
            + " is not on PATH (" + Optional.ofNullable(env.get("PATH")).orElse("unset")
            + "): install it or add its folder to PATH"));
      }

      private Optional<Path> program() {
        for (String p : programs) {
          Optional<Path> found = findOnPath(p, env.get("PATH"));
          if (found.isPresent()) {
            return found;
          }
        }
        return Optional.empty();
      }

      private List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(program().orElseThrow().toString());
        cmd.addAll(arguments);
        return cmd;
      }

      @Override
      String describe(boolean applies) {
        return applies ? system + " " + commandName(command()) : describe();
      }

      @Override
      WebIdentityToken read() {
        List<String> cmd = command();
        return runCommand(system + " " + commandName(cmd), cmd,
            TokenSource.DEFAULT_COMMAND_TIMEOUT, runner);
      }
    };
  }

  private static String commandName(List<String> cmd) {
    return "command `" + String.join(" ", cmd) + "`";
  }

  private static WebIdentityToken runCommand(String name, List<String> cmd, Duration timeout,
      ProcessRunner runner) {
    String program = Path.of(cmd.get(0)).getFileName().toString();
    ProcessRunner.Result result;
    try {
      result = runner.run(cmd, timeout);
    } catch (UncheckedIOException e) {
      throw new TokenSourceException("Could not start " + name + ": "
          + e.getCause().getMessage() + ". Check that " + cmd.get(0)
          + " is installed and executable"
          + (program.equals("gp") ? " (it exists only inside a Gitpod workspace)" : ""), e);
    }
    if (result.timedOut()) {
      throw new TokenSourceException(name + " did not finish within " + timeout
          + " and was killed" + stderrPart(result.stderr())
          + ". Check that the command works when run by hand, or raise the timeout");
    }
    if (result.exitCode() != 0) {
      // Never the command's stdout: on a partial failure it may still hold a token.
      throw new TokenSourceException(name + " failed with exit code " + result.exitCode()
          + stderrPart(result.stderr()) + ". Run it by hand to see why"
          + (program.equals("gp")
              ? " (is this a Gitpod workspace, and does `gp idp token` work here?)" : ""));
    }
    if (result.stdout().isBlank()) {
      throw new TokenSourceException(name + " exited with code 0 but printed nothing on standard"
          + " output" + stderrPart(result.stderr()) + ". It must print the token");
    }
    return parse(name, result.stdout());
  }

  /** Builds GitHub's request URL: the runner's URL with the audience parameter added. */
  static URI gitHubRequestUri(String url, String audience) {
    String separator = url.indexOf('?') < 0 ? "?" : url.endsWith("?") || url.endsWith("&") ? ""
        : "&";
    try {
      URI uri = URI.create(url + separator + "audience="
          + URLEncoder.encode(audience, StandardCharsets.UTF_8));
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new TokenSourceException(GITHUB_URL + " is not an http(s) URL: check the job's"
          + " environment (the GitHub runner sets it)");
    }
  }

  private static String requestGitHubToken(HttpClient client, String url, String bearer,
      String audience, Duration timeout) {
    URI uri = gitHubRequestUri(url, audience);
    // The URL itself holds no secret, but keep messages to scheme, host and path anyway.
    String where = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", "application/json")
        .header("User-Agent", "oidc-ecr")
        .GET()
        .build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new TokenSourceException("GitHub's ID token service at " + where
          + " did not answer within " + timeout + ": retry the job, or check the runner's"
          + " network", e);
    } catch (IOException e) {
      throw new TokenSourceException("Could not reach GitHub's ID token service at " + where
          + " (" + e.getClass().getSimpleName() + "): check the runner's network and proxy", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenSourceException("Interrupted while asking GitHub for an ID token", e);
    }
    byte[] body = response.body();
    if (response.statusCode() != 200) {
      String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8)
          .strip();
      throw new TokenSourceException("GitHub's ID token service at " + where + " answered HTTP "
          + response.statusCode() + (text.isEmpty() ? "" : " (" + text + ")")
          + (response.statusCode() == 401 || response.statusCode() == 403
              ? ": the request token was refused; check that the job has `permissions: id-token:"
                  + " write` and that the step runs in that job"
              : ": retry the job"));
    }
    if (body.length > MAX_HTTP_ANSWER) {
      throw new TokenSourceException("GitHub's ID token service at " + where + " answered "
          + body.length + " bytes, more than any token: check " + GITHUB_URL);
    }
    JsonNode value;
    try {
      value = Json.MAPPER.readTree(body).path("value");
    } catch (IOException e) {
      throw new TokenSourceException("GitHub's ID token service at " + where
          + " answered with something that is not JSON: expected {\"value\": \"<token>\"}");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new TokenSourceException("GitHub's ID token service at " + where
          + " answered JSON without a \"value\" string: expected {\"value\": \"<token>\"}");
    }
    return value.asText();
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

  /**
   * Reads a token file; {@code variable} is the environment variable that named it, for the
   * advice of a missing file, or null when the caller named the file itself.
   */
  private static String readTokenFile(Path file, String variable) {
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
              + (variable == null ? "" : " (" + variable + ")"),
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
    return parse(source.describe(), text);
  }

  static WebIdentityToken parse(String sourceName, String text) {
    try {
      return WebIdentityToken.parse(text);
    } catch (InvalidTokenException e) {
      throw new InvalidTokenException("The " + sourceName + " gave an unusable token. "
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

  private static boolean isSet(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }

  private static Optional<String> firstSet(Map<String, String> env, List<String> names) {
    return names.stream().filter(n -> isSet(env, n)).findFirst();
  }

  private static String checkAudience(String audience) {
    Objects.requireNonNull(audience, "audience");
    if (audience.isBlank() || !audience.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
      throw new IllegalArgumentException("The audience \"" + audience + "\" must be printable"
          + " ASCII without spaces, such as sts.amazonaws.com (the client id of the IAM OIDC"
          + " provider)");
    }
    return audience;
  }

  private static void checkTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("A token source's timeout must be positive");
    }
  }

  /** Why a source has no token here; {@code detected} when its system is here but unusable. */
  record Absence(String reason, boolean detected) {
    static Absence of(String reason) {
      return new Absence(reason, false);
    }

    static Absence detected(String reason) {
      return new Absence(reason, true);
    }
  }

  /**
   * A source that tells cheaply, from its environment, whether it applies, so that chains can
   * name what they tried and describe which source they would use without fetching.
   */
  abstract static class Detecting implements TokenSource {
    private final String name;

    Detecting(String name) {
      this.name = name;
    }

    /** Returns why this source has no token here, or empty when it applies. */
    Optional<Absence> absence() {
      return Optional.empty();
    }

    /** What to do when {@link #fetch()} is called on a source that does not apply. */
    String fix() {
      return "use another token source";
    }

    /** Reads the token; called only when {@link #absence()} is empty. */
    abstract WebIdentityToken read();

    /** Describes the source, naming what it reads when it applies. */
    String describe(boolean applies) {
      return name;
    }

    @Override
    public final Optional<WebIdentityToken> find() {
      return absence().isPresent() ? Optional.empty() : Optional.of(read());
    }

    @Override
    public WebIdentityToken fetch() {
      Optional<Absence> absence = absence();
      if (absence.isPresent()) {
        // A recognised system that gives no token says what it lacks; otherwise say what the
        // source looked for.
        throw new TokenSourceException(absence.get().detected() ? absence.get().reason()
            : "No token from the " + name + ": " + absence.get().reason() + "; " + fix());
      }
      return read();
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

  /** {@link TokenSource#firstOf}: the first source with a token wins. */
  static final class Chain implements TokenSource {
    private final String name;
    private final List<TokenSource> sources;

    Chain(String name, List<TokenSource> sources) {
      this.name = name;
      this.sources = sources;
    }

    @Override
    public Optional<WebIdentityToken> find() {
      return search(new ArrayList<>());
    }

    private Optional<WebIdentityToken> search(List<Absence> tried) {
      for (TokenSource s : sources) {
        if (s instanceof Chain chain) {
          Optional<WebIdentityToken> t = chain.search(tried);
          if (t.isPresent()) {
            return t;
          }
          continue;
        }
        if (s instanceof Detecting d) {
          Optional<Absence> absence = d.absence();
          if (absence.isPresent()) {
            tried.add(absence.get());
            continue;
          }
          LOG.debug("Web identity token source: {}", d.describe(true));
          return Optional.of(d.read());
        }
        Optional<WebIdentityToken> t = s.find();
        if (t.isPresent()) {
          LOG.debug("Web identity token source: {}", s.describe());
          return t;
        }
        tried.add(Absence.of("the " + s.describe() + " had no token"));
      }
      return Optional.empty();
    }

    @Override
    public WebIdentityToken fetch() {
      List<Absence> tried = new ArrayList<>();
      Optional<WebIdentityToken> token = search(tried);
      if (token.isPresent()) {
        return token.get();
      }
      List<String> detected = tried.stream().filter(Absence::detected).map(Absence::reason)
          .toList();
      List<String> others = tried.stream().filter(a -> !a.detected()).map(Absence::reason)
          .toList();
      StringBuilder m = new StringBuilder("No web identity token found");
      if (!detected.isEmpty()) {
        m.append(". ").append(String.join(". ", detected)).append(".");
        if (!others.isEmpty()) {
          m.append(" Also tried: ").append(String.join("; ", others)).append(".");
        }
      } else {
        m.append(". Tried, in order: ").append(String.join("; ", others)).append(".")
            .append(" Set ").append(TokenSource.TOKEN_FILE_VARIABLE)
            .append(" to a file holding the token or ").append(TokenSource.TOKEN_VARIABLE)
            .append(" to the token, or run in a CI system or workspace that issues OIDC tokens"
                + " (GitHub Actions, GitLab CI, CircleCI, Bitbucket Pipelines, Buildkite, Ona,"
                + " Gitpod)");
      }
      throw new TokenSourceException(m.toString());
    }

    @Override
    public String describe() {
      Optional<String> using = using();
      return using.map(u -> name + ", using " + u).orElse(name + " (no source available)");
    }

    /** The source a fetch would use, as far as can be told without fetching. */
    private Optional<String> using() {
      for (TokenSource s : sources) {
        if (s instanceof Chain chain) {
          Optional<String> u = chain.using();
          if (u.isPresent()) {
            return u;
          }
        } else if (s instanceof Detecting d) {
          if (d.absence().isEmpty()) {
            return Optional.of(d.describe(true));
          }
        } else {
          return Optional.of(s.describe());
        }
      }
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "TokenSource{" + describe() + "}";
    }
  }
}
