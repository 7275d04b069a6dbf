package dev.oidcecr.core.internal.doctor;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * IAM compares {@code sub} case-sensitively, and GitHub writes owner and repository names the
 * way their owner spells them ({@code Acme/App}), so a rule written in other case never matches.
 */
final class OwnerCaseTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("github-actions", "gitlab");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    String sub = c.sub();
    for (String v : c.values("sub")) {
      if (!like(v, sub) && like(v.toLowerCase(Locale.ROOT), sub.toLowerCase(Locale.ROOT))) {
        return Optional.of("Trap: the rule \"" + v + "\" matches the token's sub " + sub
            + " only when case is ignored, and IAM compares case-sensitively (" + c.profile()
            .displayName() + " writes names as their owner spells them). Fix: write the names"
            + " exactly as in the token, such as " + fix(c) + ".");
      }
    }
    return Optional.empty();
  }

  /** IAM's StringLike: {@code *} any run, {@code ?} one character, the rest literal. */
  static boolean like(String pattern, String value) {
    StringBuilder re = new StringBuilder();
    for (String part : pattern.split("(?=[*?])|(?<=[*?])")) {
      re.append(part.equals("*") ? ".*" : part.equals("?") ? "." : Pattern.quote(part));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
  }

  private static String fix(TrapContext c) {
    var s = c.subject();
    if (c.profile().id().equals("gitlab")) {
      return "TrustPolicy.gitlab().project(\"" + s.flatMap(p -> p.part("namespace")).orElse("G")
          + "/" + s.flatMap(p -> p.part("project")).orElse("P") + "\")";
    }
    return "TrustPolicy.githubActions().repository(\"" + s.flatMap(p -> p.part("owner"))
        .orElse("OWNER") + "/" + s.flatMap(p -> p.part("repository")).orElse("REPO") + "\")";
  }
}
