package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone jar refuses a port it cannot use with one clear line on stderr and a non-zero
 * exit, instead of a stack trace and a process that keeps running; {@code --train} leaves an
 * AppCDS archive and exits 0.
 */
class StandaloneJarMisuseIT {
  record Run(int exit, String out, String err) {}

  static Run run(String... args) throws Exception {
    return run(List.of(), args);
  }

  static Run run(List<String> jvmOptions, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("standalone.jar",
        "target/oidc-ecr-testing-0.1.0-SNAPSHOT-standalone.jar"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java.toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the jar exits").isTrue();
    return new Run(p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void portInUse_oneLine_exitOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = run("--port", String.valueOf(taken.getLocalPort()));
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip().lines()).singleElement().asString()
          .contains(":" + taken.getLocalPort(), "already in use", "--port 0");
    }
  }

  @Test
  void train_dumpsAppCdsArchive_exitZero_badOptionStillExitTwo(@TempDir Path dir)
      throws Exception {
    Path jsa = dir.resolve("f.jsa");
    // A port that is taken must not matter: training listens on free ports.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = run(List.of("-XX:ArchiveClassesAtExit=" + jsa),
          "--train", "--port", String.valueOf(taken.getLocalPort()));
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).doesNotContain("\"endpoint\"");
      // Every request got an HTTP answer; the unsigned STS call is refused, the signed admin
      // calls, the mint and the web-identity exchange succeed, /v2/ asks for credentials.
      assertThat(r.err()).contains("Trained: served a client's first requests to itself "
          + "(HTTP 403 200 200 200 200 200 401)");
    }
    assertThat(jsa).isRegularFile();
    assertThat(Files.size(jsa)).isPositive();

    Run bad = run(List.of("-XX:ArchiveClassesAtExit=" + dir.resolve("g.jsa")),
        "--train", "--port", "http");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--port 'http' is not a number", "[--train]");
  }

  @Test
  void portNotANumberOrOutOfRange_usageLine_exitTwo() throws Exception {
    Run word = run("--port", "http");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err().strip().lines()).singleElement().asString()
        .contains("--port 'http' is not a number");
    Run big = run("--port", "70000");
    assertThat(big.exit()).isEqualTo(2);
    assertThat(big.err()).contains("--port 70000 is out of range");
  }
}
