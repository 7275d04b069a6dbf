package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The standalone jar refuses a port it cannot use with one clear line on stderr and a non-zero
 * exit, instead of a stack trace and a process that keeps running.
 */
class StandaloneJarMisuseIT {
  record Run(int exit, String out, String err) {}

  static Run run(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("standalone.jar",
        "target/oidc-ecr-testing-0.1.0-SNAPSHOT-standalone.jar"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-jar",
        jar.toString()));
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
