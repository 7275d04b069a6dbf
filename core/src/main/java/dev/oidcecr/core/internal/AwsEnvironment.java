package dev.oidcecr.core.internal;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Reads AWS settings (credentials, region, endpoints) from an injected environment map the way
 * the SDK reads the process environment, and builds the administrative IAM, ECR and STS clients
 * the setup and the doctor use.
 */
public final class AwsEnvironment {
  private static final Logger LOG = LoggerFactory.getLogger(AwsEnvironment.class);

  private AwsEnvironment() {}

  /**
   * Returns static credentials from {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and
   * {@code AWS_SESSION_TOKEN}, when the first two are set.
   */
  public static Optional<AwsCredentialsProvider> credentials(Map<String, String> env) {
    String id = nonBlank(env.get("AWS_ACCESS_KEY_ID"));
    String secret = nonBlank(env.get("AWS_SECRET_ACCESS_KEY"));
    if (id == null || secret == null) {
      return Optional.empty();
    }
    String session = nonBlank(env.get("AWS_SESSION_TOKEN"));
    return Optional.of(StaticCredentialsProvider.create(session == null
        ? AwsBasicCredentials.create(id, secret)
        : AwsSessionCredentials.create(id, secret, session)));
  }

  /**
   * Returns the credentials of {@link #credentials(Map)}, else the SDK's default chain (profile
   * files, container and instance credentials).
   */
  public static AwsCredentialsProvider credentialsOrDefaultChain(Map<String, String> env) {
    return credentials(env).orElseGet(() -> DefaultCredentialsProvider.builder().build());
  }

  /**
   * Returns the endpoint for a service ({@code IAM}, {@code ECR}, {@code STS}): {@code override}
   * when given, else {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}.
   *
   * @throws IllegalArgumentException when a variable is not a URL, naming it
   */
  public static Optional<URI> endpoint(Map<String, String> env, String service,
      Optional<URI> override) {
    if (override.isPresent()) {
      return override;
    }
    for (String name : List.of("AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT),
        "AWS_ENDPOINT_URL")) {
      String value = nonBlank(env.get(name));
      if (value != null) {
        try {
          URI uri = URI.create(value);
          if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("no scheme or host");
          }
          return Optional.of(uri);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(name + " is not a URL (\"" + value + "\"): set it"
              + " to an endpoint such as http://localhost:4566, or unset it", e);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the region from {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, or the {@code region}
   * of the profile ({@code AWS_PROFILE}, else {@code default}) in {@code AWS_CONFIG_FILE} or
   * {@code <home>/.aws/config}.
   */
  public static Optional<String> region(Map<String, String> env, Path home) {
    for (String name : List.of("AWS_REGION", "AWS_DEFAULT_REGION")) {
      String value = nonBlank(env.get(name));
      if (value != null) {
        return Optional.of(value);
      }
    }
    String configFile = nonBlank(env.get("AWS_CONFIG_FILE"));
    Path config = configFile != null ? Path.of(configFile) : home.resolve(".aws/config");
    if (!Files.isRegularFile(config)) {
      return Optional.empty();
    }
    String profile = Optional.ofNullable(nonBlank(env.get("AWS_PROFILE"))).orElse("default");
    try {
      return ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build()
          .profile(profile).flatMap(p -> p.property("region")).map(String::strip)
          .filter(s -> !s.isEmpty());
    } catch (RuntimeException e) {
      LOG.debug("Cannot read the region from {}: {}", config, e.getMessage());
      return Optional.empty();
    }
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /**
   * Builds SDK clients that share one URL-connection HTTP client, and closes them all together.
   * Endpoints come from {@link AwsEnvironment#endpoint}.
   */
  public static final class Clients implements AutoCloseable {
    private final Map<String, String> env;
    private final Optional<URI> endpointOverride;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().build();
    private final List<AutoCloseable> owned = new ArrayList<>();

    /**
     * Creates a factory for clients with these credentials; {@code endpointOverride}, when given,
     * is used for every service.
     */
    public Clients(Map<String, String> env, Optional<URI> endpointOverride,
        AwsCredentialsProvider credentials) {
      this.env = Map.copyOf(env);
      this.endpointOverride = endpointOverride;
      this.credentials = credentials;
    }

    /** Returns a new IAM client for the partition (its global endpoint unless overridden). */
    public IamClient iam(String partition) {
      Optional<URI> endpoint = endpoint(env, "IAM", endpointOverride);
      return own(IamClient.builder().httpClient(http)
          .region(Region.of(AwsNames.iamGlobalRegion(partition)))
          .applyMutation(b -> configure(b, endpoint))
          .build());
    }

    /** Returns a new ECR client for the region. */
    public EcrClient ecr(String region) {
      Optional<URI> endpoint = endpoint(env, "ECR", endpointOverride);
      return own(EcrClient.builder().httpClient(http).region(Region.of(region))
          .applyMutation(b -> configure(b, endpoint)).build());
    }

    /** Returns a new STS client for the region. */
    public StsClient sts(String region) {
      Optional<URI> endpoint = endpoint(env, "STS", endpointOverride);
      return own(StsClient.builder().httpClient(http).region(Region.of(region))
          .applyMutation(b -> configure(b, endpoint)).build());
    }

    private void configure(AwsClientBuilder<?, ?> b, Optional<URI> endpoint) {
      endpoint.ifPresent(b::endpointOverride);
      b.credentialsProvider(credentials);
    }

    private synchronized <T extends AutoCloseable> T own(T client) {
      owned.add(client);
      return client;
    }

    @Override
    public synchronized void close() {
      // Clients before the HTTP client they share.
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          LOG.debug("Closing {} failed", owned.get(i), e);
        }
      }
      owned.clear();
      http.close();
    }
  }
}
