package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the module's stories with debug logging captured, and checks no secret reaches the log. */
class LogSecrecyTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String PASSWORD = "ecr-secret-pw-zzz-9f8e7d6c5b4a";
  private static final String TOKEN = TestTokens.gitpod(Instant.parse("2030-01-01T00:00:00Z"));

  @TempDir Path dir;

  @Test
  void debugLogs_tellTheStoryWithoutSecrets() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      stories();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);

    assertThat(log)
        .contains("Web identity token source: file")
        .contains("Web identity token source: Gitpod command")
        .contains("Credential cache miss")
        .contains("Credential cache hit")
        .contains("credsStore 'desktop'")
        .contains("unchanged: not rewritten")
        .contains("not an ECR registry: \"https://<redacted>@" + HOST);
    String encoded =
        Base64.getEncoder().encodeToString(("AWS:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(log).doesNotContain(PASSWORD).doesNotContain(encoded);
    for (String part : TOKEN.split("\\.")) {
      assertThat(log).doesNotContain(part);
    }
  }

  private void stories() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
    TokenSource.defaultChain(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString())).fetch();

    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path gp = Files.writeString(bin.resolve("gp"), "#!/bin/sh\nprintf '%s' \"$T\"\n");
    Files.setPosixFilePermissions(gp, PosixFilePermissions.fromString("rwx------"));
    TokenSource.defaultChain(
        Map.of("PATH", bin.toString(), "T", TOKEN, "GITPOD_WORKSPACE_ID", "ws-1")).fetch();
    catchThrowable(() -> TokenSource.of("garbage." + PASSWORD + ".x").fetch());

    // TOKEN expires at 2030-01-01T00:00:00Z: half an hour before, it is usable.
    MutableClock clock = new MutableClock(Instant.parse("2029-12-31T23:30:00Z"));
    CredentialCache cache = CredentialCache.at(dir.resolve("cache"), clock);
    DockerAuth auth =
        DockerAuth.builder()
            .registryHost(HOST)
            .username("AWS")
            .password(PASSWORD)
            .expiresAt(clock.instant().plus(Duration.ofHours(12)))
            .build();
    CacheBinding.Caller caller = CacheBinding.Caller.of(WebIdentityToken.parse(TOKEN));
    CacheBinding key = CacheBinding.login(caller.identity().orElseThrow(),
        new CacheBinding.Scope("default:us-east-1", "aws", "arn:aws:iam::123456789012:role/r",
            3600, "oidc-ecr-*", Map.of()), "default:us-east-1", HOST);
    cache.get(key, caller);
    cache.put(key, caller, auth);
    cache.get(key, caller);
    CredentialHelper helper = CredentialHelper.of(r -> Optional.of(auth));
    helper.run(
        List.of("get"),
        new ByteArrayInputStream(("https://AWS:" + PASSWORD + "@" + HOST).getBytes(StandardCharsets.UTF_8)),
        new ByteArrayOutputStream());
    helper.run(
        List.of("get"),
        new ByteArrayInputStream(("https://" + HOST + "/x?token=" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
        new ByteArrayOutputStream());

    Path config = Files.writeString(dir.resolve("config.json"), "{\"credsStore\":\"desktop\"}");
    DockerConfig.at(config).store(auth);
    DockerConfig.at(config).store(auth);
    Files.writeString(config, "{\"auths\": {\"x\": " + PASSWORD + "}}");
    catchThrowable(() -> DockerConfig.at(config).store(auth));
  }
}
