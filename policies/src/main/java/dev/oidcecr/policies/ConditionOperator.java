package dev.oidcecr.policies;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A condition operator of the IAM policy language: a base operator such as {@code StringLike},
 * optionally qualified by {@code ForAnyValue:} or {@code ForAllValues:} and optionally suffixed
 * with {@code IfExists}.
 *
 * <p>Operator names are case-sensitive in IAM; {@link #parse(String)} accepts exactly the names
 * IAM accepts. {@code Null} with {@code IfExists} can be represented (so that a linter can report
 * it) although IAM rejects it.
 */
public final class ConditionOperator {

  /** The base operators of the IAM policy language. */
  public enum Base {
    /** IAM's {@code StringEquals}, comparing strings. */
    STRING_EQUALS("StringEquals", Family.STRING, false),
    /** IAM's {@code StringNotEquals}, comparing strings (negated: holds when no value matches). */
    STRING_NOT_EQUALS("StringNotEquals", Family.STRING, true),
    /** IAM's {@code StringEqualsIgnoreCase}, comparing strings. */
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", Family.STRING, false),
    /** IAM's {@code StringNotEqualsIgnoreCase}, comparing strings (negated: holds when no value matches). */
    STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", Family.STRING, true),
    /** IAM's {@code StringLike}, comparing strings. */
    STRING_LIKE("StringLike", Family.STRING, false),
    /** IAM's {@code StringNotLike}, comparing strings (negated: holds when no value matches). */
    STRING_NOT_LIKE("StringNotLike", Family.STRING, true),
    /** IAM's {@code NumericEquals}, comparing numbers. */
    NUMERIC_EQUALS("NumericEquals", Family.NUMERIC, false),
    /** IAM's {@code NumericNotEquals}, comparing numbers (negated: holds when no value matches). */
    NUMERIC_NOT_EQUALS("NumericNotEquals", Family.NUMERIC, true),
    /** IAM's {@code NumericLessThan}, comparing numbers. */
    NUMERIC_LESS_THAN("NumericLessThan", Family.NUMERIC, false),
    /** IAM's {@code NumericLessThanEquals}, comparing numbers. */
    NUMERIC_LESS_THAN_EQUALS("NumericLessThanEquals", Family.NUMERIC, false),
    /** IAM's {@code NumericGreaterThan}, comparing numbers. */
    NUMERIC_GREATER_THAN("NumericGreaterThan", Family.NUMERIC, false),
    /** IAM's {@code NumericGreaterThanEquals}, comparing numbers. */
    NUMERIC_GREATER_THAN_EQUALS("NumericGreaterThanEquals", Family.NUMERIC, false),
    /** IAM's {@code DateEquals}, comparing dates and times. */
    DATE_EQUALS("DateEquals", Family.DATE, false),
    /** IAM's {@code DateNotEquals}, comparing dates and times (negated: holds when no value matches). */
    DATE_NOT_EQUALS("DateNotEquals", Family.DATE, true),
    /** IAM's {@code DateLessThan}, comparing dates and times. */
    DATE_LESS_THAN("DateLessThan", Family.DATE, false),
    /** IAM's {@code DateLessThanEquals}, comparing dates and times. */
    DATE_LESS_THAN_EQUALS("DateLessThanEquals", Family.DATE, false),
    /** IAM's {@code DateGreaterThan}, comparing dates and times. */
    DATE_GREATER_THAN("DateGreaterThan", Family.DATE, false),
    /** IAM's {@code DateGreaterThanEquals}, comparing dates and times. */
    DATE_GREATER_THAN_EQUALS("DateGreaterThanEquals", Family.DATE, false),
    /** IAM's {@code Bool}, comparing booleans. */
    BOOL("Bool", Family.BOOLEAN, false),
    /** IAM's {@code BinaryEquals}, comparing base64-encoded binary values. */
    BINARY_EQUALS("BinaryEquals", Family.BINARY, false),
    /** IAM's {@code IpAddress}, comparing IP addresses against CIDR ranges. */
    IP_ADDRESS("IpAddress", Family.IP_ADDRESS, false),
    /** IAM's {@code NotIpAddress}, comparing IP addresses against CIDR ranges (negated: holds when no value matches). */
    NOT_IP_ADDRESS("NotIpAddress", Family.IP_ADDRESS, true),
    /** IAM's {@code ArnEquals}, comparing ARNs, field by field. */
    ARN_EQUALS("ArnEquals", Family.ARN, false),
    /** IAM's {@code ArnLike}, comparing ARNs, field by field. */
    ARN_LIKE("ArnLike", Family.ARN, false),
    /** IAM's {@code ArnNotEquals}, comparing ARNs, field by field (negated: holds when no value matches). */
    ARN_NOT_EQUALS("ArnNotEquals", Family.ARN, true),
    /** IAM's {@code ArnNotLike}, comparing ARNs, field by field (negated: holds when no value matches). */
    ARN_NOT_LIKE("ArnNotLike", Family.ARN, true),
    /** IAM's {@code Null}, comparing whether a key is absent. */
    NULL("Null", Family.NULL, false);

    private final String jsonName;
    private final Family family;
    private final boolean negated;

    Base(String jsonName, Family family, boolean negated) {
      this.jsonName = jsonName;
      this.family = family;
      this.negated = negated;
    }

    /**
     * Returns the name IAM writes, such as {@code StringLike}.
     *
     * @return the name IAM writes, such as {@code StringLike}
     */
    public String jsonName() {
      return jsonName;
    }

    /**
     * Returns the family of values the operator compares.
     *
     * @return the family of values the operator compares
     */
    public Family family() {
      return family;
    }

    /**
     * Returns whether the operator is negated ({@code StringNotEquals}, {@code NotIpAddress}, ...):
     * it holds only when no value matches, and it holds when the key is missing.
     *
     * @return whether the operator is negated ({@code StringNotEquals}, {@code NotIpAddress}, ...): it holds only when no value matches, and it holds when the key is missing
     */
    public boolean isNegated() {
      return negated;
    }

    /**
     * Returns whether {@code *} and {@code ?} are wildcards for this operator.
     *
     * @return whether {@code *} and {@code ?} are wildcards for this operator
     */
    public boolean supportsWildcards() {
      return this == STRING_LIKE || this == STRING_NOT_LIKE || this == ARN_LIKE
          || this == ARN_NOT_LIKE;
    }

    /**
     * Returns whether the operator compares case-insensitively.
     *
     * @return whether the operator compares case-insensitively
     */
    public boolean ignoresCase() {
      return this == STRING_EQUALS_IGNORE_CASE || this == STRING_NOT_EQUALS_IGNORE_CASE;
    }
  }

  /** What kind of values an operator compares. */
  public enum Family {
    /** Compares strings. */
    STRING,
    /** Compares numbers. */
    NUMERIC,
    /** Compares dates and times. */
    DATE,
    /** Compares booleans. */
    BOOLEAN,
    /** Compares base64-encoded binary values. */
    BINARY,
    /** Compares IP addresses against CIDR ranges. */
    IP_ADDRESS,
    /** Compares ARNs, field by field. */
    ARN,
    /** Compares whether a key is absent. */
    NULL
  }

  /** The set qualifier of an operator, for multivalued keys. */
  public enum SetQualifier {
    /** No qualifier: single-valued comparison (any request value may match). */
    NONE(""),
    /** {@code ForAnyValue:}: true when at least one request value matches. */
    FOR_ANY_VALUE("ForAnyValue:"),
    /** {@code ForAllValues:}: true when every request value matches (and when there are none). */
    FOR_ALL_VALUES("ForAllValues:");

    private final String prefix;

    SetQualifier(String prefix) {
      this.prefix = prefix;
    }

    /**
     * Returns the prefix IAM writes, such as {@code ForAnyValue:}, or an empty string.
     *
     * @return the prefix IAM writes, such as {@code ForAnyValue:}, or an empty string
     */
    public String prefix() {
      return prefix;
    }
  }

  /** The {@link Base#STRING_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_EQUALS = of(Base.STRING_EQUALS);
  /** The {@link Base#STRING_NOT_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_NOT_EQUALS = of(Base.STRING_NOT_EQUALS);
  /** The {@link Base#STRING_EQUALS_IGNORE_CASE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_EQUALS_IGNORE_CASE =
      of(Base.STRING_EQUALS_IGNORE_CASE);
  /** The {@link Base#STRING_NOT_EQUALS_IGNORE_CASE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_NOT_EQUALS_IGNORE_CASE =
      of(Base.STRING_NOT_EQUALS_IGNORE_CASE);
  /** The {@link Base#STRING_LIKE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_LIKE = of(Base.STRING_LIKE);
  /** The {@link Base#STRING_NOT_LIKE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator STRING_NOT_LIKE = of(Base.STRING_NOT_LIKE);
  /** The {@link Base#NUMERIC_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_EQUALS = of(Base.NUMERIC_EQUALS);
  /** The {@link Base#NUMERIC_NOT_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_NOT_EQUALS = of(Base.NUMERIC_NOT_EQUALS);
  /** The {@link Base#NUMERIC_LESS_THAN} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_LESS_THAN = of(Base.NUMERIC_LESS_THAN);
  /** The {@link Base#NUMERIC_LESS_THAN_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_LESS_THAN_EQUALS =
      of(Base.NUMERIC_LESS_THAN_EQUALS);
  /** The {@link Base#NUMERIC_GREATER_THAN} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_GREATER_THAN = of(Base.NUMERIC_GREATER_THAN);
  /** The {@link Base#NUMERIC_GREATER_THAN_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NUMERIC_GREATER_THAN_EQUALS =
      of(Base.NUMERIC_GREATER_THAN_EQUALS);
  /** The {@link Base#DATE_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_EQUALS = of(Base.DATE_EQUALS);
  /** The {@link Base#DATE_NOT_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_NOT_EQUALS = of(Base.DATE_NOT_EQUALS);
  /** The {@link Base#DATE_LESS_THAN} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_LESS_THAN = of(Base.DATE_LESS_THAN);
  /** The {@link Base#DATE_LESS_THAN_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_LESS_THAN_EQUALS = of(Base.DATE_LESS_THAN_EQUALS);
  /** The {@link Base#DATE_GREATER_THAN} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_GREATER_THAN = of(Base.DATE_GREATER_THAN);
  /** The {@link Base#DATE_GREATER_THAN_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator DATE_GREATER_THAN_EQUALS =
      of(Base.DATE_GREATER_THAN_EQUALS);
  /** The {@link Base#BOOL} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator BOOL = of(Base.BOOL);
  /** The {@link Base#BINARY_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator BINARY_EQUALS = of(Base.BINARY_EQUALS);
  /** The {@link Base#IP_ADDRESS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator IP_ADDRESS = of(Base.IP_ADDRESS);
  /** The {@link Base#NOT_IP_ADDRESS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NOT_IP_ADDRESS = of(Base.NOT_IP_ADDRESS);
  /** The {@link Base#ARN_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator ARN_EQUALS = of(Base.ARN_EQUALS);
  /** The {@link Base#ARN_LIKE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator ARN_LIKE = of(Base.ARN_LIKE);
  /** The {@link Base#ARN_NOT_EQUALS} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator ARN_NOT_EQUALS = of(Base.ARN_NOT_EQUALS);
  /** The {@link Base#ARN_NOT_LIKE} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator ARN_NOT_LIKE = of(Base.ARN_NOT_LIKE);
  /** The {@link Base#NULL} operator, unqualified and without {@code IfExists}. */
  public static final ConditionOperator NULL = of(Base.NULL);

  private static final Map<String, Base> BY_NAME = new HashMap<>();

  static {
    for (Base b : Base.values()) {
      BY_NAME.put(b.jsonName, b);
    }
  }

  private final Base base;
  private final SetQualifier qualifier;
  private final boolean ifExists;
  private final String name;

  private ConditionOperator(Base base, SetQualifier qualifier, boolean ifExists) {
    this.base = Objects.requireNonNull(base, "base");
    this.qualifier = Objects.requireNonNull(qualifier, "qualifier");
    this.ifExists = ifExists;
    this.name = qualifier.prefix() + base.jsonName() + (ifExists ? "IfExists" : "");
  }

  /**
   * Returns the unqualified operator without {@code IfExists}.
   *
   * @param base the operator without set qualifier or {@code IfExists}
   * @return the unqualified operator without {@code IfExists}
   */
  public static ConditionOperator of(Base base) {
    return new ConditionOperator(base, SetQualifier.NONE, false);
  }

  /**
   * Returns the operator with the given qualifier and {@code IfExists} flag.
   *
   * @param base the operator without set qualifier or {@code IfExists}
   * @param qualifier the set qualifier ({@code ForAnyValue}, {@code ForAllValues}) or none
   * @param ifExists whether the operator ends in {@code IfExists}
   * @return the operator with the given qualifier and {@code IfExists} flag
   */
  public static ConditionOperator of(Base base, SetQualifier qualifier, boolean ifExists) {
    return new ConditionOperator(base, qualifier, ifExists);
  }

  /**
   * Parses an operator name as IAM writes it, such as {@code ForAllValues:StringLikeIfExists}.
   *
   * @throws IllegalArgumentException when the name is not an IAM condition operator
   *
   * @param name the operator as in a policy's {@code Condition} block, case-sensitive
   * @return the parsed operator
   */
  public static ConditionOperator parse(String name) {
    Objects.requireNonNull(name, "name");
    String rest = name;
    SetQualifier qualifier = SetQualifier.NONE;
    for (SetQualifier q : SetQualifier.values()) {
      if (q != SetQualifier.NONE && rest.startsWith(q.prefix())) {
        qualifier = q;
        rest = rest.substring(q.prefix().length());
        break;
      }
    }
    boolean ifExists = false;
    Base base = BY_NAME.get(rest);
    if (base == null && rest.endsWith("IfExists")) {
      ifExists = true;
      base = BY_NAME.get(rest.substring(0, rest.length() - "IfExists".length()));
    }
    if (base == null) {
      throw new IllegalArgumentException(
          "Unknown condition operator \"" + name + "\": use an IAM operator such as StringEquals,"
              + " StringLike, ArnLike, Bool, NumericLessThan, DateGreaterThan, IpAddress or Null,"
              + " optionally prefixed with ForAnyValue: or ForAllValues: and suffixed with"
              + " IfExists (names are case-sensitive)");
    }
    return new ConditionOperator(base, qualifier, ifExists);
  }

  /**
   * Returns the base operator.
   *
   * @return the base operator
   */
  public Base base() {
    return base;
  }

  /**
   * Returns the set qualifier ({@code NONE} when unqualified).
   *
   * @return the set qualifier ({@code NONE} when unqualified)
   */
  public SetQualifier qualifier() {
    return qualifier;
  }

  /**
   * Returns whether the name ends in {@code IfExists}.
   *
   * @return whether the name ends in {@code IfExists}
   */
  public boolean ifExists() {
    return ifExists;
  }

  /**
   * Returns this operator with the {@code IfExists} suffix.
   *
   * @return this operator with the {@code IfExists} suffix
   */
  public ConditionOperator withIfExists() {
    return new ConditionOperator(base, qualifier, true);
  }

  /**
   * Returns this operator with the {@code ForAnyValue:} qualifier.
   *
   * @return this operator with the {@code ForAnyValue:} qualifier
   */
  public ConditionOperator forAnyValue() {
    return new ConditionOperator(base, SetQualifier.FOR_ANY_VALUE, ifExists);
  }

  /**
   * Returns this operator with the {@code ForAllValues:} qualifier.
   *
   * @return this operator with the {@code ForAllValues:} qualifier
   */
  public ConditionOperator forAllValues() {
    return new ConditionOperator(base, SetQualifier.FOR_ALL_VALUES, ifExists);
  }

  /**
   * Returns the operator's IAM name, such as {@code ForAnyValue:StringLike}.
   *
   * @return the operator's IAM name, such as {@code ForAnyValue:StringLike}
   */
  public String jsonName() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ConditionOperator)) {
      return false;
    }
    ConditionOperator other = (ConditionOperator) o;
    return base == other.base && qualifier == other.qualifier && ifExists == other.ifExists;
  }

  @Override
  public int hashCode() {
    return Objects.hash(base, qualifier, ifExists);
  }

  /** Returns the IAM name, as {@link #jsonName()}. */
  @Override
  public String toString() {
    return name;
  }
}
