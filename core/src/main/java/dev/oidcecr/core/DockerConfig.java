package dev.oidcecr.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.AtomicFiles;
import dev.oidcecr.core.internal.TransientLocks;
import dev.oidcecr.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker CLI configuration file ({@code config.json}), read and written as the Docker CLI does.
 *
 * <p>Credentials are stored under the bare registry host in {@code auths}, as base64 of {@code
 * user:password} in {@code auth}; credential helpers under {@code credHelpers}. Every field this
 * class does not know is kept, in its order.
 *
 * <p>Each change is a locked read-modify-write: an exclusive lock on a {@code config.json.lock}
 * sibling (plus a lock inside this JVM) so that concurrent writers, threads or processes, lose
 * nothing. The lock file is deleted before the lock is released, so none is left beside the file
 * (the Docker CLI never leaves one). The new content goes to a temporary file in the same folder which is then renamed over
 * the old one, so readers never see half a file. A new file is created mode 0600 (its folder
 * 0700); an existing file keeps its mode. Nothing is written when nothing changes. A file that is
 * not valid JSON is reported, never overwritten.
 */
public final class DockerConfig {
  private static final Logger LOG = LoggerFactory.getLogger(DockerConfig.class);
  private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> CREDENTIAL_FIELDS =
      List.of("auth", "username", "password", "identitytoken", "registrytoken");

  private final Path file;
  private final Duration lockTimeout;

  private DockerConfig(Path file, Duration lockTimeout) {
    this.file = file;
    this.lockTimeout = lockTimeout;
  }

  /**
   * Returns the configuration stored in {@code file} (which need not exist yet).
   *
   * @param file the Docker {@code config.json}, such as {@code ~/.docker/config.json}
   * @return the configuration stored in {@code file} (which need not exist yet)
   */
  public static DockerConfig at(Path file) {
    return new DockerConfig(Objects.requireNonNull(file, "file"), DEFAULT_LOCK_TIMEOUT);
  }

