package dev.oidcecr.policies.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LintEngineTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "https://github.com/acme/app/*, https://github.com/acme/app/pull/1, true",
      "https://github.com/acme/app/*, https://github.com/acme/app, false",
      "https://github.com/acme/app*, https://github.com/acme/app-evil, true",
      "no-cont?xt, no-context, true",
      "*, '', true",
      "a*b*c, aXbYc, true",
      "a*b*c, aXbY, false",
      "?, '', false",
  })
  void matches_followsIamWildcards(String pattern, String text, boolean expected) {
    assertThat(LintEngine.matches(pattern, text, false)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} can start with https://: {1}")
  @CsvSource({
      "https://github.com/acme/*, true",
      "*, true",
      "h*, true",
      "*github.com/acme/app, true",
      "http?://*, true",
      "???????, false",
      "????????*, true",
      "repo:acme/app:*, false",
      "http://github.com/*, false",
      "ht*x, true",
      "x*, false",
      "?, false",
  })
  void canStartWith_simulatesThePatternOverThePrefix(String pattern, boolean expected) {
    assertThat(LintEngine.canStartWith(pattern, "https://")).isEqualTo(expected);
  }
}
