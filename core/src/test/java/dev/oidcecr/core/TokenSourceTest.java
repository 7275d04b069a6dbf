package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSourceTest {
  private static final String TOKEN_A = TestTokens.gitpod(Instant.parse("2030-01-01T00:00:00Z"));
  private static final String TOKEN_B = TestTokens.gitpod(Instant.parse("2031-01-01T00:00:00Z"));
  private static final String NOT_A_JWT = "this-is-a-secret-but-not-a-jwt";

  @TempDir Path dir;

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  @Test
  void of_string_parsesAtFetch() {
    TokenSource s = TokenSource.of(TOKEN_A);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).isEqualTo("fixed token");
    assertThat(s.toString()).doesNotContain(TOKEN_A);
  }

  @Test
  void of_invalidString_failsAtFetchWithoutEchoing() {
    TokenSource s = TokenSource.of(NOT_A_JWT);
    InvalidTokenException e = catchThrowableOfType(InvalidTokenException.class, s::fetch);
    assertThat(e).hasMessageContaining("fixed token").hasMessageContaining("1 dot-separated part");
    assertNoSecret(e, NOT_A_JWT);
  }

  @Test
  void of_parsedToken_returnsIt() {
    WebIdentityToken t = WebIdentityToken.parse(TOKEN_A);
    assertThat(TokenSource.of(t).fetch()).isSameAs(t);
  }

  @Test
  void fromFile_rereadsOnEveryFetch() throws IOException {
    Path f = dir.resolve("token");
    Files.writeString(f, TOKEN_A + "\n");
    TokenSource s = TokenSource.fromFile(f);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    Files.writeString(f, TOKEN_B);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(s.describe()).isEqualTo("file " + f);
  }

  @Test
  void fromFile_missing_namesFileAndFix() {
    Path f = dir.resolve("nope");
    TokenSourceException e =
        catchThrowableOfType(TokenSourceException.class, () -> TokenSource.fromFile(f).fetch());
    assertThat(e).hasMessageContaining(f.toString()).hasMessageContaining("does not exist")
        // The caller named the file: no environment variable to blame.
        .hasMessageNotContaining("AWS_WEB_IDENTITY_TOKEN_FILE");
  }

  @Test
  void fromFile_empty_saysEmpty() throws IOException {
    Path f = Files.writeString(dir.resolve("token"), "\n");
    assertThat(catchThrowableOfType(TokenSourceException.class, () -> TokenSource.fromFile(f).fetch()))
        .hasMessageContaining("is empty");
  }

  @Test
  void fromFile_directory_saysDirectory() {
    assertThat(
            catchThrowableOfType(
                TokenSourceException.class, () -> TokenSource.fromFile(dir).fetch()))
        .hasMessageContaining("is a directory");
  }

  @Test
  void fromFile_notAJwt_namesFileWithoutEchoing() throws IOException {
    Path f = Files.writeString(dir.resolve("token"), NOT_A_JWT);
    InvalidTokenException e =
        catchThrowableOfType(InvalidTokenException.class, () -> TokenSource.fromFile(f).fetch());
    assertThat(e).hasMessageContaining(f.toString()).hasMessageContaining("not a JWT");
    assertNoSecret(e, NOT_A_JWT);
  }

  @Test
  void fromEnvironment_readsTheMap() {
    TokenSource s = TokenSource.fromEnvironment("MY_TOKEN", Map.of("MY_TOKEN", TOKEN_A));
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).isEqualTo("environment variable MY_TOKEN");
  }

  @Test
  void fromEnvironment_unsetOrEmpty_saysWhich() {
    assertThat(
            catchThrowableOfType(
                TokenSourceException.class,
                () -> TokenSource.fromEnvironment("MY_TOKEN", Map.of()).fetch()))
        .hasMessageContaining("MY_TOKEN is not set");
    assertThat(
            catchThrowableOfType(
                TokenSourceException.class,
                () -> TokenSource.fromEnvironment("MY_TOKEN", Map.of("MY_TOKEN", " ")).fetch()))
        .hasMessageContaining("MY_TOKEN is empty");
  }

  @Test
  void fromEnvironment_copiesTheMap() {
    Map<String, String> env = new HashMap<>(Map.of("T", TOKEN_A));
    TokenSource s = TokenSource.fromEnvironment("T", env);
    env.put("T", TOKEN_B);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
  }

  @Test
  void fromCommand_readsStdout() throws IOException {
    Path sh = script("tok.sh", "printf '%s\\n' \"$TOKEN\"");
    TokenSource s =
        TokenSource.fromCommand(
            List.of("/bin/sh", sh.toString()),
            Duration.ofSeconds(20),
            ProcessRunner.system(Map.of("TOKEN", TOKEN_A)));
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).isEqualTo("command `/bin/sh " + sh + "`");
  }

  @Test
  void fromCommand_failure_hasExitCodeAndStderrButNeverStdout() throws IOException {
    Path sh = script("fail.sh", "printf '%s' \"$TOKEN\"; echo 'gp: not logged in' >&2; exit 3");
    TokenSource s =
        TokenSource.fromCommand(
            List.of("/bin/sh", sh.toString()),
            Duration.ofSeconds(20),
            ProcessRunner.system(Map.of("TOKEN", TOKEN_A)));
    TokenSourceException e = catchThrowableOfType(TokenSourceException.class, s::fetch);
    assertThat(e)
        .hasMessageContaining("exit code 3")
        .hasMessageContaining("gp: not logged in")
        .hasMessageContaining(sh.toString());
    assertNoSecret(e, TOKEN_A);
  }

  @Test
  void fromCommand_longStderr_isTruncated() throws IOException {
    Path sh = script("noisy.sh", "i=0; while [ $i -lt 300 ]; do printf 'errorline%03d ' $i >&2; i=$((i+1)); done; exit 1");
    TokenSourceException e =
        catchThrowableOfType(
            TokenSourceException.class,
            () -> TokenSource.fromCommand(List.of("/bin/sh", sh.toString()), Duration.ofSeconds(20)).fetch());
    assertThat(e).hasMessageContaining("errorline000").hasMessageContaining("more characters");
    assertThat(e.getMessage()).doesNotContain("errorline299").hasSizeLessThan(1500);
  }

  @Test
  void fromCommand_timeout_killsAndSaysSo() throws IOException {
    Path sh = script("slow.sh", "echo starting >&2; sleep 30");
    long start = System.nanoTime();
    TokenSourceException e =
        catchThrowableOfType(
            TokenSourceException.class,
            () ->
                TokenSource.fromCommand(List.of("/bin/sh", sh.toString()), Duration.ofMillis(500))
                    .fetch());
    assertThat(e).hasMessageContaining("did not finish within PT0.5S").hasMessageContaining("starting");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void fromCommand_successWithoutOutput_saysNothingPrinted() throws IOException {
    Path sh = script("quiet.sh", "exit 0");
    assertThat(
            catchThrowableOfType(
                TokenSourceException.class,
                () -> TokenSource.fromCommand(List.of("/bin/sh", sh.toString()), Duration.ofSeconds(20)).fetch()))
        .hasMessageContaining("printed nothing");
  }

  @Test
  void fromCommand_notAJwt_namesCommandWithoutEchoing() throws IOException {
    Path sh = script("junk.sh", "echo " + NOT_A_JWT);
    InvalidTokenException e =
        catchThrowableOfType(
            InvalidTokenException.class,
            () -> TokenSource.fromCommand(List.of("/bin/sh", sh.toString()), Duration.ofSeconds(20)).fetch());
    assertThat(e).hasMessageContaining("command").hasMessageContaining("not a JWT");
    assertNoSecret(e, NOT_A_JWT);
  }

  @Test
  void fromCommand_missingProgram_saysCouldNotStart() {
    Path missing = dir.resolve("no-such-program");
    assertThat(
            catchThrowableOfType(
                TokenSourceException.class,
                () -> TokenSource.fromCommand(List.of(missing.toString()), Duration.ofSeconds(5)).fetch()))
        .hasMessageContaining("Could not start")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void processResult_toString_hidesStdout() {
    ProcessRunner.Result r = ProcessRunner.Result.of(0, TOKEN_A, "warn");
    assertThat(r.toString()).doesNotContain(TOKEN_A).contains("exitCode=0");
    assertThat(ProcessRunner.Result.timedOut("", "").timedOut()).isTrue();
  }

  // --- default chain ---

  private Path tokenFile(String token) throws IOException {
    return Files.writeString(dir.resolve("web-identity-token"), token);
  }

  private Path fakeGp() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path gp = bin.resolve("gp");
    Files.writeString(
        gp,
        "#!/bin/sh\n"
            + "[ \"$*\" = 'idp token --audience sts.amazonaws.com' ] || { echo \"bad args: $*\" >&2; exit 9; }\n"
            + "printf '%s\\n' \"$GP_TOKEN\"\n");
    Files.setPosixFilePermissions(gp, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void defaultChain_prefersTokenFile() throws IOException {
    Path f = tokenFile(TOKEN_A);
    Map<String, String> env =
        Map.of(
            "AWS_WEB_IDENTITY_TOKEN_FILE", f.toString(),
            "OIDC_ECR_TOKEN", TOKEN_B,
            "PATH", fakeGp().toString(),
            "GP_TOKEN", TOKEN_B);
    TokenSource s = TokenSource.defaultChain(env);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).contains("file " + f).contains("AWS_WEB_IDENTITY_TOKEN_FILE");
  }

  @Test
  void defaultChain_tokenFileSetButMissing_failsRatherThanFallingBack() {
    Map<String, String> env =
        Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", dir.resolve("gone").toString(), "OIDC_ECR_TOKEN", TOKEN_B);
    assertThat(catchThrowableOfType(TokenSourceException.class, TokenSource.defaultChain(env)::fetch))
        .hasMessageContaining("does not exist").hasMessageContaining("(AWS_WEB_IDENTITY_TOKEN_FILE)");
  }

  @Test
  void defaultChain_thenEnvironmentVariable() throws IOException {
    Map<String, String> env =
        Map.of("OIDC_ECR_TOKEN", TOKEN_B, "PATH", fakeGp().toString(), "GP_TOKEN", TOKEN_A);
    TokenSource s = TokenSource.defaultChain(env);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(s.describe()).contains("environment variable OIDC_ECR_TOKEN");
  }

  @Test
  void defaultChain_thenGpOnPath() throws IOException {
    Path bin = fakeGp();
    Map<String, String> env =
        Map.of("PATH", dir.resolve("empty") + ":" + bin, "GP_TOKEN", TOKEN_A,
            "GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d");
    TokenSource s = TokenSource.defaultChain(env);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_A);
    assertThat(s.describe()).contains("command `" + bin.resolve("gp") + " idp token --audience sts.amazonaws.com`");
  }

  @Test
  void defaultChain_gpOnPathOutsideAGitpodWorkspace_isNotUsed() throws IOException {
    // `gp` is also PARI/GP's calculator: only GITPOD_WORKSPACE_ID says this is a workspace.
    TokenSource s = TokenSource.defaultChain(Map.of("PATH", fakeGp().toString(), "GP_TOKEN", TOKEN_A));
    assertThat(s.find()).isEmpty();
  }

  @Test
  void defaultChain_usesInjectedRunner() {
    List<List<String>> calls = new ArrayList<>();
    ProcessRunner fake =
        (cmd, timeout) -> {
          calls.add(cmd);
          return ProcessRunner.Result.of(0, TOKEN_B + "\n", "");
        };
    Path bin = dir.resolve("bin2");
    try {
      Files.createDirectories(bin);
      Path gp = Files.writeString(bin.resolve("gp"), "");
      Files.setPosixFilePermissions(gp, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    TokenSource s = TokenSource.defaultChain(
        Map.of("PATH", bin.toString(), "GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d"), fake);
    assertThat(s.fetch().value()).isEqualTo(TOKEN_B);
    assertThat(calls)
        .containsExactly(List.of(bin.resolve("gp").toString(), "idp", "token", "--audience", "sts.amazonaws.com"));
  }

  @Test
  void defaultChain_nonExecutableGp_isNotUsed() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin3"));
    Files.writeString(bin.resolve("gp"), "not executable");
    Files.setPosixFilePermissions(bin.resolve("gp"), PosixFilePermissions.fromString("rw-------"));
    TokenSource s = TokenSource.defaultChain(
        Map.of("PATH", bin.toString(), "GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d"));
    assertThat(catchThrowableOfType(TokenSourceException.class, s::fetch))
        .hasMessageContaining("No web identity token found")
        .hasMessageContaining("This is a Gitpod workspace")
        .hasMessageContaining("`gp` is not on PATH");
  }

  @Test
  void defaultChain_nothingAvailable_listsWhatWasTried() {
    TokenSource s = TokenSource.defaultChain(Map.of());
    assertThat(catchThrowableOfType(TokenSourceException.class, s::fetch))
        .hasMessageContaining("AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        .hasMessageContaining("OIDC_ECR_TOKEN is not set")
        .hasMessageContaining("GITPOD_WORKSPACE_ID is not set");
    assertThat(s.describe()).contains("no source available");
  }

  static void assertNoSecret(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
      assertThat(t.toString()).doesNotContain(secret);
      for (String piece : secret.split("\\.")) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(piece);
      }
    }
  }
}
