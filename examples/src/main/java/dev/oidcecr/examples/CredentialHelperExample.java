package dev.oidcecr.examples;

import dev.oidcecr.core.DockerConfig;
import java.nio.file.Path;

/**
 * Wires the {@code docker-credential-oidc-ecr} helper into a Docker config, so that
 * {@code docker pull} (and any client that reads {@code credHelpers}) asks oidc-ecr for a fresh
 * ECR login whenever it needs one, instead of storing a 12-hour password in the file.
 */
public final class CredentialHelperExample {
  private CredentialHelperExample() {}

  /** Points the registry's {@code credHelpers} entry at oidc-ecr; returns the config path. */
  public static Path configure(Path dockerConfigDir, String registryHost) {
    // tag::cred-helpers[]
    DockerConfig config = DockerConfig.at(dockerConfigDir.resolve("config.json"));
    config.setCredentialHelper(registryHost, "oidc-ecr");
    // config.json now has {"credHelpers": {"<registryHost>": "oidc-ecr"}}: Docker runs
    // `docker-credential-oidc-ecr get` (on PATH), which reads OIDC_ECR_ROLE_ARN (or
    // IDP_AWS_ROLE_ARN) and the workspace's token, and answers from its 0600 disk cache
    // while the login has more than half its life left.
    // end::cred-helpers[]
    return config.path();
  }
}
