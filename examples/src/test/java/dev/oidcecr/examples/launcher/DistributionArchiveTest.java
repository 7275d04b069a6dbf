package dev.oidcecr.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.examples.launcher.Launcher.Result;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 5: the distribution archive the core module attaches (classifier {@code bin},
 * {@code tar.gz} and {@code zip}) unpacks into a clean folder and runs from there, read-only,
 * through a symbolic link, with only a Java runtime on {@code PATH}.
 */
@WithFakeAws
class DistributionArchiveTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path TARGET = Launcher.BUILT.getParent();

  @TempDir Path dir;

  private static Path archive(String extension) throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      return files.filter(p -> p.getFileName().toString().matches(
              "oidc-ecr-core-.*-bin\\." + extension.replace(".", "\\.")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no *-bin." + extension + " in " + TARGET
              + ": build with ./mvnw -pl examples -am package"));
    }
  }

  private static Result run(Path cwd, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, "", 0);
  }

  private static TreeMap<String, Long> listing(Path root) throws IOException {
    TreeMap<String, Long> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        files.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
      }
    }
    return files;
  }

  @Test
  void archive_unpacksAndLogsInGetsAndDiagnosesFromAReadOnlyFolder(FakeAws aws,
      FakeOidcIssuer issuer) throws Exception {
    Path install = Files.createDirectories(dir.resolve("install"));
    Result untar = run(install, List.of("tar", "-xzf", archive("tar.gz").toString()));
    assertThat(untar.code()).as(untar.all()).isZero();
    Path root;
    try (Stream<Path> top = Files.list(install)) {
      List<Path> folders = top.collect(Collectors.toList());
      assertThat(folders).hasSize(1);
      root = folders.get(0);
    }
    assertThat(root.getFileName().toString()).startsWith("oidc-ecr-");

    // What the archive holds: launchers, jars, licences, INSTALL.md; not the build's CDS archive.
    for (String launcher : List.of("oidc-ecr", "docker-credential-oidc-ecr")) {
      assertThat(Files.getPosixFilePermissions(root.resolve("bin").resolve(launcher)))
          .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    }
    // One script under two names (a zip keeps no symlinks): it picks its main class by name.
    assertThat(Files.mismatch(root.resolve("bin/oidc-ecr"),
        root.resolve("bin/docker-credential-oidc-ecr"))).as("the two launchers are one script")
        .isEqualTo(-1L);
    String version = root.getFileName().toString().substring("oidc-ecr-".length());
    assertThat(root.resolve("INSTALL.md")).content()
        .contains("maven-dependency-plugin:3.8.1:unpack -Dartifact=dev.oidcecr:oidc-ecr-core:"
            + version + ":tar.gz:bin")
        .doesNotContain("${project.version}");
    assertThat(root.resolve("lib/oidc-ecr.jsa")).doesNotExist();
    List<String> jars;
    try (Stream<Path> lib = Files.list(root.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(jars).allMatch(n -> n.endsWith(".jar"))
        .anyMatch(n -> n.startsWith("oidc-ecr-core-")).anyMatch(n -> n.startsWith("sts-"));
    String thirdParty = Files.readString(root.resolve("licenses/THIRD-PARTY.md"));
    for (String jar : jars) {
      String artifact = jar.replaceAll("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "");
      assertThat(thirdParty).as("licenses/THIRD-PARTY.md names " + artifact)
          .contains("`" + artifact + "`");
    }
    assertThat(root.resolve("licenses/Apache-2.0.txt")).isNotEmptyFile();
    assertThat(root.resolve("licenses/MIT-SLF4J.txt")).isNotEmptyFile();

    // The zip holds the same files.
    List<String> tarEntries = new ArrayList<>(run(install,
        List.of("tar", "-tzf", archive("tar.gz").toString())).out().lines()
        .filter(l -> !l.endsWith("/")).sorted().collect(Collectors.toList()));
    try (ZipFile zip = new ZipFile(archive("zip").toFile())) {
      assertThat(zip.stream().filter(e -> !e.isDirectory()).map(e -> e.getName()).sorted())
          .containsExactlyElementsOf(tarEntries);
    }

    // Installed read-only (for a user other than root), reached through links on PATH.
    run(install, List.of("chmod", "-R", "a-w", root.toString()));
    TreeMap<String, Long> before = listing(root);
    Path links = Files.createDirectories(dir.resolve("links/bin"));
    for (String launcher : List.of("oidc-ecr", "docker-credential-oidc-ecr")) {
      Files.createSymbolicLink(links.resolve(launcher), root.resolve("bin").resolve(launcher));
    }
    Launcher l = new Launcher(links.getParent(), dir.resolve("world"));
    // Only a Java runtime on PATH: no JAVA_HOME.
    l.env.remove("JAVA_HOME");
    l.env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
    l.env.put("XDG_CACHE_HOME", dir.resolve("world/cache").toString());
    String role = Launcher.setUpRole(aws, issuer);
    String host = Launcher.host(aws);
    Path tok = Files.writeString(dir.resolve("token"),
        issuer.token().repository("https://github.com/acme/app").mint());
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    try {
      Result login = l.oidcEcr("login", "--role-arn", role, "--registry", host, "--token-file",
          tok.toString(), "--docker-config", dir.resolve("docker").toString());
      assertThat(login.code()).as(login.all()).isZero();
      assertThat(JSON.readTree(dir.resolve("docker/config.json").toFile())
          .path("auths").path(host).path("auth").asText()).isNotEmpty();

      l.env.put("OIDC_ECR_ROLE_ARN", role);
      l.env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tok.toString());
      Result get = l.helper(host + "\n", "get");
      assertThat(get.code()).as(get.all()).isZero();
      JsonNode answer = JSON.readTree(get.out());
      assertThat(answer.path("ServerURL").asText()).isEqualTo(host);
      assertThat(answer.path("Username").asText()).isEqualTo("AWS");
      assertThat(answer.path("Secret").asText()).isNotEmpty();

      l.env.put("AWS_ACCESS_KEY_ID", aws.accessKeyId());
      l.env.put("AWS_SECRET_ACCESS_KEY", aws.secretAccessKey());
      Result doctor = l.oidcEcr("doctor", "--role-arn", role, "--registry", host,
          "--token-file", tok.toString());
      assertThat(doctor.code()).as(doctor.all()).isZero();
      assertThat(doctor.out()).contains("PASS").doesNotContain("FAIL");

      // The start-up archive went to the user's cache, never into the install folder.
      Path cds = dir.resolve("world/cache/oidc-ecr-cds");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && !hasArchive(cds)) {
        Thread.sleep(250);
      }
      assertThat(hasArchive(cds)).as("an archive in " + cds).isTrue();
      assertThat(listing(root)).isEqualTo(before);
    } finally {
      awaitNoLock(dir.resolve("world/cache/oidc-ecr-cds"));
      run(install, List.of("chmod", "-R", "u+w", root.toString()));
    }
  }

  @Test
  void launcher_withoutAnyJava_saysWhatToInstall() throws Exception {
    Launcher l = new Launcher(Launcher.BUILT, dir);
    l.env.remove("JAVA_HOME");
    l.env.put("PATH", "/usr/bin:/bin");
    if (Files.isExecutable(Path.of("/usr/bin/java")) || Files.isExecutable(Path.of("/bin/java"))) {
      // A java on the system path: point JAVA_HOME at a folder without one instead.
      l.env.put("JAVA_HOME", Files.createDirectories(dir.resolve("no-jdk")).toString());
    }
    Result r = l.oidcEcr("--help");
    assertThat(r.code()).as(r.all()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).as(r.all()).startsWith("oidc-ecr: ").contains("Java 17")
        .contains("JAVA_HOME");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  private static boolean hasArchive(Path cds) throws IOException {
    if (!Files.isDirectory(cds)) {
      return false;
    }
    try (Stream<Path> files = Files.list(cds)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet())
          .stream().anyMatch(n -> n.endsWith(".jsa.sum"));
    }
  }

  private static void awaitNoLock(Path cds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && Files.isDirectory(cds)) {
      Set<String> names;
      try (Stream<Path> files = Files.list(cds)) {
        names = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      }
      if (names.stream().noneMatch(n -> n.endsWith(".lock"))) {
        return;
      }
      Thread.sleep(250);
    }
  }
}
