package dev.oidcecr.policies;

import dev.oidcecr.policies.ConditionOperator.Base;
import dev.oidcecr.policies.ConditionOperator.SetQualifier;
import dev.oidcecr.policies.internal.ArnMatcher;
import dev.oidcecr.policies.internal.ConditionValues;
import dev.oidcecr.policies.internal.Glob;
import dev.oidcecr.policies.internal.IpCidr;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A condition prepared for evaluation: the key lower-cased once, the expected values parsed and
 * the patterns compiled, so that testing a request allocates nothing for string and ARN operators.
 */
final class CompiledCondition {

  /** Whether one request value matches at least one of the expected values. */
  interface ValueTest {
    boolean anyMatch(String requestValue);
  }

  final Condition source;
  final String key;
  private final SetQualifier qualifier;
  private final boolean ifExists;
  private final boolean negated;
  private final boolean isNull;
  private final boolean nullAcceptsMissing;
  private final boolean nullAcceptsPresent;
  private final ValueTest test;

  private CompiledCondition(Condition source, ValueTest test, boolean nullAcceptsMissing,
      boolean nullAcceptsPresent) {
    this.source = source;
    this.key = source.normalizedKey();
    ConditionOperator op = source.operator();
    this.qualifier = op.qualifier();
    this.ifExists = op.ifExists();
    this.negated = op.base().isNegated();
    this.isNull = op.base() == Base.NULL;
    this.nullAcceptsMissing = nullAcceptsMissing;
    this.nullAcceptsPresent = nullAcceptsPresent;
    this.test = test;
  }

  /**
   * Compiles a condition.
   *
   * @param where the statement's label, for error messages
   * @throws PolicyException when an expected value is not of the operator's type (IAM rejects
   *     such a policy too)
   */
  static CompiledCondition compile(Condition c, String where) {
    Base base = c.operator().base();
    if (base == Base.NULL) {
      boolean missing = false;
      boolean present = false;
      for (String v : c.values()) {
        Boolean b = ConditionValues.bool(v);
        if (b == null) {
          throw bad(c, where, v, "true or false");
        }
        if (b) {
          missing = true;
        } else {
          present = true;
        }
      }
      return new CompiledCondition(c, null, missing, present);
    }
    return new CompiledCondition(c, valueTest(c, where), false, false);
  }

  private static ValueTest valueTest(Condition c, String where) {
    List<String> values = c.values();
    Base base = c.operator().base();
    switch (base) {
      case STRING_EQUALS:
      case STRING_NOT_EQUALS:
        return exact(values, false);
      case STRING_EQUALS_IGNORE_CASE:
      case STRING_NOT_EQUALS_IGNORE_CASE:
        return exact(values, true);
      case STRING_LIKE:
      case STRING_NOT_LIKE:
        return globs(values);
      case NUMERIC_EQUALS:
      case NUMERIC_NOT_EQUALS:
        return numeric(c, where, Cmp.EQ);
      case NUMERIC_LESS_THAN:
        return numeric(c, where, Cmp.LT);
      case NUMERIC_LESS_THAN_EQUALS:
        return numeric(c, where, Cmp.LE);
      case NUMERIC_GREATER_THAN:
        return numeric(c, where, Cmp.GT);
      case NUMERIC_GREATER_THAN_EQUALS:
        return numeric(c, where, Cmp.GE);
      case DATE_EQUALS:
      case DATE_NOT_EQUALS:
        return date(c, where, Cmp.EQ);
      case DATE_LESS_THAN:
        return date(c, where, Cmp.LT);
      case DATE_LESS_THAN_EQUALS:
        return date(c, where, Cmp.LE);
      case DATE_GREATER_THAN:
        return date(c, where, Cmp.GT);
      case DATE_GREATER_THAN_EQUALS:
        return date(c, where, Cmp.GE);
      case BOOL:
        return bool(c, where);
      case BINARY_EQUALS:
        return binary(c, where);
      case IP_ADDRESS:
      case NOT_IP_ADDRESS:
        return ip(c, where);
      case ARN_EQUALS:
      case ARN_NOT_EQUALS:
        return arn(values, false);
      case ARN_LIKE:
      case ARN_NOT_LIKE:
        return arn(values, true);
      default:
        throw new IllegalStateException("Unhandled operator " + base);
    }
  }

  /**
   * Returns whether the condition holds for the request's values of its key.
   *
   * @param actual the values, or null (or empty) when the request does not have the key
   */
  boolean holds(List<String> actual) {
    boolean missing = actual == null || actual.isEmpty();
    if (isNull) {
      return missing ? nullAcceptsMissing : nullAcceptsPresent;
    }
    if (missing) {
      if (ifExists) {
        return true;
      }
      if (qualifier == SetQualifier.FOR_ALL_VALUES) {
        return true;
      }
      if (qualifier == SetQualifier.FOR_ANY_VALUE) {
        return false;
      }
      return negated;
    }
    // Per request value, a plain operator asks "matches one expected value", a negated one
    // "matches none". Without a qualifier a plain operator needs one such request value and a
    // negated one needs all of them (no value may match).
    boolean needAll = negated ? qualifier != SetQualifier.FOR_ANY_VALUE
        : qualifier == SetQualifier.FOR_ALL_VALUES;
    for (int i = 0, n = actual.size(); i < n; i++) {
      boolean ok = test.anyMatch(actual.get(i)) != negated;
      if (needAll && !ok) {
        return false;
      }
      if (!needAll && ok) {
        return true;
      }
    }
    return needAll;
  }

