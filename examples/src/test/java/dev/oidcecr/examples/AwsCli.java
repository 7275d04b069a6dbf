package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The AWS CLI (botocore) pointed at a fake, for the interop tests: no config or credentials
 * file, no instance metadata, no pager, and no {@code AWS_*} variable but the ones given.
 */
final class AwsCli {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AwsCli() {}

  /** What one {@code aws} run printed and returned. */
  record Result(int status, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  /** Returns whether {@code aws} is on the PATH (the interop tests are skipped without it). */
  static boolean installed() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "aws"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code aws --endpoint-url endpoint --region region --output json args...} with
   * {@code credentials} as its only {@code AWS_*} credential variables; {@code dir} holds its
   * stderr.
   */
  static Result run(Path dir, String endpoint, String region, Map<String, String> credentials,
      String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("aws", "--endpoint-url", endpoint, "--region",
        region, "--output", "json"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_CONFIG_FILE", dir.resolve("none").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.putAll(credentials);
    Path err = Files.createTempFile(dir, "aws", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, Files.readString(err));
  }

  /** Returns the result after checking {@code aws} exited 0 (showing its stderr if not). */
  static Result ok(Result r) {
    assertThat(r.status()).as(r.err()).isZero();
    return r;
  }
}
