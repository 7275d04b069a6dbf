package dev.oidcecr.core.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The command in a JVM of its own, as the launcher runs it, with the shipped binding
 * (slf4j-simple) and without the tests' logging configuration: quiet by default (the setup's
 * info lines are not shown, no SLF4J notice), the debug story with {@code --verbose}.
 */
class CliLoggingTest {
  private static FakeAws fake;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
  }

  private static void emptyAccountWithARepository() {
    fake.reset();
    try (EcrClient ecr = fake.configure(EcrClient.builder()).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  private String stderrOf(String... extra) throws Exception {
    // The main classes and the dependencies, not test-classes (its simplelogger.properties
    // turns debug on for the tests).
    String classPath = Arrays.stream(System.getProperty("java.class.path")
            .split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", classPath, OidcEcrCli.class.getName(),
        "setup", "--issuer-url", fake.issuer().issuer(), "--account", fake.accountId(),
        "--allow-repository", "https://github.com/acme/app", "--repository", "acme/app",
        "--apply"));
    command.addAll(List.of(extra));
    Path err = dir.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(Map.of(
        "AWS_ACCESS_KEY_ID", fake.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", fake.secretAccessKey(),
        "AWS_REGION", fake.region(),
        "AWS_ENDPOINT_URL", fake.endpoint().toString()));
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stderr).isZero();
    return stderr;
  }

  @Test
  void command_byDefault_logsNothingBelowWarning_andNoSlf4jNotice() throws Exception {
    emptyAccountWithARepository();
    String stderr = stderrOf();

    assertThat(stderr).doesNotContain("SLF4J").doesNotContain("INFO").doesNotContain("DEBUG");
  }

  @Test
  void command_withVerbose_logsTheDebugStory() throws Exception {
    emptyAccountWithARepository();
    String stderr = stderrOf("--verbose");

    assertThat(stderr).contains("INFO dev.oidcecr.core.AwsSetup - Applying CREATE_ROLE")
        .doesNotContain("SLF4J");
  }
}
