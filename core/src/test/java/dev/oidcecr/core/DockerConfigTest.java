package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String PASSWORD = "very-secret-ecr-password-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static DockerAuth auth(int prefix, int i) {
    String account = String.format("%06d%06d", prefix, i);
    return DockerAuth.of(account + ".dkr.ecr.us-east-1.amazonaws.com", "AWS", "pw-" + prefix + "-" + i);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private JsonNode parse(Path p) throws IOException {
    return JSON.readTree(Files.readAllBytes(p));
  }

  @Test
  void fromEnvironment_prefersDockerConfigVariable() {
    Path home = dir.resolve("home");
    assertThat(DockerConfig.fromEnvironment(Map.of("DOCKER_CONFIG", "/x/y"), home).path())
        .isEqualTo(Path.of("/x/y/config.json"));
    assertThat(DockerConfig.fromEnvironment(Map.of(), home).path())
        .isEqualTo(home.resolve(".docker/config.json"));
    assertThat(DockerConfig.fromEnvironment(Map.of("DOCKER_CONFIG", ""), home).path())
        .isEqualTo(home.resolve(".docker/config.json"));
  }

  @Test
  void read_missingFile_isEmpty() {
    DockerConfig c = DockerConfig.at(dir.resolve("nope/config.json"));
    assertThat(c.read().isEmpty()).isTrue();
    assertThat(c.auth(HOST)).isEmpty();
    assertThat(Files.exists(dir.resolve("nope"))).isFalse();
  }

  @Test
  void read_emptyFile_isEmpty() throws IOException {
    Path f = Files.writeString(dir.resolve("config.json"), "  \n");
    assertThat(DockerConfig.at(f).read().isEmpty()).isTrue();
  }

  @Test
  void store_newFile_createsFolder0700AndFile0600WithBareHostKey() throws IOException {
    Path f = dir.resolve("home/.docker/config.json");
    DockerConfig c = DockerConfig.at(f);
    assertThat(c.store(DockerAuth.of(HOST, "AWS", PASSWORD))).isTrue();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())))
        .isEqualTo("rwx------");
    assertThat(parse(f).at("/auths/" + HOST + "/auth").asText()).isEqualTo(b64("AWS:" + PASSWORD));
    assertThat(c.auth(HOST)).contains(DockerAuth.of(HOST, "AWS", PASSWORD));
    assertThat(Files.readString(f)).startsWith("{\n\t\"auths\": {");
    try (var files = Files.list(f.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("config.json");
    }
  }

  @Test
  void store_lockFileLeftByAKilledWriter_isTakenAndRemoved() throws IOException {
    Path f = dir.resolve("config.json");
    // What an older oidc-ecr left beside every config.json, and what a killed writer leaves.
    Files.writeString(dir.resolve("config.json.lock"), "");
    assertThat(DockerConfig.at(f).withLockTimeout(Duration.ofSeconds(5))
        .store(DockerAuth.of(HOST, "AWS", PASSWORD))).isTrue();
    assertThat(dir.resolve("config.json.lock")).doesNotExist();
    assertThat(parse(f).at("/auths/" + HOST + "/auth").asText()).isEqualTo(b64("AWS:" + PASSWORD));
  }

  @Test
  void store_existingFile_keepsUnknownFieldsOrderAndMode() throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(
        f,
        """
        {
          "psFormat": "table {{.ID}}",
          "auths": {
            "https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"},
            "%s": {"auth": "b2xkOm9sZA==", "email": "ops@example.com", "identitytoken": "old"}
          },
          "credsStore": "desktop",
          "proxies": {"default": {"httpProxy": "http://proxy:3128"}},
          "experimental": "enabled",
          "plugins": {"x": [1, 2, {"y": null}]}
        }
        """
            .formatted(HOST));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));

    assertThat(DockerConfig.at(f).store(DockerAuth.of(HOST, "AWS", PASSWORD))).isTrue();

    JsonNode root = parse(f);
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("psFormat", "auths", "credsStore", "proxies", "experimental", "plugins");
    assertThat(root.at("/psFormat").asText()).isEqualTo("table {{.ID}}");
    assertThat(root.at("/proxies/default/httpProxy").asText()).isEqualTo("http://proxy:3128");
    assertThat(root.at("/plugins/x").toString()).isEqualTo("[1,2,{\"y\":null}]");
    assertThat(root.at("/auths/https:~1~1index.docker.io~1v1~1/auth").asText()).isEqualTo("dXNlcjpwYXNz");
    JsonNode entry = root.at("/auths/" + HOST);
    assertThat(entry.get("auth").asText()).isEqualTo(b64("AWS:" + PASSWORD));
    assertThat(entry.get("email").asText()).isEqualTo("ops@example.com");
    assertThat(entry.has("identitytoken")).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
    assertThat(DockerConfig.at(f).read().credentialsStore()).contains("desktop");
  }

  @Test
  void store_sameCredentialsTwice_doesNotRewrite() throws Exception {
    Path f = dir.resolve("config.json");
    DockerConfig c = DockerConfig.at(f);
    assertThat(c.store(DockerAuth.of(HOST, "AWS", PASSWORD))).isTrue();
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    Object inode = Files.readAttributes(f, BasicFileAttributes.class).fileKey();

    assertThat(c.store(DockerAuth.of(HOST, "AWS", PASSWORD))).isFalse();
    assertThat(c.setCredentialHelper("other.example", "ecr-login")).isTrue();
    Object inode2 = Files.readAttributes(f, BasicFileAttributes.class).fileKey();
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(c.setCredentialHelper("other.example", "ecr-login")).isFalse();
    assertThat(c.erase("not-there.example")).isFalse();

    assertThat(Files.getLastModifiedTime(f)).isEqualTo(FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(Files.readAttributes(f, BasicFileAttributes.class).fileKey()).isEqualTo(inode2);
    assertThat(inode2).isNotEqualTo(inode); // the one real change did replace the file
  }

  @Test
  void erase_removesBareAndHttpsKeys() throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(
        f,
        "{\"auths\":{\"" + HOST + "\":{\"auth\":\"QVdTOng=\"},\"https://" + HOST
            + "\":{\"auth\":\"QVdTOng=\"},\"keep.example\":{}}}");
    DockerConfig c = DockerConfig.at(f);
    assertThat(c.erase(HOST)).isTrue();
    assertThat(c.read().authHosts()).containsExactly("keep.example");
  }

  @Test
  void auth_readsHttpsKeyAndUsernamePasswordForm() throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(
        f,
        "{\"auths\":{\"https://" + HOST + "\":{\"auth\":\"" + b64("AWS:p:w") + "\"},"
            + "\"legacy.example\":{\"username\":\"u\",\"password\":\"pw\"},"
            + "\"token.example\":{\"identitytoken\":\"t\"}}}");
    DockerConfig c = DockerConfig.at(f);
    assertThat(c.auth(HOST)).contains(DockerAuth.of(HOST, "AWS", "p:w"));
    assertThat(c.auth("legacy.example")).contains(DockerAuth.of("legacy.example", "u", "pw"));
    assertThat(c.auth("token.example")).isEmpty();
  }

  @Test
  void auth_corruptAuthField_namesHostNotSecret() throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"auths\":{\"" + HOST + "\":{\"auth\":\"" + b64(PASSWORD) + "\"}}}");
    DockerConfigException e =
        catchThrowableOfType(DockerConfigException.class, () -> DockerConfig.at(f).auth(HOST));
    assertThat(e).hasMessageContaining(HOST).hasMessageContaining(f.toString());
    assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain(b64(PASSWORD));
  }

  @Test
  void setCredentialHelper_writesCredHelpers() throws IOException {
    Path f = dir.resolve("config.json");
    DockerConfig c = DockerConfig.at(f);
    assertThat(c.setCredentialHelper(HOST, "oidc-ecr")).isTrue();
    assertThat(parse(f).at("/credHelpers/" + HOST).asText()).isEqualTo("oidc-ecr");
    assertThat(c.read().credentialHelper(HOST)).contains("oidc-ecr");
    assertThat(c.removeCredentialHelper(HOST)).isTrue();
    assertThat(c.read().credentialHelpers()).isEmpty();
    assertThatThrownBy(() -> c.setCredentialHelper(HOST, "docker-credential-oidc-ecr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"oidc-ecr\"");
    assertThatThrownBy(() -> c.setCredentialHelper(HOST, "a b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void corruptFile_isReportedAndNeverOverwritten() throws Exception {
    Path f = dir.resolve("config.json");
    String corrupt = "{\"auths\": {\"" + HOST + "\": {\"auth\": " + PASSWORD + "}}";
    Files.writeString(f, corrupt);
    FileTime before = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(f, before);
    DockerConfig c = DockerConfig.at(f);

    for (Runnable r :
        List.<Runnable>of(
            () -> c.store(DockerAuth.of(HOST, "AWS", "x")),
            () -> c.erase(HOST),
            () -> c.setCredentialHelper(HOST, "oidc-ecr"),
            c::read)) {
      DockerConfigException e = catchThrowableOfType(DockerConfigException.class, r::run);
      assertThat(e)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("not valid JSON")
          .hasMessageContaining("line 1")
          .hasMessageContaining("left untouched");
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
      }
    }
    assertThat(Files.readString(f)).isEqualTo(corrupt);
    assertThat(Files.getLastModifiedTime(f)).isEqualTo(before);
  }

  @Test
  void trailingText_isTreatedAsDamage() throws IOException {
    Path f = Files.writeString(dir.resolve("config.json"), "{\"auths\":{}} {\"more\":1}");
    assertThatThrownBy(() -> DockerConfig.at(f).store(DockerAuth.of(HOST, "AWS", "x")))
        .isInstanceOf(DockerConfigException.class)
        .hasMessageContaining("not valid JSON");
    assertThat(Files.readString(f)).isEqualTo("{\"auths\":{}} {\"more\":1}");
  }

  @Test
  void nonObjectFile_isReported() throws IOException {
    Path f = Files.writeString(dir.resolve("config.json"), "[1]");
    assertThatThrownBy(() -> DockerConfig.at(f).store(DockerAuth.of(HOST, "AWS", "x")))
        .isInstanceOf(DockerConfigException.class)
        .hasMessageContaining("not an object");
    Path g = Files.writeString(dir.resolve("config2.json"), "{\"auths\": []}");
    assertThatThrownBy(() -> DockerConfig.at(g).store(DockerAuth.of(HOST, "AWS", "x")))
        .isInstanceOf(DockerConfigException.class)
        .hasMessageContaining("\"auths\" that is not an object");
    assertThat(Files.readString(g)).isEqualTo("{\"auths\": []}");
  }

  @Test
  void symlinkedConfig_updatesTargetAndKeepsLink() throws IOException {
    Path real = Files.createDirectories(dir.resolve("dotfiles")).resolve("docker-config.json");
    Files.writeString(real, "{\"experimental\":\"enabled\"}");
    Path docker = Files.createDirectories(dir.resolve(".docker"));
    Path link = Files.createSymbolicLink(docker.resolve("config.json"), real);
    DockerConfig.at(link).store(DockerAuth.of(HOST, "AWS", PASSWORD));
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(parse(real).at("/auths/" + HOST + "/auth").asText()).isEqualTo(b64("AWS:" + PASSWORD));
    assertThat(parse(real).at("/experimental").asText()).isEqualTo("enabled");
  }

  @Test
  void snapshot_toString_hidesSecrets() {
    Path f = dir.resolve("config.json");
    DockerConfig c = DockerConfig.at(f);
    c.store(DockerAuth.of(HOST, "AWS", PASSWORD));
    c.setCredentialHelper("other.example", "oidc-ecr");
    DockerConfig.Snapshot s = c.read();
    assertThat(s.toString()).contains(HOST).contains("oidc-ecr").doesNotContain(PASSWORD)
        .doesNotContain(b64("AWS:" + PASSWORD));
    assertThat(s.toJson()).contains(b64("AWS:" + PASSWORD));
    assertThat(s.fieldNames()).containsExactly("auths", "credHelpers");
    assertThat(c.toString()).contains(f.toString());
  }

  @Test
  void concurrentThreads_loseNothing() throws Exception {
    Path f = dir.resolve("config.json");
    int threads = 8;
    int perThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int prefix = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  // A fresh DockerConfig per thread: sharing must not be needed for safety.
                  DockerConfig c = DockerConfig.at(f);
                  for (int i = 0; i < perThread; i++) {
                    c.store(auth(prefix, i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> fu : futures) {
        fu.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertAllPresent(f, 0, threads, perThread);
    assertThat(dir.resolve("config.json.lock")).doesNotExist();
  }

  @Test
  void concurrentProcessesAndThreads_loseNothing() throws Exception {
    Path f = dir.resolve("shared/config.json");
    int processes = 3;
    int perProcess = 12;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> started = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int p = 0; p < processes; p++) {
        started.add(
            new ProcessBuilder(
                    java,
                    "-Xshare:auto",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    DockerConfigWriterMain.class.getName(),
                    f.toString(),
                    String.valueOf(100 + p),
                    String.valueOf(perProcess))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-" + p + ".log").toFile())
                .start());
      }
      // Threads of this JVM write at the same time as the child processes.
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int prefix = 200 + t;
        futures.add(
            pool.submit(
                () -> {
                  DockerConfig c = DockerConfig.at(f);
                  for (int i = 0; i < perProcess; i++) {
                    c.store(auth(prefix, i));
                  }
                  return null;
                }));
      }
      for (Future<?> fu : futures) {
        fu.get(120, TimeUnit.SECONDS);
      }
      for (int p = 0; p < processes; p++) {
        Process proc = started.get(p);
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).as("child %d finished", p).isTrue();
        assertThat(proc.exitValue())
            .as("child %d exit; log: %s", p, Files.readString(dir.resolve("child-" + p + ".log")))
            .isZero();
      }
    } finally {
      started.forEach(Process::destroyForcibly);
      pool.shutdownNow();
    }
    assertAllPresent(f, 100, processes, perProcess);
    assertAllPresent(f, 200, 2, perProcess);
    assertThat(DockerConfig.at(f).read().authHosts()).hasSize((processes + 2) * perProcess);
    try (var files = Files.list(f.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config.json");
    }
  }

  private void assertAllPresent(Path f, int firstPrefix, int prefixes, int per) throws IOException {
    JsonNode root = parse(f); // the file parses
    for (int p = firstPrefix; p < firstPrefix + prefixes; p++) {
      for (int i = 0; i < per; i++) {
        DockerAuth a = auth(p, i);
        assertThat(root.at("/auths/" + a.registryHost() + "/auth").asText())
            .as("entry %s", a.registryHost())
            .isEqualTo(a.encodedAuth());
      }
    }
    assertThat(Files.isSymbolicLink(f)).isFalse();
    assertThat(Files.exists(f, LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void lockTimeout_negativeRejected() {
    assertThatThrownBy(() -> DockerConfig.at(dir.resolve("c.json")).withLockTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
