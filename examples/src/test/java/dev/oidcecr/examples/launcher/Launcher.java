package dev.oidcecr.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** Runs the launchers the core module built (core/target/oidc-ecr/bin) in a clean world. */
final class Launcher {
  static final Path BUILT = Path.of("..", "core", "target", "oidc-ecr").toAbsolutePath()
      .normalize();

  record Result(int code, String out, String err, long millis) {
    String all() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  private final Path bin;
  private final Path dir;
  final Map<String, String> env = new HashMap<>();

  /** A launcher from {@code dist} (the built one or a copy), with home and temp in {@code dir}. */
  Launcher(Path dist, Path dir) throws IOException {
    this.bin = dist.resolve("bin");
    this.dir = dir;
    Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("tmp"));
    Files.createDirectories(dir.resolve("cwd"));
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", dir.resolve("home").toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
  }

  Result oidcEcr(String... args) throws Exception {
    return run("oidc-ecr", "", args);
  }

  Result helper(String stdin, String... args) throws Exception {
    return run("docker-credential-oidc-ecr", stdin, args);
  }

  Result run(String program, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.resolve("cwd").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p, true));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p, false));
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(program + " " + List.of(args) + " still runs after 120 s");
    }
    return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8), (System.nanoTime() - start) / 1_000_000);
  }

  private static byte[] read(Process p, boolean stdout) {
    try {
      return (stdout ? p.getInputStream() : p.getErrorStream()).readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Creates a repository and the role workspaces of acme/app assume; returns the role ARN. */
  static String setUpRole(FakeAws aws, FakeOidcIssuer issuer) {
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
    try (EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
        .region(Region.of(aws.region())).credentialsProvider(admin).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
    return AwsSetup.builder()
        .endpoint(aws.endpoint()).region(aws.region()).credentialsProvider(admin)
        .issuerUrl(issuer.issuer()).accountId(aws.accountId()).roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app").repositories("acme/app")
        .build().apply().roleArn();
  }

  static String host(FakeAws aws) {
    return aws.accountId() + ".dkr.ecr." + aws.region() + ".amazonaws.com";
  }

  /** Checks what every failure must look like: one sentence on stderr, no stack trace. */
  static void assertOneSentence(Result r) {
    assertThat(r.err()).as(r.all()).isNotBlank().startsWith("oidc-ecr");
    assertThat(r.err()).as(r.all()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    assertThat(r.err().strip().lines().count()).as(r.all()).isLessThanOrEqualTo(2);
    // The command line speaks flags and variables, never Java calls such as allowLintErrors(true).
    assertThat(r.err()).as(r.all())
        .doesNotContainPattern("[a-z][A-Za-z]+\\((\\.\\.\\.|[a-z]*|true|\"[^\"]*\")\\)");
  }
}
