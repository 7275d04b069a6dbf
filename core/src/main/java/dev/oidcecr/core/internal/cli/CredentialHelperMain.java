package dev.oidcecr.core.internal.cli;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code docker-credential-oidc-ecr}: the Docker credential helper. Docker runs it as
 * {@code docker-credential-oidc-ecr get} with the registry on standard input.
 */
public final class CredentialHelperMain {
  private CredentialHelperMain() {}

  /** Runs one credential helper verb and exits with its status. */
  public static void main(String[] args) {
    int status = OidcEcrCli.run(LogSetup.apply(Arrays.asList(args)), System.in, System.out,
        System.err,
        System.getenv(), Path.of(System.getProperty("user.home")));
    System.out.flush();
    System.exit(status);
  }
}
