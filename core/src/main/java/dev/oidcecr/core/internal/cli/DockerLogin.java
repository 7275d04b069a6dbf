package dev.oidcecr.core.internal.cli;

import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfig;
import dev.oidcecr.core.DockerConfigException;
import dev.oidcecr.core.internal.CredentialStoreHelper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code oidc-ecr login} puts a login so that Docker uses it, by Docker's own rule for
 * finding credentials: the {@code credHelpers} entry of the registry host if there is one (an
 * empty one meaning {@code config.json} itself), else {@code credsStore} if set, else the
 * {@code auths} of {@code config.json} (docker/cli, {@code configfile.GetCredentialsStore}).
 * A login stored anywhere else would be ignored by Docker, so it goes through the helper Docker
 * will ask, or, with {@code --use-credential-helper}, Docker is told to ask this one.
 */
final class DockerLogin {
  /** The credential helper this distribution installs: {@code docker-credential-oidc-ecr}. */
  static final String OUR_HELPER = "oidc-ecr";
  private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(60);

  private final DockerConfig config;
  private final Map<String, String> env;

  DockerLogin(DockerConfig config, Map<String, String> env) {
    this.config = config;
    this.env = env;
  }

  /** What was done, in one sentence for standard output, and any warning for standard error. */
  record Outcome(String said, Optional<String> warning) {}

  /**
   * Stores {@code auth} where Docker will read it, or with {@code useCredentialHelper} makes
   * Docker ask {@code docker-credential-oidc-ecr} for the registry.
   *
   * @throws DockerConfigException if Docker's store for the registry cannot take the login;
   *     nothing was changed then
   */
  Outcome store(DockerAuth auth, boolean useCredentialHelper, boolean roleFromEnvironment) {
    String host = auth.registryHost();
    DockerConfig.Snapshot now = config.read();
    Optional<String> helper = now.credentialHelper(host);
    String until = auth.expiresAt().map(Object::toString).orElse("(no expiry)");
    if (useCredentialHelper) {
      boolean changed = config.setCredentialHelper(host, OUR_HELPER);
      String replaced = helper.filter(h -> !h.isEmpty() && !h.equals(OUR_HELPER))
          .map(h -> ", replacing docker-credential-" + h).orElse("");
      return new Outcome("Credential helper set: Docker will ask docker-credential-" + OUR_HELPER
          + " for " + host + " (credHelpers entry " + (changed ? "written to " : "already in ")
          + config.path() + replaced + "); this login's credentials were checked and not stored",
          helperWarning(roleFromEnvironment));
    }
    if (helper.filter(OUR_HELPER::equals).isPresent()) {
      return new Outcome("Credentials checked: Docker asks docker-credential-" + OUR_HELPER
          + " for " + host + " (the credHelpers entry in " + config.path() + "), so nothing was"
          + " stored", helperWarning(roleFromEnvironment));
    }
    Optional<String> store = helper.isPresent()
        ? helper.filter(h -> !h.isEmpty())
        : now.credentialsStore().filter(s -> !s.isEmpty());
    if (store.isEmpty()) {
      boolean changed = config.store(auth);
      return new Outcome("Login Succeeded: " + host + " until " + until
          + (changed ? " (written to " : " (already in ") + config.path() + ")", Optional.empty());
    }
    String name = store.get();
    String rule = helper.isPresent()
        ? "the credHelpers entry for " + host + " in " + config.path()
        : "the credsStore of " + config.path();
    CredentialStoreHelper program = CredentialStoreHelper.find(name, env).orElseThrow(() ->
        new DockerConfigException("Docker reads the credentials for " + host
            + " from docker-credential-" + name + " (" + rule + "), which is not on PATH, so"
            + " nothing was stored: install docker-credential-" + name + ", or run `oidc-ecr"
            + " login --use-credential-helper` to make Docker ask docker-credential-"
            + OUR_HELPER + " for " + host));
    try {
      program.store(auth, HELPER_TIMEOUT);
    } catch (DockerConfigException e) {
      throw new DockerConfigException(e.getMessage() + "; nothing was stored, and Docker reads"
          + " the credentials for " + host + " from it (" + rule + "): fix it, or run `oidc-ecr"
          + " login --use-credential-helper` to make Docker ask docker-credential-" + OUR_HELPER
          + " instead");
    }
    return new Outcome("Login Succeeded: " + host + " until " + until + " (stored with "
        + program.program() + ", as " + rule + " says; " + config.path() + " not changed)",
        Optional.empty());
  }

  /** Docker runs our helper with its own environment: say what the helper will need there. */
  private Optional<String> helperWarning(boolean roleFromEnvironment) {
    StringBuilder w = new StringBuilder();
    if (CredentialStoreHelper.find(OUR_HELPER, env).isEmpty()) {
      w.append("docker-credential-").append(OUR_HELPER).append(" is not on PATH: add the bin"
          + " folder of oidc-ecr to PATH, or Docker cannot run it");
    }
    if (!roleFromEnvironment) {
      w.append(w.length() == 0 ? "" : "; ").append("the credential helper takes the role from"
          + " OIDC_ECR_ROLE_ARN (or IDP_AWS_ROLE_ARN): set it where Docker runs");
    }
    return w.length() == 0 ? Optional.empty() : Optional.of(w.toString());
  }
}
