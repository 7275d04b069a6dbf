package dev.oidcecr.examples.tool;

import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.EcrImageReference;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.OidcEcrException;
import dev.oidcecr.core.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * An example of embedding oidc-ecr in a tool: before a workspace starts, check that its image
 * exists in the private registry and that the workspace's role may pull it.
 *
 * <p>The registry's base URL is a parameter only so that a test can point it at the fake's
 * registry; in production it is {@code https://<registry host>}.
 */
public final class ImageChecker implements AutoCloseable {

  /** What the check found. */
  public record Result(String image, boolean pullable, Optional<String> digest, String detail) {}

  private final OidcEcrAuthenticator authenticator;
  private final URI registryBaseUrl;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  private ImageChecker(OidcEcrAuthenticator authenticator, URI registryBaseUrl) {
    this.authenticator = authenticator;
    this.registryBaseUrl = registryBaseUrl;
  }

  /**
   * Returns a checker for images of one registry.
   *
   * @param roleArn the workspace role, such as {@code $IDP_AWS_ROLE_ARN}
   * @param image an image of the registry, such as
   *     {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:latest}
   * @param tokens where the workspace's OIDC token comes from
   * @param awsEndpoint an endpoint override for STS and ECR, or {@code null} for AWS itself
   * @param registryBaseUrl the registry's base URL, or {@code null} for {@code https://<host>}
   */
  public static ImageChecker create(String roleArn, String image, TokenSource tokens,
      URI awsEndpoint, URI registryBaseUrl) {
    // tag::embed[]
    OidcEcrAuthenticator.Builder builder = OidcEcrAuthenticator.builder()
        .roleArn(roleArn)                 // e.g. System.getenv("IDP_AWS_ROLE_ARN")
        .registry(image)                  // a registry host or any image reference in it
        .tokenSource(tokens);             // default: TokenSource.defaultChain(System.getenv())
    if (awsEndpoint != null) {
      builder.endpoint(awsEndpoint);      // only to point STS and ECR at a fake
    }
    OidcEcrAuthenticator authenticator = builder.build();
    // end::embed[]
    URI base = registryBaseUrl != null ? registryBaseUrl
        : URI.create(authenticator.registry().proxyEndpoint());
    return new ImageChecker(authenticator, base);
  }

  /** Checks one image of the registry; never throws for a refusal, it reports it. */
  public Result check(String image) {
    EcrImageReference ref = EcrImageReference.parse(image);
    DockerAuth auth;
    try {
      // tag::authenticate[]
      auth = authenticator.authenticate();           // cached until half the token's life
      String header = auth.authorizationHeader();    // "Basic ..." for registry requests
      // end::authenticate[]
      String reference = ref.digest().orElseGet(() -> ref.tag().orElse("latest"));
      URI manifest = registryBaseUrl.resolve(
          "/v2/" + ref.repository() + "/manifests/" + reference);
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(manifest)
              .method("HEAD", HttpRequest.BodyPublishers.noBody())
              .header("Authorization", header)
              .header("Accept", "application/vnd.oci.image.manifest.v1+json,"
                  + "application/vnd.docker.distribution.manifest.v2+json")
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status == 200) {
        return new Result(image, true,
            response.headers().firstValue("Docker-Content-Digest"), "pullable");
      }
      return new Result(image, false, Optional.empty(), status == 404
          ? "no such image or repository (HTTP 404)"
          : "the registry refused the role (HTTP " + status + "): check the permission and"
              + " repository policies");
    } catch (OidcEcrException e) {
      return new Result(image, false, Optional.empty(), e.getMessage());
    } catch (IOException e) {
      return new Result(image, false, Optional.empty(), "registry unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(image, false, Optional.empty(), "interrupted");
    }
  }

  @Override
  public void close() {
    authenticator.close();
  }
}
