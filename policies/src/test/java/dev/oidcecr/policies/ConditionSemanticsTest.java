package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per semantic rule of IAM conditions, each rule with an outcome of true and one of
 * false: a single Allow statement with one condition is evaluated against a request whose context
 * has the key with the given values (or not at all).
 */
class ConditionSemanticsTest {

  /** Marks a request without the key. */
  private static final List<String> MISSING = null;

  private static Arguments row(String rule, String operator, String key, List<String> expected,
      List<String> actual, boolean holds) {
    return arguments(rule, operator, key, expected, actual, holds);
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        // Keys are case-insensitive.
        row("key case differs, value equal", "StringEquals", "Aws:SourceVpc",
            List.of("vpc-1"), List.of("vpc-1"), true),
        row("key case differs, value differs", "StringEquals", "AWS:SOURCEVPC",
            List.of("vpc-1"), List.of("vpc-2"), false),
        // Values are case-sensitive unless IgnoreCase.
        row("StringEquals same case", "StringEquals", "k", List.of("Acme"), List.of("Acme"), true),
        row("StringEquals other case", "StringEquals", "k", List.of("Acme"), List.of("acme"),
            false),
        row("StringEqualsIgnoreCase other case", "StringEqualsIgnoreCase", "k", List.of("Acme"),
            List.of("ACME"), true),
        row("StringEqualsIgnoreCase other value", "StringEqualsIgnoreCase", "k", List.of("Acme"),
            List.of("acmex"), false),
        row("StringNotEqualsIgnoreCase other case", "StringNotEqualsIgnoreCase", "k",
            List.of("Acme"), List.of("aCmE"), false),
        row("StringNotEqualsIgnoreCase other value", "StringNotEqualsIgnoreCase", "k",
            List.of("Acme"), List.of("beta"), true),
        row("StringNotEquals other case", "StringNotEquals", "k", List.of("Acme"),
            List.of("acme"), true),
        row("StringNotEquals same", "StringNotEquals", "k", List.of("Acme"), List.of("Acme"),
            false),
        // Wildcards only in Like operators.
        row("StringEquals star is literal, no match", "StringEquals", "k", List.of("a*"),
            List.of("abc"), false),
        row("StringEquals star is literal, match", "StringEquals", "k", List.of("a*"),
            List.of("a*"), true),
        row("StringEqualsIgnoreCase question mark literal", "StringEqualsIgnoreCase", "k",
            List.of("a?c"), List.of("abc"), false),
        row("StringLike star", "StringLike", "k", List.of("a*"), List.of("abc"), true),
        row("StringLike star no match", "StringLike", "k", List.of("b*"), List.of("abc"), false),
        row("StringLike question mark one char", "StringLike", "k", List.of("a?c"),
            List.of("abc"), true),
        row("StringLike question mark not two chars", "StringLike", "k", List.of("a?c"),
            List.of("abbc"), false),
        row("StringLike star in middle", "StringLike", "k", List.of("https://*/acme/*"),
            List.of("https://github.com/acme/app"), true),
        row("StringLike is case-sensitive", "StringLike", "k", List.of("A*"), List.of("abc"),
            false),
        row("StringLike star matches empty", "StringLike", "k", List.of("abc*"),
            List.of("abc"), true),
        row("StringNotLike request matches", "StringNotLike", "k", List.of("a*"),
            List.of("abc"), false),
        row("StringNotLike request misses", "StringNotLike", "k", List.of("a*"),
            List.of("xyz"), true),
        // Arn operators compare per segment.
        row("ArnLike star in account segment", "ArnLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123456789012:role/ci"), true),
        row("ArnLike star does not cross a colon", "ArnLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123:456:role/ci"), false),
        row("ArnLike resource part keeps its colons", "ArnLike", "aws:SourceArn",
            List.of("arn:aws:s3:::bucket/*"), List.of("arn:aws:s3:::bucket/a:b"), true),
        row("ArnLike other role", "ArnLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123456789012:role/cd"),
            false),
        row("ArnLike value not an ARN", "ArnLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/*"), List.of("role/ci"), false),
        row("ArnLike is case-sensitive", "ArnLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/CI"), List.of("arn:aws:iam::123456789012:role/ci"),
            false),
        row("ArnEquals exact", "ArnEquals", "aws:PrincipalArn",
            List.of("arn:aws:iam::123456789012:role/ci"),
            List.of("arn:aws:iam::123456789012:role/ci"), true),
        row("ArnEquals star is literal", "ArnEquals", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123456789012:role/ci"),
            false),
        row("ArnNotLike matching value", "ArnNotLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123456789012:role/ci"),
            false),
        row("ArnNotLike other value", "ArnNotLike", "aws:PrincipalArn",
            List.of("arn:aws:iam::*:role/ci"), List.of("arn:aws:iam::123456789012:role/cd"), true),
        row("ArnNotEquals same", "ArnNotEquals", "aws:PrincipalArn",
            List.of("arn:aws:iam::123456789012:role/ci"),
            List.of("arn:aws:iam::123456789012:role/ci"), false),
        row("ArnNotEquals other", "ArnNotEquals", "aws:PrincipalArn",
            List.of("arn:aws:iam::123456789012:role/ci"),
            List.of("arn:aws:iam::123456789012:role/cd"), true),
        // Numeric.
        row("NumericLessThan below", "NumericLessThan", "n", List.of("10"), List.of("9"), true),
        row("NumericLessThan equal", "NumericLessThan", "n", List.of("10"), List.of("10"), false),
        row("NumericLessThanEquals equal", "NumericLessThanEquals", "n", List.of("10"),
            List.of("10"), true),
        row("NumericLessThanEquals above", "NumericLessThanEquals", "n", List.of("10"),
            List.of("11"), false),
        row("NumericGreaterThan above", "NumericGreaterThan", "n", List.of("10"),
            List.of("10.5"), true),
        row("NumericGreaterThan equal", "NumericGreaterThan", "n", List.of("10"), List.of("10"),
            false),
        row("NumericGreaterThanEquals equal", "NumericGreaterThanEquals", "n", List.of("10"),
            List.of("10.0"), true),
        row("NumericGreaterThanEquals below", "NumericGreaterThanEquals", "n", List.of("10"),
            List.of("-3"), false),
        row("NumericEquals 1 and 1.0", "NumericEquals", "n", List.of("1"), List.of("1.0"), true),
        row("NumericEquals other", "NumericEquals", "n", List.of("1"), List.of("2"), false),
        row("NumericEquals request not a number", "NumericEquals", "n", List.of("1"),
            List.of("one"), false),
        row("NumericNotEquals other", "NumericNotEquals", "n", List.of("1"), List.of("2"), true),
        row("NumericNotEquals same", "NumericNotEquals", "n", List.of("1"), List.of("1"), false),
        // Dates: ISO 8601 and epoch seconds.
        row("DateGreaterThan later", "DateGreaterThan", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("2024-06-01T00:00:00Z"), true),
        row("DateGreaterThan earlier", "DateGreaterThan", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("2023-12-31T23:59:59Z"), false),
        row("DateLessThan epoch just before", "DateLessThan", "aws:EpochTime",
            List.of("2024-01-01T00:00:00Z"), List.of("1704067199"), true),
        row("DateLessThan epoch equal", "DateLessThan", "aws:EpochTime",
            List.of("2024-01-01T00:00:00Z"), List.of("1704067200"), false),
        row("DateEquals offset and Z", "DateEquals", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("2024-01-01T01:00:00+01:00"), true),
        row("DateEquals epoch policy value", "DateEquals", "aws:CurrentTime",
            List.of("1704067200"), List.of("2024-01-01T00:00:01Z"), false),
        row("DateLessThanEquals equal", "DateLessThanEquals", "aws:CurrentTime",
            List.of("2024-01-01"), List.of("2024-01-01T00:00:00Z"), true),
        row("DateLessThanEquals later", "DateLessThanEquals", "aws:CurrentTime",
            List.of("2024-01-01"), List.of("2024-01-01T00:00:01Z"), false),
        row("DateGreaterThanEquals equal", "DateGreaterThanEquals", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("1704067200"), true),
        row("DateGreaterThanEquals request not a date", "DateGreaterThanEquals",
            "aws:CurrentTime", List.of("2024-01-01T00:00:00Z"), List.of("yesterday"), false),
        row("DateNotEquals other", "DateNotEquals", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("2024-01-02T00:00:00Z"), true),
        row("DateNotEquals same", "DateNotEquals", "aws:CurrentTime",
            List.of("2024-01-01T00:00:00Z"), List.of("1704067200"), false),
        // Bool and BinaryEquals.
        row("Bool true", "Bool", "aws:SecureTransport", List.of("true"), List.of("true"), true),
        row("Bool false vs true", "Bool", "aws:SecureTransport", List.of("true"),
            List.of("false"), false),
        row("BinaryEquals same bytes", "BinaryEquals", "k", List.of("QmluYXJ5"),
            List.of("QmluYXJ5"), true),
        row("BinaryEquals other bytes", "BinaryEquals", "k", List.of("QmluYXJ5"),
            List.of("T3RoZXI="), false),
        // IP addresses, IPv4 and IPv6.
        row("IpAddress v4 in range", "IpAddress", "aws:SourceIp", List.of("203.0.113.0/24"),
            List.of("203.0.113.7"), true),
        row("IpAddress v4 out of range", "IpAddress", "aws:SourceIp", List.of("203.0.113.0/24"),
            List.of("203.0.114.7"), false),
        row("IpAddress /20 upper edge", "IpAddress", "aws:SourceIp", List.of("10.0.16.0/20"),
            List.of("10.0.31.255"), true),
        row("IpAddress /20 past the edge", "IpAddress", "aws:SourceIp", List.of("10.0.16.0/20"),
            List.of("10.0.32.0"), false),
        row("IpAddress bare address", "IpAddress", "aws:SourceIp", List.of("203.0.113.7"),
            List.of("203.0.113.7"), true),
        row("IpAddress v6 in range", "IpAddress", "aws:SourceIp", List.of("2001:db8::/32"),
            List.of("2001:db8:1::1"), true),
        row("IpAddress v6 out of range", "IpAddress", "aws:SourceIp", List.of("2001:db8::/32"),
            List.of("2001:db9::1"), false),
        row("IpAddress v4 range, v6 request", "IpAddress", "aws:SourceIp",
            List.of("0.0.0.0/0"), List.of("::1"), false),
        row("NotIpAddress outside", "NotIpAddress", "aws:SourceIp", List.of("203.0.113.0/24"),
            List.of("198.51.100.1"), true),
        row("NotIpAddress inside", "NotIpAddress", "aws:SourceIp", List.of("203.0.113.0/24"),
            List.of("203.0.113.9"), false),
        // Several values of one key are ORed.
        row("one of two values", "StringEquals", "k", List.of("a", "b"), List.of("b"), true),
        row("none of two values", "StringEquals", "k", List.of("a", "b"), List.of("c"), false),
        // Multi-valued request key without a qualifier: any request value may match...
        row("unqualified, one request value matches", "StringEquals", "k", List.of("a"),
            List.of("x", "a"), true),
        row("unqualified, no request value matches", "StringEquals", "k", List.of("a"),
            List.of("x", "y"), false),
        // ...and a negated operator needs every request value to miss every policy value.
        row("negated, one request value matches", "StringNotEquals", "k", List.of("a", "b"),
            List.of("x", "b"), false),
        row("negated, no request value matches", "StringNotEquals", "k", List.of("a", "b"),
            List.of("x", "y"), true),
        // A missing key fails a condition, except for negated operators, IfExists and Null.
        row("missing key, plain operator", "StringEquals", "k", List.of("a"), MISSING, false),
        row("missing key, StringLike", "StringLike", "k", List.of("*"), MISSING, false),
        row("missing key, negated operator", "StringNotEquals", "k", List.of("a"), MISSING, true),
        row("missing key, NotIpAddress", "NotIpAddress", "aws:SourceIp", List.of("10.0.0.0/8"),
            MISSING, true),
        row("empty value list counts as missing", "StringEquals", "k", List.of("a"), List.of(),
            false),
        row("IfExists, key missing", "StringEqualsIfExists", "k", List.of("a"), MISSING, true),
        row("IfExists, key present and differs", "StringEqualsIfExists", "k", List.of("a"),
            List.of("b"), false),
        row("IfExists, key present and equal", "StringEqualsIfExists", "k", List.of("a"),
            List.of("a"), true),
        row("Null true, key missing", "Null", "k", List.of("true"), MISSING, true),
        row("Null true, key present", "Null", "k", List.of("true"), List.of("v"), false),
        row("Null false, key present", "Null", "k", List.of("false"), List.of("v"), true),
        row("Null false, key missing", "Null", "k", List.of("false"), MISSING, false),
        // ForAllValues: every request value must match; true on a missing key or empty set.
        row("ForAllValues all match", "ForAllValues:StringEquals", "k", List.of("a", "b"),
            List.of("a", "b"), true),
        row("ForAllValues one misses", "ForAllValues:StringEquals", "k", List.of("a", "b"),
            List.of("a", "c"), false),
        row("ForAllValues missing key", "ForAllValues:StringEquals", "k", List.of("a"), MISSING,
            true),
        row("ForAllValues empty set", "ForAllValues:StringEquals", "k", List.of("a"), List.of(),
            true),
        row("ForAllValues:StringNotLike none match", "ForAllValues:StringNotLike", "k",
            List.of("a*"), List.of("x", "y"), true),
        row("ForAllValues:StringNotLike one matches", "ForAllValues:StringNotLike", "k",
            List.of("a*"), List.of("x", "ab"), false),
        // ForAnyValue: one request value must match; false on a missing key.
        row("ForAnyValue one matches", "ForAnyValue:StringEquals", "k", List.of("a"),
            List.of("x", "a"), true),
        row("ForAnyValue none matches", "ForAnyValue:StringEquals", "k", List.of("a"),
            List.of("x"), false),
        row("ForAnyValue missing key", "ForAnyValue:StringEquals", "k", List.of("a"), MISSING,
            false),
        row("ForAnyValue:StringNotEquals one request value misses", "ForAnyValue:StringNotEquals",
            "k", List.of("a"), List.of("a", "x"), true),
        row("ForAnyValue:StringNotEquals every request value matches",
            "ForAnyValue:StringNotEquals", "k", List.of("a"), List.of("a"), false),
        row("ForAnyValue:StringNotEquals missing key", "ForAnyValue:StringNotEquals", "k",
            List.of("a"), MISSING, false),
        row("ForAnyValue with IfExists, key missing", "ForAnyValue:StringLikeIfExists", "k",
            List.of("a*"), MISSING, true),
        row("ForAnyValue:StringLike one matches", "ForAnyValue:StringLike", "k", List.of("a*"),
            List.of("x", "ab"), true));
  }

  @ParameterizedTest(name = "{0}: {1} {2} {3} vs {4} -> {5}")
  @MethodSource("rules")
  void evaluate_conditionSemantics(String rule, String operator, String key,
      List<String> expected, List<String> actual, boolean holds) {
    PolicyDocument policy = PolicyDocument.builder()
        .addStatement(s -> s.sid("Only").allow().addActions("s3:GetObject").addResources("*")
            .addConditions(Condition.of(ConditionOperator.parse(operator), key, expected)))
        .build();
    EvaluationRequest.Builder request = EvaluationRequest.builder().action("s3:GetObject");
    if (actual != null) {
      request.putContext(key.toLowerCase(java.util.Locale.ROOT), actual);
    }

    Evaluation e = PolicyEvaluator.of(policy).evaluate(request.build());

    assertThat(e.decision()).as(rule)
        .isEqualTo(holds ? Decision.ALLOWED : Decision.IMPLICIT_DENY);
    ConditionEvaluation c = e.statements().get(0).conditions().get(0);
    assertThat(c.matched()).as("structured view of " + rule).isEqualTo(holds);
    assertThat(c.actual()).isEqualTo(actual == null ? List.of() : actual);
  }

  static Stream<Arguments> twoConditions() {
    return Stream.of(
        arguments("both hold", "sts.amazonaws.com", "https://github.com/acme/app", true),
        arguments("first fails", "other", "https://github.com/acme/app", false),
        arguments("second fails", "sts.amazonaws.com", "https://github.com/evil/app", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("twoConditions")
  void evaluate_severalKeysAndOperators_areAnded(String rule, String aud, String sub,
      boolean allowed) {
    PolicyDocument policy = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("sts:AssumeRoleWithWebIdentity")
            .addCondition(ConditionOperator.STRING_EQUALS, "idp:aud", "sts.amazonaws.com")
            .addCondition(ConditionOperator.STRING_LIKE, "idp:sub", "https://github.com/acme/*"))
        .build();
    EvaluationRequest r = EvaluationRequest.builder().action("sts:AssumeRoleWithWebIdentity")
        .putContext("idp:aud", aud).putContext("idp:sub", sub).build();

    assertThat(PolicyEvaluator.of(policy).evaluate(r).isAllowed()).as(rule).isEqualTo(allowed);
  }
}
