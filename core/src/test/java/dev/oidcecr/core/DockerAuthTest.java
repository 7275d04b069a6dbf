package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DockerAuthTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String PASSWORD = "eyJwYXlsb2FkIjoiU0VDUkVUIn0-super-secret-password";
  private static final Instant EXP = Instant.parse("2030-01-01T12:00:00Z");

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fromEcrAuthorizationToken_decodesUserAndPassword() {
    DockerAuth a = DockerAuth.fromEcrAuthorizationToken(b64("AWS:" + PASSWORD), EXP, "https://" + HOST);
    assertThat(a.registryHost()).isEqualTo(HOST);
    assertThat(a.username()).isEqualTo("AWS");
    assertThat(a.password()).isEqualTo(PASSWORD);
    assertThat(a.expiresAt()).contains(EXP);
    assertThat(a.registry()).contains(EcrRegistry.parse(HOST));
  }

  @Test
  void fromEcrAuthorizationToken_passwordWithColons_keepsThem() {
    DockerAuth a = DockerAuth.fromEcrAuthorizationToken(b64("AWS:a:b:c"), EXP, "https://" + HOST + "/");
    assertThat(a.password()).isEqualTo("a:b:c");
    assertThat(a.registryHost()).isEqualTo(HOST);
  }

  @Test
  void fromEcrAuthorizationToken_malformed_failsWithoutSecret() {
    EcrAuthorizationException notBase64 =
        catchThrowableOfType(
            EcrAuthorizationException.class,
            () -> DockerAuth.fromEcrAuthorizationToken("!!" + PASSWORD, EXP, "https://" + HOST));
    assertThat(notBase64).hasMessageContaining("not base64").hasMessageContaining(HOST);
    assertThat(notBase64.getMessage()).doesNotContain(PASSWORD);
    EcrAuthorizationException noColon =
        catchThrowableOfType(
            EcrAuthorizationException.class,
            () -> DockerAuth.fromEcrAuthorizationToken(b64(PASSWORD), EXP, "https://" + HOST));
    assertThat(noColon).hasMessageContaining("user:password");
    assertThat(noColon.getMessage()).doesNotContain(PASSWORD);
  }

  @Test
  void authorizationHeader_isBasicOfUserColonPassword() {
    DockerAuth a = DockerAuth.of(HOST, "AWS", PASSWORD);
    assertThat(a.authorizationHeader()).isEqualTo("Basic " + b64("AWS:" + PASSWORD));
    assertThat(a.encodedAuth()).isEqualTo(b64("AWS:" + PASSWORD));
    assertThat(a.expiresAt()).isEmpty();
  }

  @Test
  void toDockerConfigJson_hasAuthUnderBareHost() {
    DockerAuth a = DockerAuth.of(HOST, "AWS", PASSWORD);
    assertThat(a.toDockerConfigJson())
        .isEqualTo("{\"auths\":{\"" + HOST + "\":{\"auth\":\"" + b64("AWS:" + PASSWORD) + "\"}}}");
  }

  @Test
  void toString_neverShowsPassword() {
    DockerAuth a = DockerAuth.fromEcrAuthorizationToken(b64("AWS:" + PASSWORD), EXP, "https://" + HOST);
    assertThat(a.toString())
        .contains(HOST)
        .contains("AWS")
        .contains("<redacted>")
        .contains(EXP.toString())
        .doesNotContain(PASSWORD)
        .doesNotContain(a.encodedAuth());
  }

  @Test
  void isExpired_followsClock() {
    DockerAuth a = DockerAuth.builder().registryHost(HOST).username("AWS").password("p").expiresAt(EXP).build();
    assertThat(a.isExpired(Clock.fixed(EXP.minusSeconds(1), ZoneOffset.UTC))).isFalse();
    assertThat(a.isExpired(Clock.fixed(EXP, ZoneOffset.UTC))).isTrue();
    assertThat(DockerAuth.of(HOST, "AWS", "p").isExpired(Clock.fixed(EXP, ZoneOffset.UTC))).isFalse();
  }

  @Test
  void invalidValues_rejected() {
    assertThatThrownBy(() -> DockerAuth.of(" ", "AWS", "p")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DockerAuth.of(HOST, "A:B", "p")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DockerAuth.of(HOST, "", "p")).isInstanceOf(IllegalArgumentException.class);
  }
}
