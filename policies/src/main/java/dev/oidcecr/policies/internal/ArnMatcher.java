package dev.oidcecr.policies.internal;

/**
 * A compiled ARN pattern compared segment by segment, as IAM compares ARNs: the six
 * colon-separated parts ({@code arn}, partition, service, region, account, resource) are matched
 * separately, so a wildcard never spans a colon of the first five. The resource part is
 * everything after the fifth colon and may itself contain colons.
 *
 * <p>A pattern with fewer than six parts (such as {@code *}) is matched against the whole value.
 */
public final class ArnMatcher {
  private static final int SEGMENTS = 6;

  private final String pattern;
  private final Glob whole;
  private final Glob[] segments;

  private ArnMatcher(String pattern, Glob whole, Glob[] segments) {
    this.pattern = pattern;
    this.whole = whole;
    this.segments = segments;
  }

  /**
   * Compiles a pattern.
   *
   * @param wildcards whether {@code *} and {@code ?} are wildcards (ArnLike, Resource) or literal
   *     characters (ArnEquals)
   */
  public static ArnMatcher compile(String pattern, boolean wildcards) {
    int[] bounds = new int[SEGMENTS - 1];
    if (!colons(pattern, 0, pattern.length(), bounds)) {
      return new ArnMatcher(pattern, glob(pattern, wildcards), null);
    }
    Glob[] segs = new Glob[SEGMENTS];
    int from = 0;
    for (int i = 0; i < SEGMENTS; i++) {
      int to = i < SEGMENTS - 1 ? bounds[i] : pattern.length();
      segs[i] = glob(pattern.substring(from, to), wildcards);
      from = to + 1;
    }
    return new ArnMatcher(pattern, null, segs);
  }

  private static Glob glob(String p, boolean wildcards) {
    return wildcards ? Glob.wildcard(p, false) : Glob.literal(p, false);
  }

  /** Returns the pattern as written. */
  public String pattern() {
    return pattern;
  }

  /** Returns whether the value matches; a value with fewer than six parts never matches. */
  public boolean matches(String value) {
    if (whole != null) {
      return whole.matches(value);
    }
    int from = 0;
    int end = value.length();
    for (int i = 0; i < SEGMENTS - 1; i++) {
      int colon = value.indexOf(':', from);
      if (colon < 0) {
        return false;
      }
      if (!segments[i].matches(value, from, colon)) {
        return false;
      }
      from = colon + 1;
    }
    return segments[SEGMENTS - 1].matches(value, from, end);
  }

  private static boolean colons(String s, int from, int end, int[] out) {
    int at = from;
    for (int i = 0; i < out.length; i++) {
      int colon = s.indexOf(':', at);
      if (colon < 0 || colon >= end) {
        return false;
      }
      out[i] = colon;
      at = colon + 1;
    }
    return true;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
