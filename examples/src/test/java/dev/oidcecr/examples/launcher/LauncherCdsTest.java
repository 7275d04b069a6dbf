package dev.oidcecr.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.examples.launcher.Launcher.Result;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.WithFakeAws;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 items 1 and 2 through a copy of the built distribution (so that the launcher uses the
 * per-user start-up archive in {@code $XDG_CACHE_HOME/oidc-ecr-cds}): writing the archive never
 * changes a command's output or exit status, and a damaged or stale archive is never mapped.
 */
@WithFakeAws
class LauncherCdsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path dist;
  private Path jdk;
  private Launcher l;
  private String host;
  private String role;
  private Path tok;

  @BeforeEach
  void setUp(FakeAws aws, FakeOidcIssuer issuer) throws IOException {
    role = Launcher.setUpRole(aws, issuer);
    host = Launcher.host(aws);
    tok = Files.writeString(dir.resolve("token"),
        issuer.token().repository("https://github.com/acme/app").mint());
    dist = copyDistribution(dir.resolve("dist"));
    // JAVA_HOME through a link, so that a test can switch the JDK behind the same path.
    jdk = Files.createSymbolicLink(dir.resolve("jdk"), Path.of(System.getProperty("java.home")));
    l = launcherFrom(dist);
    l.env.put("OIDC_ECR_ROLE_ARN", role);
    l.env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tok.toString());
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    l.env.put("OIDC_ECR_CACHE_DIR", dir.resolve("credentials").toString());
    // Every get here must start the JVM: a cache hit would otherwise be answered by the shell.
    l.env.put("OIDC_ECR_FAST", "off");
  }

  /** Lets the launcher's detached run finish before the folder goes. */
  @AfterEach
  void awaitIdle() throws Exception {
    int quiet = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (quiet < 3 && System.nanoTime() < deadline) {
      boolean busy = false;
      if (Files.isDirectory(cds())) {
        try (Stream<Path> files = Files.list(cds())) {
          busy = files.anyMatch(p -> p.getFileName().toString().endsWith(".lock"));
        }
      }
      quiet = busy ? 0 : quiet + 1;
      Thread.sleep(500);
    }
  }

  private Launcher launcherFrom(Path distribution) throws IOException {
    Launcher launcher = new Launcher(distribution, dir);
    launcher.env.put("JAVA_HOME", jdk.toString());
    launcher.env.put("XDG_CACHE_HOME", dir.resolve("xdg").toString());
    return launcher;
  }

  /** Bin and lib of the built distribution, without the build's own archive. */
  private static Path copyDistribution(Path to) throws IOException {
    try (Stream<Path> files = Files.walk(Launcher.BUILT)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(Launcher.BUILT.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().startsWith("oidc-ecr.jsa")) {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  private Path cds() {
    return dir.resolve("xdg/oidc-ecr-cds");
  }

  /** Checks that stdout is exactly the helper's answer: one JSON object with the credentials. */
  private void assertOnlyCredentials(Result get) throws IOException {
    assertThat(get.code()).as(get.all()).isZero();
    assertThat(get.out().strip().lines().count()).as(get.all()).isEqualTo(1);
    JsonNode answer = JSON.readTree(get.out());
    assertThat(answer.path("Username").asText()).as(get.all()).isEqualTo("AWS");
    assertThat(answer.path("Secret").asText()).as(get.all()).isNotEmpty();
    assertThat(answer.path("ServerURL").asText()).as(get.all()).isEqualTo(host);
  }

  private void assertNothingFromTheJvm(Result r) throws IOException {
    assertThat(r.out() + r.err()).as(r.all()).doesNotContain("[error]")
        .doesNotContain("[warning]").doesNotContain("fatal error").doesNotContain("SIGBUS")
        .doesNotContain("shared archive");
    try (Stream<Path> files = Files.list(dir.resolve("cwd"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("files the JVM left in the caller's folder").noneMatch(n -> n.startsWith("hs_err"));
    }
  }

  /** Waits until the detached run has dumped and sealed the archive (or the old launcher did). */
  private Path awaitArchive() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (System.nanoTime() < deadline) {
      Optional<Path> jsa = Optional.empty();
      boolean busy = false;
      if (Files.isDirectory(cds())) {
        try (Stream<Path> files = Files.list(cds())) {
          for (Path p : files.toList()) {
            String n = p.getFileName().toString();
            busy |= n.endsWith(".lock") || n.matches(".*\\.jsa\\.[0-9]+(\\.sum)?");
            if (n.endsWith(".jsa")) {
              jsa = Optional.of(p);
            }
          }
        }
      }
      if (jsa.isPresent() && !busy) {
        return jsa.get();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no start-up archive in " + cds() + " after 240 s");
  }

  @Test
  void fullCacheDisk_getAndLoginSucceedAsIfNothingHappened() throws Exception {
    Path cache = Files.createDirectories(dir.resolve("xdg"));
    boolean mounted = mountSmallTmpfs(cache);
    Launcher runner = l;
    if (!mounted) {
      // No mount allowed: a file-size limit makes every write past 1 MiB fail the same way.
      Path limited = Files.createDirectories(dir.resolve("limited/bin"));
      for (String program : List.of("oidc-ecr", "docker-credential-oidc-ecr")) {
        Path wrapper = Files.writeString(limited.resolve(program), "#!/bin/sh\nulimit -f 2048"
            + " || exit 99\nexec '" + dist.resolve("bin").resolve(program) + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      runner = launcherFrom(limited.getParent());
      runner.env.putAll(l.env);
    }
    try {
      if (mounted) {
        fill(cache);
      }
      Result get = runner.helper(host + "\n", "get");
      assertOnlyCredentials(get);
      assertThat(get.err()).as(get.all()).isEmpty();
      Result login = runner.oidcEcr("login", "--registry", host);
      assertThat(login.code()).as(login.all()).isZero();
      assertThat(login.out()).startsWith("Login Succeeded: " + host);
      assertThat(login.err()).as(login.all()).isEmpty();
    } finally {
      if (mounted) {
        unmount(cache);
      }
    }
  }

  private static boolean mountSmallTmpfs(Path at) throws Exception {
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs",
        at.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  private static void fill(Path fs) throws IOException {
    try (OutputStream out = Files.newOutputStream(fs.resolve("filler"))) {
      byte[] block = new byte[4096];
      for (int i = 0; i < 1024; i++) {
        out.write(block);
        out.flush();
      }
      throw new AssertionError("4 MiB fit on a 1 MiB file system");
    } catch (IOException e) {
      // Full: what the test wants.
    }
  }

  /** Unmounts, waiting for the launcher's detached run to leave the file system. */
  private static void unmount(Path at) throws Exception {
    for (int i = 0; i < 100; i++) {
      Process p = new ProcessBuilder("umount", at.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return;
      }
      Thread.sleep(300);
    }
    new ProcessBuilder("umount", "-l", at.toString()).start().waitFor(30, TimeUnit.SECONDS);
  }

  @Test
  void damagedOrStaleArchive_isNeverMapped_andIsRebuilt() throws Exception {
    assertOnlyCredentials(l.helper(host + "\n", "get"));
    Path archive = awaitArchive();
    long fullSize = Files.size(archive);

    // Truncated (a full disk or a killed copy): the JVM would crash with SIGBUS mapping it.
    try (var ch = java.nio.channels.FileChannel.open(archive,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(fullSize / 2);
    }
    Result afterTruncation = l.helper(host + "\n", "get");
    assertOnlyCredentials(afterTruncation);
    assertNothingFromTheJvm(afterTruncation);
    Path rebuilt = awaitArchive();
    assertThat(Files.size(rebuilt)).as("rebuilt whole").isGreaterThan(fullSize / 2);

    // A seal naming another JDK: the archive is not this JDK's, whatever its bytes say.
    Path seal = Path.of(rebuilt + ".sum");
    assertThat(seal).exists();
    String line = Files.readString(seal);
    String real = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath().toString();
    assertThat(line).contains(real);
    Files.writeString(seal, line.replace(real, "/usr/lib/jvm/another-jdk/bin/java"));
    Result afterStaleSeal = l.helper(host + "\n", "get");
    assertOnlyCredentials(afterStaleSeal);
    assertNothingFromTheJvm(afterStaleSeal);
    assertThat(Files.readString(Path.of(awaitArchive() + ".sum"))).as("sealed again")
        .contains(real);

    // Jars replaced in place (an upgrade into the same folder): the JVM would refuse the old
    // archive for the new jars, so the launcher builds one for them under another key.
    Path before = awaitArchive();
    Path jar;
    try (Stream<Path> jars = Files.list(dist.resolve("lib"))) {
      jar = jars.filter(p -> p.getFileName().toString().startsWith("slf4j-api-"))
          .findFirst().orElseThrow();
    }
    rewriteStored(jar);
    Result afterUpgrade = l.helper(host + "\n", "get");
    assertOnlyCredentials(afterUpgrade);
    assertNothingFromTheJvm(afterUpgrade);
    Path upgraded = awaitArchiveOtherThan(before);
    assertThat(Files.readString(Path.of(upgraded + ".sum"))).as("sealed").contains(real);
    // The old jars' archive is left for the user's cache cleaning; drop it so that the step
    // below sees one archive.
    Files.delete(Path.of(before + ".sum"));
    Files.delete(before);

    // A real JDK switch behind the same JAVA_HOME, when this machine has a second JDK.
    Optional<Path> other = otherJdk();
    if (other.isPresent()) {
      Files.delete(jdk);
      Files.createSymbolicLink(jdk, other.get());
      Result afterSwitch = l.helper(host + "\n", "get");
      assertOnlyCredentials(afterSwitch);
      assertNothingFromTheJvm(afterSwitch);
      assertThat(Files.readString(Path.of(awaitArchive() + ".sum"))).as("sealed for the new JDK")
          .contains(other.get().resolve("bin/java").toRealPath().toString());
      Result warm = l.helper(host + "\n", "get");
      assertOnlyCredentials(warm);
      assertNothingFromTheJvm(warm);
    }
  }

  /** Rewrites a jar with the same entries, stored rather than deflated: new size, same classes. */
  private static void rewriteStored(Path jar) throws IOException {
    Path copy = jar.resolveSibling(jar.getFileName() + ".new");
    try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(jar));
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(copy))) {
      out.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
    }
    Files.move(copy, jar, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Waits for a whole archive under another name than {@code old}, once no dump runs. */
  private Path awaitArchiveOtherThan(Path old) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(cds())) {
        List<String> names = files.map(p -> p.getFileName().toString()).toList();
        boolean busy = names.stream().anyMatch(n -> n.endsWith(".lock")
            || n.matches(".*\\.jsa\\.[0-9]+(\\.sum)?"));
        Optional<String> fresh = names.stream().filter(n -> n.endsWith(".jsa"))
            .filter(n -> !n.equals(old.getFileName().toString())).findFirst();
        if (fresh.isPresent() && !busy && names.contains(fresh.get() + ".sum")) {
          return cds().resolve(fresh.get());
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no archive for the replaced jars in " + cds());
  }

  /** Another JDK 17 or later in /usr/lib/jvm, not the one running the tests. */
  private static Optional<Path> otherJdk() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    Path ours = Path.of(System.getProperty("java.home")).toRealPath();
    List<Path> found = new ArrayList<>();
    try (Stream<Path> homes = Files.list(jvms)) {
      for (Path home : homes.toList()) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isReadable(release)
            || home.toRealPath().equals(ours)) {
          continue;
        }
        String version = Files.readString(release).lines()
            .filter(s -> s.startsWith("JAVA_VERSION=")).findFirst().orElse("")
            .replaceAll("[^0-9.]", "");
        String major = version.split("\\.")[0];
        if (!major.isEmpty() && Integer.parseInt(major) >= 17
            && !version.equals(Runtime.version().toString().split("[+-]")[0])) {
          found.add(home.toRealPath());
        }
      }
    }
    return found.stream().sorted().findFirst();
  }
}
