package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every script under {@code examples/jshell/} with the JDK's JShell API, after the same
 * startup scripts the launcher uses, and fails on any rejected snippet or thrown exception.
 */
class JShellScriptsTest {
  static final Path DIR = Path.of("jshell");

  static Stream<Path> scripts() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> all = files
          .filter(p -> p.toString().endsWith(".jsh"))
          .filter(p -> !p.getFileName().toString().equals("startup.jsh"))
          .filter(p -> !p.getFileName().toString().equals("fake.jsh"))
          .sorted()
          .toList();
      assertThat(all).as("scripts in " + DIR.toAbsolutePath()).isNotEmpty();
      return all.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scripts")
  void script_runsWithoutErrors(Path script) throws IOException {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    try (JShell shell = JShell.builder().executionEngine("local").out(out).err(out).build()) {
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        shell.addToClasspath(entry);
      }
      for (Path file : List.of(DIR.resolve("startup.jsh"), DIR.resolve("fake.jsh"), script)) {
        run(shell, Files.readString(file), file, problems);
      }
    }
    assertThat(problems).as("output:\n" + output.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /**
   * A facade login in {@code --fake} mode without a Docker config argument lands in the
   * temporary config the fake startup printed, and the user's home gets no {@code .docker}.
   */
  @Test
  void fakeMode_loginNeverWritesToTheUsersDockerConfig(@TempDir Path home) throws IOException {
    String realHome = System.getProperty("user.home");
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    Path config;
    System.setProperty("user.home", home.toString());
    try (JShell shell = JShell.builder().executionEngine("local").out(out).err(out).build()) {
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        shell.addToClasspath(entry);
      }
      for (Path file : List.of(DIR.resolve("startup.jsh"), DIR.resolve("fake.jsh"))) {
        run(shell, Files.readString(file), file, problems);
      }
      String login = """
          var aws = FakeAws.builder().build().start();
          try (var iam = aws.configure(IamClient.builder()).build()) {
            iam.createOpenIDConnectProvider(r -> r.url(aws.issuer().issuer()).clientIDList("sts.amazonaws.com"));
            iam.createRole(r -> r.roleName("pull").assumeRolePolicyDocument(trustPolicy().issuer(aws.issuer().issuer()).account(aws.accountId()).repository("https://github.com/acme/app").build().toJson()));
            iam.putRolePolicy(r -> r.roleName("pull").policyName("pull").policyDocument(permissionPolicy().repository(aws.accountId(), aws.region(), "acme/app").build().toJson()));
          }
          var auth = login(b -> b.roleArn(aws.roleArn("pull")).registry(aws.registryHost()).endpoint(aws.endpoint()).tokenSource(TokenSource.of(aws.issuer().token().repository("https://github.com/acme/app").mint())));
          show(auth);
          aws.close();
          """;
      run(shell, login, Path.of("login snippet"), problems);
      String value = shell.eval("fakeDockerConfig.resolve(\"config.json\").toString()").get(0)
          .value();
      config = Path.of(value.substring(1, value.length() - 1));
    } finally {
      System.setProperty("user.home", realHome);
    }
    String printed = output.toString(StandardCharsets.UTF_8);
    assertThat(problems).as("output:\n" + printed).isEmpty();
    assertThat(config).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
    assertThat(Files.readString(config)).contains("dkr.ecr");
    assertThat(home.resolve(".docker")).doesNotExist();
  }

  private static void run(JShell shell, String source, Path file, List<String> problems) {
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    String remaining = source;
    while (!remaining.isBlank() && problems.isEmpty()) {
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      String snippet = info.source() == null ? remaining : info.source();
      remaining = info.remaining();
      if (info.source() == null) {
        remaining = "";
      }
      String trimmed = snippet.strip();
      if (trimmed.isEmpty() || trimmed.matches("(?s)/[a-z!?].*")) {
        continue; // JShell commands such as /exit are for the tool, not the API
      }
      for (SnippetEvent e : shell.eval(snippet)) {
        if (e.status() != Snippet.Status.VALID && e.status() != Snippet.Status.OVERWRITTEN
            && e.causeSnippet() == null) {
          StringBuilder why = new StringBuilder(file + ": " + e.status() + ": " + trimmed);
          shell.diagnostics(e.snippet()).forEach((Diag d) ->
              why.append("\n  ").append(d.getMessage(java.util.Locale.ROOT)));
          problems.add(why.toString());
        }
        if (e.exception() != null) {
          problems.add(file + ": threw " + e.exception() + " at: " + trimmed);
        }
      }
    }
  }
}
