package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The testing module's standalone fake ({@code java -jar
 * oidc-ecr-testing-<version>-standalone.jar}) in a process of its own, for the interop tests
 * that drive it with the AWS CLI.
 */
final class StandaloneFake implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final JsonNode info;

  private StandaloneFake(Process process, JsonNode info) {
    this.process = process;
    this.info = info;
  }

  /**
   * Starts the jar with {@code --port 0} and {@code args}, and reads the line it prints once
   * it listens (waiting 90 seconds at most).
   */
  static StandaloneFake start(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar",
        standaloneJar().toString(), "--port", "0"));
    cmd.addAll(List.of(args));
    Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).get(90, TimeUnit.SECONDS);
      return new StandaloneFake(process, JSON.readTree(line));
    } catch (Exception e) {
      process.destroy();
      throw e;
    }
  }

  /** The testing module's standalone jar, built by the reactor before this module's tests. */
  private static Path standaloneJar() throws IOException {
    Path target = Path.of("..", "testing", "target");
    try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      return files.filter(p -> p.getFileName().toString().matches(
              "oidc-ecr-testing-.*-standalone\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("No standalone jar in " + target
              .toAbsolutePath().normalize() + ": build it first with ./mvnw -pl examples -am "
              + "verify (or package the testing module)."));
    }
  }

  /** Returns the start-up line: endpoint, region, issuer, account ids and admin keys. */
  JsonNode info() {
    return info;
  }

  /** Mints a token with {@code POST /_fake/tokens} (the JSON request names the profile). */
  String token(String requestJson) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create(info.path("endpoint").asText()).resolve("/_fake/tokens"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(requestJson)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }

  /** Stops the process (waiting 10 seconds at most). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
