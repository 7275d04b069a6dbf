package dev.oidcecr.testing.internal;

import java.util.Optional;

/**
 * The identity behind a signed call: the admin user, or a role session.
 *
 * @param arn the caller's ARN as AWS prints it in errors (an assumed-role ARN for a session)
 * @param roleArn the role of a session, empty for the admin
 */
record Caller(String accessKeyId, String arn, String userId, String account,
    Optional<String> roleArn, Optional<String> roleName) {
  boolean isAdmin() {
    return roleArn.isEmpty();
  }
}
