package dev.oidcecr.core.internal.cli;

import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.InvalidRegistryException;
import dev.oidcecr.core.InvalidRoleArnException;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.internal.RoleArns;
import java.util.Map;

/**
 * Checks of what the user typed or exported, so that a malformed role ARN, registry, duration or
 * session name is a usage error (exit 2) naming the flag or environment variable it came from.
 */
final class UsageChecks {
  private UsageChecks() {}

  /** Checks a role ARN given with {@code --role-arn} ({@code fromFlag}) or from the environment. */
  static void roleArn(String arn, boolean fromFlag, Map<String, String> env) {
    try {
      RoleArns.parse(arn);
    } catch (InvalidRoleArnException e) {
      String source = fromFlag ? "--role-arn"
          : RoleArns.fromEnvironment(env).map(Map.Entry::getKey).orElse("the role ARN");
      throw new Args.UsageException(source + ": " + e.getMessage());
    }
  }

  /** Checks a registry given with {@code --registry} or {@code OIDC_ECR_REGISTRY}. */
  static EcrRegistry registry(String text, boolean fromFlag) {
    try {
      return EcrRegistry.parse(text);
    } catch (InvalidRegistryException e) {
      throw new Args.UsageException((fromFlag ? "--registry" : "OIDC_ECR_REGISTRY") + ": "
          + e.getMessage());
    }
  }

  /** Checks the environment variables that tune every command ({@code OIDC_ECR_TIMEOUT}). */
  static void environment(Map<String, String> env) {
    try {
      OidcEcrAuthenticator.timeoutFrom(env);
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException(e.getMessage());
    }
  }

  /** Runs {@code apply}, turning its refusal of an option's value into a usage error. */
  static void option(String flag, Runnable apply) {
    try {
      apply.run();
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException(flag + ": " + e.getMessage());
    }
  }
}