  private static PolicyException bad(Condition c, String where, String value, String kind) {
    return new PolicyException(where + ": condition " + c.operator() + " on \"" + c.key()
        + "\" has value \"" + value + "\", which is not " + kind
        + ": fix the value or use an operator of its type (IAM rejects this policy too)");
  }

  private enum Cmp {
    EQ, LT, LE, GT, GE;

    /** Tests {@code request <op> expected} from {@code request.compareTo(expected)}. */
    boolean test(int c) {
      switch (this) {
        case EQ:
          return c == 0;
        case LT:
          return c < 0;
        case LE:
          return c <= 0;
        case GT:
          return c > 0;
        default:
          return c >= 0;
      }
    }
  }

  private static ValueTest exact(List<String> values, boolean ignoreCase) {
    String[] v = values.toArray(new String[0]);
    if (v.length == 1) {
      String only = v[0];
      return ignoreCase ? only::equalsIgnoreCase : only::equals;
    }
    return r -> {
      for (String e : v) {
        if (ignoreCase ? e.equalsIgnoreCase(r) : e.equals(r)) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest globs(List<String> values) {
    Glob[] g = values.stream().map(v -> Glob.wildcard(v, false)).toArray(Glob[]::new);
    return r -> {
      for (Glob e : g) {
        if (e.matches(r)) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest arn(List<String> values, boolean wildcards) {
    ArnMatcher[] m =
        values.stream().map(v -> ArnMatcher.compile(v, wildcards)).toArray(ArnMatcher[]::new);
    return r -> {
      for (ArnMatcher e : m) {
        if (e.matches(r)) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest numeric(Condition c, String where, Cmp cmp) {
    BigDecimal[] v = new BigDecimal[c.values().size()];
    for (int i = 0; i < v.length; i++) {
      String s = c.values().get(i);
      v[i] = ConditionValues.number(s);
      if (v[i] == null) {
        throw bad(c, where, s, "a number");
      }
    }
    return r -> {
      BigDecimal n = ConditionValues.number(r);
      if (n == null) {
        return false;
      }
      for (BigDecimal e : v) {
        if (cmp.test(n.compareTo(e))) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest date(Condition c, String where, Cmp cmp) {
    Instant[] v = new Instant[c.values().size()];
    for (int i = 0; i < v.length; i++) {
      String s = c.values().get(i);
      v[i] = ConditionValues.date(s);
      if (v[i] == null) {
        throw bad(c, where, s, "an ISO 8601 date-time or epoch seconds");
      }
    }
    return r -> {
      Instant t = ConditionValues.date(r);
      if (t == null) {
        return false;
      }
      for (Instant e : v) {
        if (cmp.test(t.compareTo(e))) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest bool(Condition c, String where) {
    boolean wantTrue = false;
    boolean wantFalse = false;
    for (String s : c.values()) {
      Boolean b = ConditionValues.bool(s);
      if (b == null) {
        throw bad(c, where, s, "true or false");
      }
      if (b) {
        wantTrue = true;
      } else {
        wantFalse = true;
      }
    }
    boolean t = wantTrue;
    boolean f = wantFalse;
    return r -> {
      Boolean b = ConditionValues.bool(r);
      return b != null && (b ? t : f);
    };
  }

  private static ValueTest binary(Condition c, String where) {
    byte[][] v = new byte[c.values().size()][];
    for (int i = 0; i < v.length; i++) {
      String s = c.values().get(i);
      v[i] = ConditionValues.base64(s);
      if (v[i] == null) {
        throw bad(c, where, s, "base64");
      }
    }
    return r -> {
      byte[] b = ConditionValues.base64(r);
      if (b == null) {
        return false;
      }
      for (byte[] e : v) {
        if (Arrays.equals(e, b)) {
          return true;
        }
      }
      return false;
    };
  }

  private static ValueTest ip(Condition c, String where) {
    IpCidr[] v = new IpCidr[c.values().size()];
    for (int i = 0; i < v.length; i++) {
      String s = c.values().get(i);
      try {
        v[i] = IpCidr.parse(s.trim());
      } catch (IllegalArgumentException e) {
        throw bad(c, where, s, "an IPv4 or IPv6 address or CIDR range");
      }
    }
    return r -> {
      byte[] a = IpCidr.parseAddress(r.trim());
      if (a == null) {
        return false;
      }
      for (IpCidr e : v) {
        if (e.contains(a)) {
          return true;
        }
      }
      return false;
    };
  }
}