  /**
   * Returns the configuration the Docker CLI would use: {@code $DOCKER_CONFIG/config.json} if
   * {@code DOCKER_CONFIG} is set in {@code environment}, else {@code <home>/.docker/config.json}.
   *
   * @param environment the environment variables to read
   * @param home the home directory
   * @return the configuration the Docker CLI would use
   */
  public static DockerConfig fromEnvironment(Map<String, String> environment, Path home) {
    String dir = environment.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return at(Path.of(dir).resolve("config.json"));
    }
    return at(home.resolve(".docker").resolve("config.json"));
  }

  /**
   * Returns the configuration of the current user, from the real environment and home.
   *
   * @return the configuration of the current user, from the real environment and home
   */
  public static DockerConfig forCurrentUser() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * Returns a configuration like this one that waits at most {@code timeout} for the lock.
   *
   * @param timeout how long to wait at most
   * @return a configuration like this one that waits at most {@code timeout} for the lock
   */
  public DockerConfig withLockTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("The lock timeout must not be negative");
    }
    return new DockerConfig(file, timeout);
  }

  /**
   * Returns the path of {@code config.json}.
   *
   * @return the path of {@code config.json}
   */
  public Path path() {
    return file;
  }

  /**
   * Reads the file; a missing or empty file reads as an empty configuration.
   *
   * @throws DockerConfigException if the file cannot be read or is not a JSON object
   *
   * @return the configuration as read
   */
  public Snapshot read() {
    return new Snapshot(readTree(target()));
  }

  /**
   * Returns the credentials stored for {@code host}, if any.
   *
   * @param host the host name
   * @return the credentials stored for {@code host}, if any
   */
  public Optional<DockerAuth> auth(String host) {
    return read().auth(host);
  }

  /**
   * Stores {@code auth} under its bare registry host, as {@code docker login} does.
   *
   * @return true if the file changed
   * @throws DockerConfigException if the file cannot be read, locked or written
   *
   * @param auth the credentials to store
   */
  public boolean store(DockerAuth auth) {
    String host = auth.registryHost();
    String encoded = auth.encodedAuth();
    return update(
        root -> {
          ObjectNode auths = objectField(root, "auths");
          JsonNode existing = auths.get(host);
          ObjectNode entry =
              existing != null && existing.isObject()
                  ? (ObjectNode) existing
                  : auths.putObject(host);
          entry.remove(CREDENTIAL_FIELDS);
          entry.put("auth", encoded);
          warnIfShadowed(root, host);
        });
  }

  /**
   * Removes the credentials stored for {@code host} (under the bare host or {@code https://host}).
   *
   * @return true if the file changed
   *
   * @param host the host name
   */
  public boolean erase(String host) {
    Objects.requireNonNull(host, "host");
    return update(
        root -> {
          JsonNode auths = root.get("auths");
          if (auths instanceof ObjectNode) {
            ((ObjectNode) auths).remove(List.of(host, "https://" + host));
          }
        });
  }

  /**
   * Makes Docker ask the credential helper {@code docker-credential-<helperName>} for {@code host}.
   *
   * @return true if the file changed
   *
   * @param host the host name
   * @param helperName the helper's name without the {@code docker-credential-} prefix
   */
  public boolean setCredentialHelper(String host, String helperName) {
    Objects.requireNonNull(host, "host");
    if (!HELPER_NAME.matcher(helperName).matches()) {
      throw new IllegalArgumentException(
          "\"" + helperName + "\" is not a credential helper name: use letters, digits, '.', '_'"
              + " and '-' only");
    }
    if (helperName.startsWith("docker-credential-")) {
      throw new IllegalArgumentException(
          "Pass the helper name without its docker-credential- prefix: \""
              + helperName.substring("docker-credential-".length())
              + "\"");
    }
    return update(root -> objectField(root, "credHelpers").put(host, helperName));
  }

  /**
   * Removes the credential helper set for {@code host}.
   *
   * @return true if the file changed
   *
   * @param host the host name
   */
  public boolean removeCredentialHelper(String host) {
    return update(
        root -> {
          JsonNode helpers = root.get("credHelpers");
          if (helpers instanceof ObjectNode) {
            ((ObjectNode) helpers).remove(host);
          }
        });
  }

  @FunctionalInterface
  private interface Mutation {
    void apply(ObjectNode root);
  }

  private boolean update(Mutation mutation) {
    Path target = target();
    Path dir = target.toAbsolutePath().getParent();
    try {
      AtomicFiles.createPrivateDirectories(dir);
    } catch (IOException e) {
      throw new DockerConfigException(
          "Cannot create the Docker config folder "
              + dir
              + " ("
              + e.getClass().getSimpleName()
              + "): check that its parent is writable, or set DOCKER_CONFIG to another folder",
          e);
    }
    Path lockFile = dir.resolve(target.getFileName() + ".lock");
    try {
      return TransientLocks.withLock(
          lockFile,
          lockTimeout,
          () -> {
            ObjectNode before = readTree(target);
            ObjectNode after = before.deepCopy();
            mutation.apply(after);
            if (after.equals(before)) {
              LOG.debug("Docker config {} unchanged: not rewritten", target);
              return false;
            }
            byte[] bytes = (Json.DOCKER_WRITER.writeValueAsString(after) + "\n")
                .getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(target, bytes, AtomicFiles.OWNER_READ_WRITE);
            LOG.debug("Docker config {} written", target);
            return true;
          });
    } catch (TimeoutException e) {
      throw new DockerConfigException(
          "Timed out after "
              + lockTimeout
              + " waiting for the lock on "
              + lockFile
              + ": another process is writing "
              + target
              + "; retry, or if no process is, check that the lock file's folder is on a local"
              + " disk");
    } catch (IOException e) {
      throw new DockerConfigException(
          "Cannot write the Docker config "
              + target
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "): check the folder's permissions and free space",
          e);
    }
  }

  /** Follows symbolic links, so a linked config.json is updated in place, like the Docker CLI. */
  private Path target() {
    Path p = file;
    try {
      for (int i = 0; i < 20 && Files.isSymbolicLink(p); i++) {
        Path link = Files.readSymbolicLink(p);
        Path parent = p.toAbsolutePath().getParent();
        p = parent.resolve(link).normalize();
      }
    } catch (IOException e) {
      throw new DockerConfigException(
          "Cannot follow the symbolic link " + file + ": check where it points", e);
    }
    return p;
  }

  private ObjectNode readTree(Path target) {
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(target)) {
      // At most the cap: a config.json linked to /dev/zero must not fill the memory.
      bytes = in.readNBytes(Json.MAX_DOCKER_CONFIG_BYTES + 1);
      if (bytes.length > Json.MAX_DOCKER_CONFIG_BYTES) {
        throw new DockerConfigException("The Docker config " + target + " is larger than "
            + (Json.MAX_DOCKER_CONFIG_BYTES >> 20) + " MiB, the most oidc-ecr reads: move it"
            + " away or shrink it; it was left untouched");
      }
    } catch (NoSuchFileException e) {
      return Json.MAPPER.createObjectNode();
    } catch (IOException e) {
      throw new DockerConfigException(
          "Cannot read the Docker config "
              + target
              + " ("
              + e.getClass().getSimpleName()
              + "): check that it is a readable file",
          e);
    }
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = Json.LENIENT.readTree(bytes);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw new DockerConfigException("The Docker config " + target + " goes beyond a limit of"
          + " the JSON reader (strings up to " + (Json.MAX_DOCKER_CONFIG_BYTES >> 20) + " MiB,"
          + " nesting up to " + Json.MAX_DOCKER_CONFIG_DEPTH + " levels, as Docker's own"
          + " reader): shrink it; it was left untouched");
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      // No cause attached: the parser's message can quote the file, which holds secrets.
      throw new DockerConfigException(
          "The Docker config "
              + target
              + " is not valid JSON"
              + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")")
              + ": fix the file or move it away; it was left untouched");
    } catch (IOException e) {
      throw new DockerConfigException("Cannot read the Docker config " + target, e);
    }
    if (!(node instanceof ObjectNode)) {
      throw new DockerConfigException(
          "The Docker config "
              + target
              + " is JSON but not an object: fix the file or move it away; it was left untouched");
    }
    for (String field : List.of("auths", "credHelpers")) {
      JsonNode v = node.get(field);
      if (v != null && !v.isObject() && !v.isNull()) {
        throw new DockerConfigException(
            "The Docker config "
                + target
                + " has a \""
                + field
                + "\" that is not an object: fix the file or move it away; it was left untouched");
      }
    }
    return (ObjectNode) node;
  }

  private static ObjectNode objectField(ObjectNode root, String name) {
    JsonNode v = root.get(name);
    if (v instanceof ObjectNode) {
      return (ObjectNode) v;
    }
    return root.putObject(name);
  }

  private void warnIfShadowed(ObjectNode root, String host) {
    JsonNode helper = root.path("credHelpers").get(host);
    // Docker's rule: the host's credHelpers entry wins, an empty one meaning this file.
    if (helper != null && helper.isTextual() && helper.textValue().isEmpty()) {
      return;
    }
    if (helper != null && helper.isTextual()) {
      LOG.warn(
          "{} sets credential helper '{}' for {}: Docker will ask that helper, not the stored"
              + " credentials",
          file,
          helper.textValue(),
          host);
    } else if (root.path("credsStore").isTextual()
        && !root.path("credsStore").textValue().isEmpty()) {
      LOG.warn(
          "{} sets credsStore '{}': Docker will ask that store, not the stored credentials, for"
              + " {}; set a credential helper for the host instead",
          file,
          root.path("credsStore").textValue(),
          host);
    }
  }

  @Override
  public String toString() {
    return "DockerConfig{" + file + "}";
  }

  /**
   * The content of a {@code config.json} at one moment. May hold secrets: {@link #toString()}
   * shows only the registry hosts and helpers.
   */
  public final class Snapshot {
    private final ObjectNode root;

    private Snapshot(ObjectNode root) {
      this.root = root;
    }

    /**
     * Tells whether the file was missing, empty or {@code {}}.
     *
     * @return {@code true} if the file was missing, empty or {@code {}}
     */
    public boolean isEmpty() {
      return root.isEmpty();
    }

    /**
     * Returns the top-level field names, in file order.
     *
     * @return the top-level field names, in file order
     */
    public List<String> fieldNames() {
      List<String> names = new ArrayList<>();
      root.fieldNames().forEachRemaining(names::add);
      return Collections.unmodifiableList(names);
    }

    /**
     * Returns the keys of {@code auths}, in file order.
     *
     * @return the keys of {@code auths}, in file order
     */
    public List<String> authHosts() {
      List<String> hosts = new ArrayList<>();
      JsonNode auths = root.get("auths");
      if (auths instanceof ObjectNode) {
        auths.fieldNames().forEachRemaining(hosts::add);
      }
      return Collections.unmodifiableList(hosts);
    }

    /**
     * Returns the credentials stored for {@code host} (under the bare host or {@code
     * https://host}), if there are any.
     *
     * @throws DockerConfigException if the stored {@code auth} is not base64 of {@code user:pass}
     *
     * @param host the host name
     * @return the credentials stored for {@code host} (under the bare host or {@code https://host}), if there are any
     */
    public Optional<DockerAuth> auth(String host) {
      JsonNode auths = root.path("auths");
      JsonNode entry = auths.get(host);
      if (entry == null) {
        entry = auths.get("https://" + host);
      }
      if (entry == null || !entry.isObject()) {
        return Optional.empty();
      }
      JsonNode auth = entry.get("auth");
      if (auth != null && auth.isTextual() && !auth.textValue().isEmpty()) {
        String decoded;
        try {
          decoded =
              new String(Base64.getDecoder().decode(auth.textValue().strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw corruptAuth(host);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
          throw corruptAuth(host);
        }
        return Optional.of(
            DockerAuth.of(host, decoded.substring(0, colon), decoded.substring(colon + 1)));
      }
      JsonNode user = entry.get("username");
      JsonNode pass = entry.get("password");
      if (user != null && user.isTextual() && pass != null && pass.isTextual()
          && !user.textValue().isEmpty() && user.textValue().indexOf(':') < 0) {
        return Optional.of(DockerAuth.of(host, user.textValue(), pass.textValue()));
      }
      return Optional.empty();
    }

    private DockerConfigException corruptAuth(String host) {
      return new DockerConfigException(
          "The \"auth\" stored for "
              + host
              + " in "
              + file
              + " is not base64 of user:password: log in to "
              + host
              + " again, or erase the entry");
    }

    /**
     * Returns the credential helper names by registry host ({@code credHelpers}).
     *
     * @return the credential helper names by registry host ({@code credHelpers})
     */
    public Map<String, String> credentialHelpers() {
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode helpers = root.get("credHelpers");
      if (helpers instanceof ObjectNode) {
        for (Map.Entry<String, JsonNode> e : helpers.properties()) {
          if (e.getValue().isTextual()) {
            out.put(e.getKey(), e.getValue().textValue());
          }
        }
      }
      return Collections.unmodifiableMap(out);
    }

    /**
     * Returns the credential helper for {@code host}, if one is set.
     *
     * @param host the host name
     * @return the credential helper for {@code host}, if one is set
     */
    public Optional<String> credentialHelper(String host) {
      return Optional.ofNullable(credentialHelpers().get(host));
    }

    /**
     * Returns the default credentials store ({@code credsStore}), if one is set.
     *
     * @return the default credentials store ({@code credsStore}), if one is set
     */
    public Optional<String> credentialsStore() {
      JsonNode v = root.get("credsStore");
      return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
    }

    /**
     * Returns the content as JSON. Holds secrets: never log it.
     *
     * @return the content as JSON
     */
    public String toJson() {
      try {
        return Json.DOCKER_WRITER.writeValueAsString(root);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot write JSON", e);
      }
    }

    /** Shows the hosts with credentials and the helpers; never the credentials. */
    @Override
    public String toString() {
      return "DockerConfig.Snapshot{file="
          + file
          + ", auths="
          + authHosts()
          + ", credHelpers="
          + credentialHelpers()
          + credentialsStore().map(s -> ", credsStore=" + s).orElse("")
          + "}";
    }
  }
}
