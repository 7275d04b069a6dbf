package dev.oidcecr.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfigException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A Docker credential helper ({@code docker-credential-<name>}) run as the Docker CLI runs it to
 * store a login: the program is looked up on {@code PATH}, given the action {@code store} as its
 * only argument and {@code {"ServerURL":..,"Username":..,"Secret":..}} on standard input; exit
 * status 0 means stored, anything else failed with the reason on standard output. (Docker's
 * credential helper protocol, docker/docker-credential-helpers, client {@code Store}.)
 */
public final class CredentialStoreHelper {
  /** The names Docker accepts after {@code docker-credential-}. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final int MAX_REASON_CHARS = 200;

  private final String name;
  private final Path program;
  private final Map<String, String> env;

  private CredentialStoreHelper(String name, Path program, Map<String, String> env) {
    this.name = name;
    this.program = program;
    this.env = env;
  }

  /**
   * Finds {@code docker-credential-<name>} on the {@code PATH} of {@code env}; empty if it is not
   * there (or {@code name} is not a helper name).
   */
  public static Optional<CredentialStoreHelper> find(String name, Map<String, String> env) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    String program = "docker-credential-" + name;
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      // An empty PATH entry is the current folder, as for the shell and Go's LookPath.
      Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(new CredentialStoreHelper(name, candidate.toAbsolutePath(), env));
      }
    }
    return Optional.empty();
  }

  /** Returns the program's file name, {@code docker-credential-<name>}. */
  public String program() {
    return "docker-credential-" + name;
  }

  /** Returns where the program was found. */
  public Path path() {
    return program;
  }

  /**
   * Stores {@code auth} under its bare registry host, as {@code docker login} does with a
   * credentials store.
   *
   * @throws DockerConfigException if the helper cannot be run, fails or takes longer than
   *     {@code timeout}; the message never holds the password
   */
  public void store(DockerAuth auth, Duration timeout) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("ServerURL", auth.registryHost());
    json.put("Username", auth.username());
    json.put("Secret", auth.password());
    byte[] input;
    try {
      input = Json.MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(program.toString(), "store"));
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw failure(auth, "it could not be started (" + e.getClass().getSimpleName() + ")");
    }
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(p));
    try (OutputStream in = p.getOutputStream()) {
      in.write(input);
    } catch (IOException e) {
      // It exited without reading: its status and output say why.
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw failure(auth, "it was still running after " + timeout.toSeconds() + " s");
      }
      int status = p.exitValue();
      if (status != 0) {
        String said = new String(output.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        throw failure(auth, "it exited with status " + status + reason(said, auth.password()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw failure(auth, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw failure(auth, "its output could not be read");
    }
  }

  private DockerConfigException failure(DockerAuth auth, String why) {
    return new DockerConfigException(program() + " (" + program + ") failed to store the login"
        + " for " + auth.registryHost() + ": " + why);
  }

  /** The helper's first line, short and without the password it was given. */
  private static String reason(String said, String password) {
    String line = said.strip().lines().findFirst().orElse("").strip();
    if (!password.isEmpty()) {
      line = line.replace(password, "<redacted>");
    }
    if (line.length() > MAX_REASON_CHARS) {
      line = line.substring(0, MAX_REASON_CHARS) + "...";
    }
    return line.isEmpty() ? "" : " (\"" + line + "\")";
  }

  private static byte[] readAll(Process p) {
    try (InputStream out = p.getInputStream()) {
      // A helper says why in a line; more than 64 KiB is not read.
      byte[] head = out.readNBytes(64 * 1024);
      out.transferTo(OutputStream.nullOutputStream());
      return head;
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
