package dev.oidcecr.policies.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatchersTest {

  @ParameterizedTest(name = "{0} ~ {1} (ignoreCase {2}) -> {3}")
  @CsvSource({
      "*, '', false, true",
      "*, anything, false, true",
      "**, x, false, true",
      "abc, abc, false, true",
      "abc, abd, false, false",
      "abc, ABC, true, true",
      "abc, ABC, false, false",
      "ab*, abc, false, true",
      "ab*, a, false, false",
      "*bc, xbc, false, true",
      "*bc, xbd, false, false",
      "*BC, xbc, true, true",
      "a*c, abbbc, false, true",
      "a*c, abbbd, false, false",
      "a?c, abc, false, true",
      "a?c, ac, false, false",
      "*a*b*, xxaxxbxx, false, true",
      "*a*b*, xxbxxaxx, false, false",
      "a*b*c, aXbYc, false, true",
      "a*b*c, aXcYb, false, false",
      "???, abc, false, true",
      "???, abcd, false, false",
      "ECR:Get*, ecr:GetAuthorizationToken, true, true",
      "https://github.com/acme/app/*, https://github.com/acme/app-evil, false, false",
      "https://github.com/acme/app/*, https://github.com/acme/app/pull/1, false, true"})
  void glob_wildcard(String pattern, String value, boolean ignoreCase, boolean matches) {
    assertThat(Glob.wildcard(pattern, ignoreCase).matches(value)).isEqualTo(matches);
  }

  @Test
  void glob_matchesARegionOnly() {
    Glob g = Glob.wildcard("ro?e/*", false);
    assertThat(g.matches("xxrole/ciyy", 2, 9)).isTrue();
    assertThat(g.matches("xxrole/ciyy", 1, 9)).isFalse();
    assertThat(Glob.literal("a*", false).matches("a*")).isTrue();
    assertThat(Glob.literal("a*", false).matches("ab")).isFalse();
  }

  @ParameterizedTest(name = "{0} ~ {1} (wildcards {2}) -> {3}")
  @CsvSource({
      "arn:aws:iam::*:role/ci, arn:aws:iam::123456789012:role/ci, true, true",
      "arn:aws:iam::*:role/ci, arn:aws:iam::1:2:role/ci, true, false",
      "arn:aws:*:*:*:*, arn:aws:s3:::b, true, true",
      "arn:aws:*:*:*:*, arn:aws:s3::b, true, false",
      "arn:*, arn:aws:s3:::b, true, true",
      "arn:aws:s3:::b/*, arn:aws:s3:::b/k:1:2, true, true",
      "arn:aws:s3:::b/*, arn:aws:s3:::b, true, false",
      "arn:aws:iam::*:role/ci, arn:aws:iam::*:role/ci, false, true",
      "arn:aws:iam::*:role/ci, arn:aws:iam::123456789012:role/ci, false, false"})
  void arnMatcher_perSegment(String pattern, String value, boolean wildcards, boolean matches) {
    assertThat(ArnMatcher.compile(pattern, wildcards).matches(value)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0} contains {1} -> {2}")
  @CsvSource({
      "10.0.0.0/8, 10.255.1.2, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "0.0.0.0/0, 192.0.2.1, true",
      "192.0.2.1, 192.0.2.1, true",
      "192.0.2.1/32, 192.0.2.2, false",
      "192.0.2.0/25, 192.0.2.127, true",
      "192.0.2.0/25, 192.0.2.128, false",
      "2001:db8::/32, 2001:0db8:ffff::1, true",
      "2001:db8::/32, 2001:db9::, false",
      "::/0, ::1, true",
      "::1, ::1, true",
      "::1, ::2, false",
      "::ffff:192.0.2.0/120, ::ffff:192.0.2.77, true",
      "::ffff:192.0.2.0/120, ::ffff:192.0.3.77, false",
      "fe80::1:2:3:4/64, fe80::9, true",
      "10.0.0.0/8, not-an-ip, false",
      "10.0.0.0/8, 10.0.0, false",
      "10.0.0.0/8, 10.0.0.256, false",
      "2001:db8::/32, 2001:db8::1::1, false"})
  void ipCidr_contains(String range, String address, boolean contains) {
    assertThat(IpCidr.parse(range).contains(address)).isEqualTo(contains);
  }

  @ParameterizedTest
  @CsvSource({"localhost", "10.0.0.0/33", "::/129", "1.2.3", "1.2.3.4/", "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9", "gggg::1", "1.2.3.4/-1"})
  void ipCidr_whenNotAnIpRange_throwsWithoutResolving(String text) {
    assertThatThrownBy(() -> IpCidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "2024-01-01T00:00:00Z, 2024-01-01T00:00:00Z",
      "2024-01-01T01:00:00+01:00, 2024-01-01T00:00:00Z",
      "2024-01-01T00:00:00.5Z, 2024-01-01T00:00:00.500Z",
      "2024-01-01T00:00:00, 2024-01-01T00:00:00Z",
      "2024-01-01T00:00Z, 2024-01-01T00:00:00Z",
      "2024-01-01, 2024-01-01T00:00:00Z",
      "1704067200, 2024-01-01T00:00:00Z",
      "1704067200.25, 2024-01-01T00:00:00.250Z",
      "-1.5, 1969-12-31T23:59:58.500Z"})
  void conditionValues_date(String text, String instant) {
    assertThat(ConditionValues.date(text)).isEqualTo(Instant.parse(instant));
  }

  @ParameterizedTest
  @CsvSource({"yesterday", "2024-13-01", "12:00", "''"})
  void conditionValues_date_whenNotADate_returnsNull(String text) {
    assertThat(ConditionValues.date(text)).isNull();
  }
}
