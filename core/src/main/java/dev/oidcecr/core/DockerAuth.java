package dev.oidcecr.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.internal.Json;
import dev.oidcecr.policies.internal.ValueStyle;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Credentials for one Docker registry: what {@code docker login} stores.
 *
 * <p>For ECR the username is {@code AWS} and the password a 12-hour token. {@link #toString()}
 * never shows the password.
 */
@Value.Immutable
@ValueStyle
public abstract class DockerAuth {

  DockerAuth() {}

  /**
   * Returns a new builder; host, username and password are required.
   *
   * @return a new builder; host, username and password are required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns credentials without an expiry.
   *
   * @param registryHost the registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
   * @param username the user name ({@code AWS} for ECR)
   * @param password the password (an ECR authorization token); never logged
   * @return credentials without an expiry
   */
  public static DockerAuth of(String registryHost, String username, String password) {
    return builder().registryHost(registryHost).username(username).password(password).build();
  }

  /**
   * Returns credentials from ECR's {@code GetAuthorizationToken} answer.
   *
   * @param authorizationToken base64 of {@code AWS:<password>}, as ECR returns it
   * @param expiresAt the token's {@code expiresAt}
   * @param proxyEndpoint the {@code proxyEndpoint}, such as {@code https://<host>}
   * @throws OidcEcrException if the token is not base64 of {@code user:password}
   *
   * @return credentials from ECR's {@code GetAuthorizationToken} answer
   */
  public static DockerAuth fromEcrAuthorizationToken(
      String authorizationToken, Instant expiresAt, String proxyEndpoint) {
    String decoded;
    try {
      decoded =
          new String(Base64.getDecoder().decode(authorizationToken.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new EcrAuthorizationException(
          "ECR's authorization token for "
              + proxyEndpoint
              + " is not base64: the ECR endpoint answered something unexpected; check the"
              + " endpoint URL");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || colon == decoded.length() - 1) {
      throw new EcrAuthorizationException(
          "ECR's authorization token for "
              + proxyEndpoint
              + " is not of the form user:password: the ECR endpoint answered something"
              + " unexpected; check the endpoint URL");
    }
    String host = proxyEndpoint.strip();
    if (host.startsWith("https://")) {
      host = host.substring("https://".length());
    }
    while (host.endsWith("/")) {
      host = host.substring(0, host.length() - 1);
    }
    return builder()
        .registryHost(host)
        .username(decoded.substring(0, colon))
        .password(decoded.substring(colon + 1))
        .expiresAt(expiresAt)
        .build();
  }

  /**
   * Returns the registry host, the key under {@code auths} in Docker's {@code config.json}.
   *
   * @return the registry host, the key under {@code auths} in Docker's {@code config.json}
   */
  public abstract String registryHost();

  /**
   * Returns the user name ({@code AWS} for ECR).
   *
   * @return the user name ({@code AWS} for ECR)
   */
  public abstract String username();

  /**
   * Returns the password. A secret: never log it.
   *
   * @return the password
   */
  @Value.Redacted
  public abstract String password();

  /**
   * Returns when the credentials stop working, if known.
   *
   * @return when the credentials stop working, if known
   */
  public abstract Optional<Instant> expiresAt();

  /**
   * Tells whether the credentials have expired at the clock's instant (never, if no expiry).
   *
   * @param clock the clock that supplies the current time (a fixed one in tests)
   * @return {@code true} if the credentials have expired at the clock's instant (never, if no expiry)
   */
  public boolean isExpired(Clock clock) {
    return expiresAt().map(e -> !clock.instant().isBefore(e)).orElse(false);
  }

  /**
   * Returns the registry, if the host is an Amazon ECR registry.
   *
   * @return the registry, if the host is an Amazon ECR registry
   */
  public Optional<EcrRegistry> registry() {
    return EcrRegistry.tryParse(registryHost());
  }

  /**
   * Returns base64 of {@code username:password}: the {@code auth} field of {@code config.json}.
   *
   * @return base64 of {@code username:password}: the {@code auth} field of {@code config.json}
   */
  public String encodedAuth() {
    return Base64.getEncoder()
        .encodeToString((username() + ":" + password()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the HTTP {@code Authorization} header value: {@code Basic} and the encoded auth.
   *
   * @return the HTTP {@code Authorization} header value
   */
  public String authorizationHeader() {
    return "Basic " + encodedAuth();
  }

  /**
   * Returns a Docker {@code config.json} holding only these credentials.
   *
   * @return a Docker {@code config.json} holding only these credentials
   */
  public String toDockerConfigJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.putObject("auths").putObject(registryHost()).put("auth", encodedAuth());
    try {
      return Json.MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  @Value.Check
  void check() {
    if (registryHost().isBlank()) {
      throw new IllegalArgumentException("A Docker registry host must not be blank");
    }
    if (username().isEmpty() || username().indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "A Docker user name must be non-empty and contain no ':' (Basic authentication splits"
              + " at the first colon)");
    }
  }

  /** Builds a {@link DockerAuth}. */
  public static final class Builder extends ImmutableDockerAuth.Builder {
    Builder() {}
  }
}
