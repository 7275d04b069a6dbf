package dev.oidcecr.examples.jib;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.OidcEcrException;
import java.util.Objects;
import java.util.Optional;

/**
 * Gives Jib the ECR login of an {@link OidcEcrAuthenticator}: credentials for the image's
 * registry when it is an ECR host or an alias the authenticator was given, nothing otherwise (so
 * Jib's other retrievers may answer), and a {@code CredentialRetrievalException} that keeps
 * oidc-ecr's explanation when the login is refused.
 */
// tag::jib-retriever[]
public final class OidcEcrCredentialRetriever implements CredentialRetriever {
  private final OidcEcrAuthenticator authenticator;
  private final String registry;

  /**
   * Creates a retriever for one image's registry.
   *
   * @param registry the registry part of the image reference, such as
   *     {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com} or {@code 127.0.0.1:5000}
   */
  public OidcEcrCredentialRetriever(OidcEcrAuthenticator authenticator, String registry) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public Optional<Credential> retrieve() throws CredentialRetrievalException {
    try {
      Optional<DockerAuth> auth = authenticator.authenticateHost(registry);
      return auth.map(a -> Credential.from(a.username(), a.password()));
    } catch (OidcEcrException e) {
      throw new CredentialRetrievalException(e);
    }
  }
}
// end::jib-retriever[]
