package dev.oidcecr.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker credential helper protocol, so that {@code docker} and other registry clients can get
 * ECR credentials from this library.
 *
 * <p>Docker runs {@code docker-credential-<name> <action>} with the input on standard input:
 *
 * <ul>
 *   <li>{@code get}: reads a server URL and prints {@code {"ServerURL":..,"Username":..,
 *       "Secret":..}}; a host that is not ECR, or for which the credential function has nothing,
 *       gets {@value #NOT_FOUND} and exit code 1, which Docker treats as "no credentials".
 *   <li>{@code list}: prints the known registries as {@code {"<host>":"AWS"}}.
 *   <li>{@code store}, {@code erase}: the input is checked as the protocol does ({@value
 *       #NO_SERVER_URL}, {@value #NO_USERNAME}), then answered with {@value #NOT_IMPLEMENTED} and
 *       exit code 1, as awslabs' {@code docker-credential-ecr-login} does: credentials are minted,
 *       not stored, and {@code docker login} must not report a login Docker will not use.
 *   <li>{@code version}: prints the version.
 *   <li>any other action: {@code Unknown credential action `<action>`} and exit code 1.
 * </ul>
 *
 * <p>Errors are printed on standard output, as the protocol wants, with exit code 1; they never
 * contain a secret.
 *
 * <pre>{@code
 * CredentialHelper helper = CredentialHelper.of(
 *     registry -> Optional.of(authenticator.authenticate(registry)));
 * System.exit(helper.run(List.of(args), System.in, System.out));
 * }</pre>
 */
public final class CredentialHelper {
  /** The message the protocol uses for "no credentials for this server". */
  public static final String NOT_FOUND = "credentials not found in native keychain";
  /** The protocol's answer to input without a server URL. */
  public static final String NO_SERVER_URL = "no credentials server URL";
  /** The protocol's answer to {@code store} input without a user name. */
  public static final String NO_USERNAME = "no credentials username";
  /** The answer to {@code store} and {@code erase}: this helper mints, it does not store. */
  public static final String NOT_IMPLEMENTED = "not implemented";

  private static final Logger LOG = LoggerFactory.getLogger(CredentialHelper.class);
  private static final int MAX_INPUT = 64 * 1024;

  private final Function<EcrRegistry, Optional<DockerAuth>> credentials;
  private final Supplier<List<EcrRegistry>> knownRegistries;
  private final String version;
  private final java.util.Map<String, EcrRegistry> aliases;

  private CredentialHelper(Builder b) {
    this.aliases = java.util.Map.copyOf(b.aliases);
    this.credentials = Objects.requireNonNull(b.credentials, "credentials must be set");
    this.knownRegistries = b.knownRegistries;
    this.version = b.version;
  }

  /**
   * Returns a helper that asks {@code credentials} for the credentials of an ECR registry.
   *
   * @param credentials the AWS credentials provider
   * @return a helper that asks {@code credentials} for the credentials of an ECR registry
   */
  public static CredentialHelper of(Function<EcrRegistry, Optional<DockerAuth>> credentials) {
    return builder().credentials(credentials).build();
  }

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs one action of the protocol.
   *
   * @param args the command-line arguments; the first is the action
   * @param stdin where the action's input is read
   * @param stdout where the answer (or the error) is written
   * @return the process exit code: 0 on success, 1 on error or "not found"
   */
  public int run(List<String> args, InputStream stdin, OutputStream stdout) {
    if (args.size() != 1) {
      return answer(
          stdout,
          "Usage: docker-credential-oidc-ecr <store|get|erase|list|version>",
          1);
    }
    String action = args.get(0);
    try {
      switch (action) {
        case "get":
          return get(readInput(stdin).strip(), stdout);
        case "list":
          return list(stdout);
        case "store":
          return store(readInput(stdin), stdout);
        case "erase":
          if (readInput(stdin).strip().isEmpty()) {
            return answer(stdout, NO_SERVER_URL, 1);
          }
          LOG.debug("Credential helper 'erase': nothing is stored, nothing to erase");
          return answer(stdout, NOT_IMPLEMENTED, 1);
        case "version":
          return answer(stdout, "oidc-ecr credential helper " + version, 0);
        default:
          return answer(stdout, "Unknown credential action `" + action + "`", 1);
      }
    } catch (OidcEcrException e) {
      LOG.debug("Credential helper '{}' failed: {}", action, e.getMessage());
      return answer(stdout, e.getMessage(), 1);
    } catch (UncheckedIOException e) {
      return answer(stdout, "oidc-ecr: cannot read standard input: " + e.getCause().getMessage(), 1);
    } catch (RuntimeException e) {
      // An unknown exception's message is not vetted for secrets: name its type only.
      LOG.debug("Credential helper '{}' failed", action, e);
      return answer(
          stdout,
          "oidc-ecr: unexpected " + e.getClass().getName() + "; run again with OIDC_ECR_DEBUG=1"
              + " for the details on standard error",
          1);
    }
  }

  private int store(String input, OutputStream stdout) {
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = Json.MAPPER.readTree(input);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      // The parser's message could quote the input, which holds the secret: say what is wanted.
      return answer(stdout, "oidc-ecr: the input of store is not a JSON object with ServerURL,"
          + " Username and Secret", 1);
    }
    if (node.path("ServerURL").asText("").isEmpty()) {
      return answer(stdout, NO_SERVER_URL, 1);
    }
    if (node.path("Username").asText("").isEmpty()) {
      return answer(stdout, NO_USERNAME, 1);
    }
    LOG.debug("Credential helper 'store': credentials are minted, not stored");
    return answer(stdout, NOT_IMPLEMENTED, 1);
  }

  private int get(String serverUrl, OutputStream stdout) {
    if (serverUrl.isEmpty()) {
      return answer(stdout, NO_SERVER_URL, 1);
    }
    EcrRegistry registry = aliases.get(
        dev.oidcecr.core.internal.RegistryAliases.normalize(serverUrl));
    try {
      if (registry == null) {
        registry = EcrRegistry.parse(serverUrl);
      }
    } catch (InvalidRegistryException e) {
      // The message quotes the URL with any credentials in it redacted; the raw URL is not logged.
      LOG.debug("Credential helper: not an ECR registry: {}", e.getMessage());
      return answer(stdout, NOT_FOUND, 1);
    }
    Optional<DockerAuth> auth = credentials.apply(registry);
    if (auth.isEmpty()) {
      LOG.debug("Credential helper: no credentials for {}", registry);
      return answer(stdout, NOT_FOUND, 1);
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("ServerURL", serverUrl);
    out.put("Username", auth.get().username());
    out.put("Secret", auth.get().password());
    return answer(stdout, json(out), 0);
  }

  private int list(OutputStream stdout) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (EcrRegistry r : knownRegistries.get()) {
      out.put(r.host(), "AWS");
    }
    return answer(stdout, json(out), 0);
  }

  private static String json(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  private static String readInput(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (buf.size() + n > MAX_INPUT) {
          throw new OidcEcrException(
              "oidc-ecr: more than 64 KiB on standard input; the credential helper expects a"
                  + " server URL");
        }
        buf.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static int answer(OutputStream stdout, String text, int code) {
    try {
      if (!text.isEmpty()) {
        stdout.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      }
      stdout.flush();
    } catch (IOException e) {
      LOG.debug("Credential helper could not write its answer", e);
      return 1;
    }
    return code;
  }

  @Override
  public String toString() {
    return "CredentialHelper{version=" + version + "}";
  }

  /** Builds a {@link CredentialHelper}; {@link #credentials} is required. */
  public static final class Builder {
    private Function<EcrRegistry, Optional<DockerAuth>> credentials;
    private Supplier<List<EcrRegistry>> knownRegistries = List::of;
    private String version = defaultVersion();
    private final java.util.Map<String, EcrRegistry> aliases = new java.util.LinkedHashMap<>();

    private Builder() {}

    /**
     * Lets {@code get} for another host (a registry proxy, a test's {@code 127.0.0.1:5000})
     * answer with the credentials of an ECR registry. Only configured aliases are answered.
     *
     * @param host the host name
     * @param registry the ECR registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
     * @return this builder
     */
    public Builder registryAlias(String host, EcrRegistry registry) {
      aliases.put(dev.oidcecr.core.internal.RegistryAliases.normalize(
          Objects.requireNonNull(host, "host")), Objects.requireNonNull(registry, "registry"));
      return this;
    }

    /**
     * Sets the function that gives credentials for an ECR registry, or empty when it has none
     * for it. Called only for hosts that parse as ECR registries.
     *
     * @param credentials the AWS credentials provider
     * @return this builder
     */
    public Builder credentials(Function<EcrRegistry, Optional<DockerAuth>> credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Sets the registries that {@code list} reports (none by default).
     *
     * @param registries the registries that {@code list} reports (none by default)
     * @return this builder
     */
    public Builder knownRegistries(List<EcrRegistry> registries) {
      List<EcrRegistry> copy = List.copyOf(registries);
      this.knownRegistries = () -> copy;
      return this;
    }

    /**
     * Sets the supplier of the registries that {@code list} reports, asked at each call.
     *
     * @param registries the supplier of the registries that {@code list} reports, asked at each call
     * @return this builder
     */
    public Builder knownRegistries(Supplier<List<EcrRegistry>> registries) {
      this.knownRegistries = Objects.requireNonNull(registries, "registries");
      return this;
    }

    /**
     * Sets the version that {@code version} prints (by default the jar's version).
     *
     * @param version the version that {@code version} prints (by default the jar's version)
     * @return this builder
     */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Returns the helper.
     *
     * @return the helper
     */
    public CredentialHelper build() {
      return new CredentialHelper(this);
    }

    private static String defaultVersion() {
      String v = CredentialHelper.class.getPackage().getImplementationVersion();
      return v == null ? "development" : v;
    }
  }
}
