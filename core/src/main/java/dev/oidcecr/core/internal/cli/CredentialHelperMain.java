package dev.oidcecr.core.internal.cli;

/**
 * {@code docker-credential-oidc-ecr}: the Docker credential helper. Docker runs it as
 * {@code docker-credential-oidc-ecr get} with the registry on standard input. Every argument goes
 * to the protocol: an unknown action is answered on standard output with exit code 1, as the
 * protocol does, never with the usage of {@code oidc-ecr}.
 */
public final class CredentialHelperMain {
  private CredentialHelperMain() {}

  /** Runs one credential helper verb and exits with its status. */
  public static void main(String[] args) {
    CliMain.main(args, true);
  }
}
