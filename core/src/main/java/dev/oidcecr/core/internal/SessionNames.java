package dev.oidcecr.core.internal;

import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/** Role session names as STS accepts them: 2 to 64 characters of {@code [\w+=,.@-]}. */
public final class SessionNames {
  private static final Pattern VALID = Pattern.compile("[\\w+=,.@-]{2,64}");
  private static final Pattern INVALID_CHAR = Pattern.compile("[^\\w+=,.@-]");

  private SessionNames() {}

  /** Tells whether STS accepts {@code name} as a role session name. */
  public static boolean isValid(String name) {
    return VALID.matcher(name).matches();
  }

  /**
   * Returns {@code raw} made acceptable to STS: other characters become {@code -}, the result is
   * cut to 64 characters, and a name shorter than 2 is prefixed with {@code oidc-ecr-}.
   */
  public static String sanitize(String raw) {
    String s = INVALID_CHAR.matcher(raw.strip()).replaceAll("-");
    if (s.length() > 64) {
      s = s.substring(0, 64);
    }
    if (s.length() < 2) {
      s = "oidc-ecr-" + s;
    }
    return s;
  }

  /**
   * Returns the default session name, as Gitpod's {@code gp idp login aws} makes it: {@code
   * <workspace id>-<unix seconds>} in a Gitpod workspace ({@code GITPOD_WORKSPACE_ID}), else
   * {@code oidc-ecr-<unix seconds>}. CloudTrail shows it, so it says which workspace called.
   */
  public static String derive(Map<String, String> env, Clock clock) {
    String seconds = Long.toString(clock.instant().getEpochSecond());
    String workspace = env.get("GITPOD_WORKSPACE_ID");
    String base = workspace == null || workspace.isBlank() ? "oidc-ecr" : workspace.strip();
    // Cut the workspace id, never the timestamp, so that two sessions stay apart.
    int room = 64 - seconds.length() - 1;
    String prefix = INVALID_CHAR.matcher(base).replaceAll("-");
    if (prefix.length() > room) {
      prefix = prefix.substring(0, room);
    }
    return prefix + "-" + seconds;
  }
}
