package com.example.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.CredentialCache;
import dev.oidcecr.core.CredentialHelper;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfig;
import dev.oidcecr.core.EcrImageReference;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.WebIdentityToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tool outside the library's packages, written against the public API alone. */
class PublicApiOnlyTest {
  @TempDir Path dir;

  private static String jwt(String payload) {
    Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
    return enc.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + enc.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + ".c2ln";
  }

  @Test
  void aToolCanReadTokensParseImagesAndLogDockerIn() throws Exception {
    Path tokenFile =
        Files.writeString(
            dir.resolve("token"),
            jwt("{\"iss\":\"https://services.gitpod.example.com/idp\",\"sub\":\"https://github.com/acme/app\","
                + "\"aud\":[\"sts.amazonaws.com\"],\"exp\":1893456000}"));
    WebIdentityToken token =
        TokenSource.defaultChain(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString())).fetch();
    assertThat(token.subject()).contains("https://github.com/acme/app");

    EcrImageReference image =
        EcrImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:1.0");
    EcrRegistry registry = image.registry();
    assertThat(image.repositoryArn())
        .isEqualTo("arn:aws:ecr:eu-west-1:123456789012:repository/acme/app");

    String ecrToken =
        Base64.getEncoder().encodeToString("AWS:pw".getBytes(StandardCharsets.UTF_8));
    DockerAuth auth =
        DockerAuth.fromEcrAuthorizationToken(
            ecrToken, Instant.parse("2030-01-01T12:00:00Z"), registry.proxyEndpoint());
    DockerConfig config = DockerConfig.fromEnvironment(Map.of(), dir.resolve("home"));
    assertThat(config.store(auth)).isTrue();
    assertThat(config.auth(registry.host())).contains(DockerAuth.of(registry.host(), "AWS", "pw"));

    Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    // The disk cache answers only through an authenticator (it binds entries to the caller's
    // token): CredentialCacheBindingTest covers it against the fake; here, its public surface.
    CredentialCache cache = CredentialCache.at(dir.resolve("cache"), clock);
    assertThat(cache.clear()).isZero();
    CredentialHelper helper = CredentialHelper.of(r -> Optional.of(auth));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        helper.run(
            List.of("get"),
            new ByteArrayInputStream(registry.host().getBytes(StandardCharsets.UTF_8)),
            out);
    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"Secret\":\"pw\"");
    assertThat(Duration.between(clock.instant(), auth.expiresAt().orElseThrow())).isPositive();
  }
}
