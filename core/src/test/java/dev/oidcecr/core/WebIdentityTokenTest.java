package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WebIdentityTokenTest {
  private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void parse_gitpodToken_exposesClaims() {
    String raw = TestTokens.gitpod(EXP);
    WebIdentityToken t = WebIdentityToken.parse(raw);

    assertThat(t.value()).isEqualTo(raw);
    assertThat(t.algorithm()).isEqualTo("RS256");
    assertThat(t.keyId()).contains("id-0123abcd");
    assertThat(t.issuer()).contains("https://services.gitpod.example.com/idp");
    assertThat(t.subject()).contains("https://github.com/acme/app");
    assertThat(t.audiences()).containsExactly("sts.amazonaws.com");
    assertThat(t.authorizedParty()).contains("sts.amazonaws.com");
    assertThat(t.expiresAt()).isEqualTo(EXP);
    assertThat(t.issuedAt()).contains(EXP.minusSeconds(3600));
    assertThat(t.email()).contains("ada@example.com");
    assertThat(t.emailVerified()).contains(false);
    assertThat(t.name()).contains("Ada");
    assertThat(t.userId()).contains("u-1");
    assertThat(t.orgId()).contains("o-2");
    assertThat(t.workspaceId()).contains("acme-app-xyz");
    assertThat(t.repository()).contains("https://github.com/acme/app.git");
    assertThat(t.claim("context")).contains(Map.of("ref", "main"));
    assertThat(t.claim("nope")).isEmpty();
    assertThat(t.claims()).containsKeys("iss", "sub", "aud", "exp", "auth_time");
    assertThat(t.header()).containsEntry("typ", "JWT");
  }

  @Test
  void parse_surroundingWhitespace_isIgnored() {
    String raw = TestTokens.gitpod(EXP);
    assertThat(WebIdentityToken.parse("  " + raw + "\n").value()).isEqualTo(raw);
  }

  @Test
  void audiences_whenAudIsString_returnsOneElementList() {
    WebIdentityToken t =
        WebIdentityToken.parse(
            TestTokens.jwt("{\"alg\":\"RS256\"}", "{\"aud\":\"sts.amazonaws.com\",\"exp\":1}"));
    assertThat(t.audiences()).containsExactly("sts.amazonaws.com");
    assertThat(t.issuer()).isEmpty();
    assertThat(t.subject()).isEmpty();
    assertThat(t.keyId()).isEmpty();
    assertThat(t.issuedAt()).isEmpty();
  }

  @Test
  void audiences_whenAudMissing_isEmpty() {
    WebIdentityToken t =
        WebIdentityToken.parse(TestTokens.jwt("{\"alg\":\"RS256\"}", "{\"exp\":1}"));
    assertThat(t.audiences()).isEmpty();
  }

  @Test
  void parse_fractionalAndBigNumbers_areKept() {
    WebIdentityToken t =
        WebIdentityToken.parse(
            TestTokens.jwt(
                "{\"alg\":\"RS256\"}",
                "{\"exp\":1700000000.5,\"big\":123456789012345678901234567890,\"n\":null}"));
    assertThat(t.expiresAt()).isEqualTo(Instant.ofEpochSecond(1700000000L, 500_000_000));
    assertThat(t.claim("big")).contains(new BigInteger("123456789012345678901234567890"));
    assertThat(t.claim("n")).isEmpty();
  }

  @Test
  void isExpired_andTimeLeft_followTheClock() {
    WebIdentityToken t = WebIdentityToken.parse(TestTokens.gitpod(EXP));
    Clock before = Clock.fixed(EXP.minusSeconds(90), ZoneOffset.UTC);
    Clock at = Clock.fixed(EXP, ZoneOffset.UTC);
    Clock after = Clock.fixed(EXP.plusSeconds(5), ZoneOffset.UTC);

    assertThat(t.isExpired(before)).isFalse();
    assertThat(t.timeLeft(before)).isEqualTo(Duration.ofSeconds(90));
    assertThat(t.isExpired(at)).isTrue();
    assertThat(t.isExpired(after)).isTrue();
    assertThat(t.timeLeft(after)).isEqualTo(Duration.ofSeconds(-5));
  }

  @Test
  void toString_showsClaimsButNeverTheToken() {
    String raw = TestTokens.gitpod(EXP);
    WebIdentityToken t = WebIdentityToken.parse(raw);
    assertThat(t.toString())
        .contains("https://services.gitpod.example.com/idp")
        .contains("https://github.com/acme/app")
        .contains("sts.amazonaws.com")
        .contains("2030-01-01T00:00:00Z")
        .doesNotContain(raw)
        .doesNotContain(TestTokens.SIGNATURE)
        .doesNotContain(raw.split("\\.")[1]);
  }

  @Test
  void equals_comparesRawToken() {
    String raw = TestTokens.gitpod(EXP);
    assertThat(WebIdentityToken.parse(raw)).isEqualTo(WebIdentityToken.parse(raw + "\n"));
    assertThat(WebIdentityToken.parse(raw)).isNotEqualTo(WebIdentityToken.parse(TestTokens.gitpod(EXP.plusSeconds(1))));
  }

  static Stream<Arguments> malformed() {
    String h = TestTokens.b64("{\"alg\":\"RS256\"}");
    String p = TestTokens.b64("{\"exp\":1893456000,\"sub\":\"secret-ish\"}");
    String s = TestTokens.SIGNATURE;
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("   \n", "empty"),
        Arguments.of("notajwtatall", "1 dot-separated part"),
        Arguments.of(h + "." + p, "2 dot-separated parts"),
        Arguments.of(h + "." + p + "." + s + ".x.y", "5 dot-separated parts"),
        Arguments.of(h + "." + p + "." + s + ".x", "4 dot-separated parts"),
        Arguments.of("Bearer " + h + "." + p + "." + s, "white space"),
        Arguments.of("." + p + "." + s, "header (part 1) is empty"),
        Arguments.of(h + ".." + s, "payload (part 2) is empty"),
        Arguments.of(h + "." + p + ".", "empty signature"),
        Arguments.of(h + "!." + p + "." + s, "header (part 1) has a character that is not base64url"),
        Arguments.of(h + "." + p + "+." + s, "'+' or '/'"),
        Arguments.of(h + "." + p + "." + s + "$", "signature (part 3) has a character"),
        Arguments.of(h + "." + p.substring(1) + "." + s, "not valid base64url"),
        Arguments.of(TestTokens.b64("not json") + "." + p + "." + s, "header (part 1) is not JSON"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":") + "." + s, "payload (part 2) is not JSON"),
        Arguments.of(h + "." + TestTokens.b64("[1,2]") + "." + s, "payload (part 2) is JSON but not an object"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":1,\"sub\":\"a\",\"sub\":\"b\"}") + "." + s,
            "a key appears twice"),
        Arguments.of(TestTokens.b64("{\"typ\":\"JWT\"}") + "." + p + "." + s, "no \"alg\""),
        Arguments.of(h + "." + TestTokens.b64("{\"sub\":\"x\"}") + "." + s, "no \"exp\" claim"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":\"tomorrow\"}") + "." + s,
            "\"exp\" claim is not a number"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":-5}") + "." + s, "out of range"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":1,\"iat\":true}") + "." + s,
            "\"iat\" claim is not a number"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":1,\"aud\":[1]}") + "." + s, "\"aud\" claim"),
        Arguments.of(h + "." + TestTokens.b64("{\"exp\":1,\"sub\":{}}") + "." + s,
            "\"sub\" claim is not a string"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformed")
  void parse_malformed_saysWhatIsWrongWithoutEchoingIt(String text, String expected) {
    InvalidTokenException e =
        catchThrowableOfType(InvalidTokenException.class, () -> WebIdentityToken.parse(text));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains(expected);
    assertNoPartOfTokenIn(e, text);
  }

  @Test
  void parse_null_isRejected() {
    assertThatThrownBy(() -> WebIdentityToken.parse(null))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void exceptions_belongToTheModuleHierarchy() {
    assertThat(new InvalidTokenException("x")).isInstanceOf(OidcEcrException.class);
    assertThat(new InvalidTokenException("x").awsErrorCode()).isEmpty();
    StsAuthenticationException sts =
        new StsAuthenticationException("denied", null, "AccessDenied", "req-1");
    assertThat(sts.awsErrorCode()).contains("AccessDenied");
    assertThat(sts.requestId()).contains("req-1");
    assertThat(new AccessDeniedException("d", null, " ", null).awsErrorCode()).isEmpty();
  }

  /** Asserts no dot-separated piece (longer than a few characters) of {@code text} is in e. */
  static void assertNoPartOfTokenIn(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()) + t;
      for (String piece : text.strip().split("[.\\s]+")) {
        if (piece.length() >= 8) {
          assertThat(m).doesNotContain(piece);
        }
      }
      assertThat(m).doesNotContain("secret-ish");
    }
  }

  @Test
  void list_isUnmodifiable() {
    WebIdentityToken t = WebIdentityToken.parse(TestTokens.gitpod(EXP));
    List<String> aud = t.audiences();
    assertThatThrownBy(() -> aud.add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> t.claims().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
