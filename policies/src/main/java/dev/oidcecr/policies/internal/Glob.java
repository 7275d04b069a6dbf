package dev.oidcecr.policies.internal;

/**
 * A compiled IAM wildcard pattern ({@code *} any run of characters, {@code ?} one character), or
 * a literal compared exactly. Matching works on a region of a string so that callers can match
 * one segment of an ARN without cutting it out first.
 *
 * <p>Patterns are compiled to the cheapest shape they allow (everything, exact, prefix, suffix,
 * general) because the common IAM patterns, {@code ecr:*} or {@code https://github.com/acme/app/*},
 * are plain prefix tests.
 */
public abstract class Glob {
  private final String pattern;
  final boolean ignoreCase;

  Glob(String pattern, boolean ignoreCase) {
    this.pattern = pattern;
    this.ignoreCase = ignoreCase;
  }

  /** Compiles a pattern in which {@code *} and {@code ?} are wildcards. */
  public static Glob wildcard(String pattern, boolean ignoreCase) {
    int stars = 0;
    int questions = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        stars++;
      } else if (c == '?') {
        questions++;
      }
    }
    if (stars == 0 && questions == 0) {
      return new Exact(pattern, ignoreCase);
    }
    if (questions == 0) {
      if (stars == pattern.length()) {
        return new Everything(pattern);
      }
      if (stars == 1 && pattern.charAt(pattern.length() - 1) == '*') {
        return new Prefix(pattern, ignoreCase);
      }
      if (stars == 1 && pattern.charAt(0) == '*') {
        return new Suffix(pattern, ignoreCase);
      }
    }
    return new General(pattern, ignoreCase);
  }

  /** Compiles a literal: {@code *} and {@code ?} stand for themselves. */
  public static Glob literal(String value, boolean ignoreCase) {
    return new Exact(value, ignoreCase);
  }

  /** Returns the pattern as written. */
  public final String pattern() {
    return pattern;
  }

  /** Returns whether the whole string matches. */
  public final boolean matches(String s) {
    return matches(s, 0, s.length());
  }

  /** Returns whether {@code s[start, end)} matches. */
  public abstract boolean matches(String s, int start, int end);

  @Override
  public String toString() {
    return pattern;
  }

  static boolean sameChar(char a, char b, boolean ignoreCase) {
    if (a == b) {
      return true;
    }
    if (!ignoreCase) {
      return false;
    }
    // The same folding as String.regionMatches(true, ...).
    char ua = Character.toUpperCase(a);
    char ub = Character.toUpperCase(b);
    return ua == ub || Character.toLowerCase(ua) == Character.toLowerCase(ub);
  }

  private static final class Everything extends Glob {
    Everything(String pattern) {
      super(pattern, false);
    }

    @Override
    public boolean matches(String s, int start, int end) {
      return true;
    }
  }

  private static final class Exact extends Glob {
    private final String value;

    Exact(String value, boolean ignoreCase) {
      super(value, ignoreCase);
      this.value = value;
    }

    @Override
    public boolean matches(String s, int start, int end) {
      return end - start == value.length()
          && s.regionMatches(ignoreCase, start, value, 0, value.length());
    }
  }

  private static final class Prefix extends Glob {
    private final String prefix;

    Prefix(String pattern, boolean ignoreCase) {
      super(pattern, ignoreCase);
      this.prefix = pattern.substring(0, pattern.length() - 1);
    }

    @Override
    public boolean matches(String s, int start, int end) {
      return end - start >= prefix.length()
          && s.regionMatches(ignoreCase, start, prefix, 0, prefix.length());
    }
  }

  private static final class Suffix extends Glob {
    private final String suffix;

    Suffix(String pattern, boolean ignoreCase) {
      super(pattern, ignoreCase);
      this.suffix = pattern.substring(1);
    }

    @Override
    public boolean matches(String s, int start, int end) {
      return end - start >= suffix.length()
          && s.regionMatches(ignoreCase, end - suffix.length(), suffix, 0, suffix.length());
    }
  }

  private static final class General extends Glob {
    private final char[] p;

    General(String pattern, boolean ignoreCase) {
      super(pattern, ignoreCase);
      this.p = pattern.toCharArray();
    }

    @Override
    public boolean matches(String s, int start, int end) {
      // Greedy match with backtracking to the last star: linear for patterns with one star,
      // O(n*m) at worst, and no allocation.
      int pi = 0;
      int si = start;
      int starP = -1;
      int starS = -1;
      while (si < end) {
        if (pi < p.length && p[pi] == '*') {
          starP = pi++;
          starS = si;
        } else if (pi < p.length && (p[pi] == '?' || sameChar(p[pi], s.charAt(si), ignoreCase))) {
          pi++;
          si++;
        } else if (starP >= 0) {
          pi = starP + 1;
          si = ++starS;
        } else {
          return false;
        }
      }
      while (pi < p.length && p[pi] == '*') {
        pi++;
      }
      return pi == p.length;
    }
  }
}
