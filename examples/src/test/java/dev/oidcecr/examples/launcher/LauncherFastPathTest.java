package dev.oidcecr.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.examples.launcher.Launcher.Result;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.FakeOidcIssuer;
import dev.oidcecr.testing.RecordedCall;
import dev.oidcecr.testing.WithFakeAws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 1 through the built launcher: {@code docker-credential-oidc-ecr get} answers a
 * cache hit without a JVM, byte for byte as the JVM does, and never from an entry that is
 * tampered with, foreign, readable by others, expired, or for another role, subject or endpoint.
 *
 * <p>Whether the JVM ran is told by {@code OIDC_ECR_JAVA_OPTS} set to an option no JVM knows: a
 * run that starts the JVM then fails, a run answered by the shell succeeds.
 */
@WithFakeAws
class LauncherFastPathTest {
  private static final String NO_JVM = "-XX:+NoSuchOptionSoTheJvmCannotStart";

  @TempDir Path dir;

  private FakeAws aws;
  private FakeOidcIssuer issuer;
  private Launcher l;
  private String host;
  private Path cache;
  private Path tokenFile;

  @BeforeEach
  void setUp(FakeAws aws, FakeOidcIssuer issuer) throws IOException {
    this.aws = aws;
    this.issuer = issuer;
    String role = Launcher.setUpRole(aws, issuer);
    host = Launcher.host(aws);
    tokenFile = Files.writeString(dir.resolve("token"),
        issuer.token().repository("https://github.com/acme/app").mint() + "\n");
    cache = dir.resolve("cache");
    l = new Launcher(Launcher.BUILT, dir);
    l.env.put("OIDC_ECR_ROLE_ARN", role);
    l.env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString());
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    l.env.put("OIDC_ECR_CACHE_DIR", cache.toString());
    l.env.put("OIDC_ECR_CDS", "off");
  }

  private Result get() throws Exception {
    return l.helper(host + "\n", "get");
  }

  /** A get that may not start the JVM. */
  private Result getWithoutJvm() throws Exception {
    l.env.put("OIDC_ECR_JAVA_OPTS", NO_JVM);
    try {
      return get();
    } finally {
      l.env.remove("OIDC_ECR_JAVA_OPTS");
    }
  }

  private Path entry() throws IOException {
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> fast = files.filter(p -> p.getFileName().toString().startsWith("fast-"))
          .toList();
      assertThat(fast).hasSize(1);
      return fast.get(0);
    }
  }

  /** Rewrites the entry's content and renames it to the new content's digest. */
  private static Path rewrite(Path entry, List<String> lines) throws Exception {
    byte[] content = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    String name = entry.getFileName().toString();
    Path renamed = entry.resolveSibling(name.substring(0, name.lastIndexOf('.') + 1)
        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    Files.delete(entry);
    Files.write(renamed, content);
    Files.setPosixFilePermissions(renamed, PosixFilePermissions.fromString("rw-------"));
    return renamed;
  }

  @Test
  void hit_isAnsweredWithoutJvm_byteForByteAsTheJvmAnswers() throws Exception {
    Result first = get();
    assertThat(first.code()).as(first.all()).isZero();
    Result fast = getWithoutJvm();
    assertThat(fast.code()).as(fast.all()).isZero();
    assertThat(fast.out()).isEqualTo(first.out());
    assertThat(fast.err()).isEmpty();
    // The JVM answering from its own disk cache gives the same bytes again.
    l.env.put("OIDC_ECR_FAST", "off");
    Result jvmHit = get();
    assertThat(jvmHit.out()).isEqualTo(first.out());
    l.env.remove("OIDC_ECR_FAST");
    // Without a trailing newline, as Docker writes it.
    l.env.put("OIDC_ECR_JAVA_OPTS", NO_JVM);
    Result noNewline = l.helper(host, "get");
    l.env.remove("OIDC_ECR_JAVA_OPTS");
    assertThat(noNewline.out()).as(noNewline.all()).isEqualTo(first.out());
    // The entry holds no more than the answer the JVM gave: mode 0600 in a 0700 folder.
    assertThat(Files.getPosixFilePermissions(entry()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(cache))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void miss_startsTheJvmWithTheSameInput() throws Exception {
    Result bad = l.helper("not a registry\n", "get");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).isEqualTo("credentials not found in native keychain\n");
    Result ok = get();
    assertThat(ok.code()).as(ok.all()).isZero();
    assertThat(ok.out()).contains("\"ServerURL\":\"" + host + "\"");
  }

  @Test
  void entriesThatAreNotTheCallersOrNotIntact_areNeverUsed() throws Exception {
    assertThat(get().code()).isZero();
    Path entry = entry();
    List<String> lines = Files.readAllLines(entry);
    assertThat(getWithoutJvm().code()).isZero();

    // Tampered: content that does not match its name.
    String original = Files.readString(entry);
    Files.writeString(entry, original.replace("\"Username\":\"AWS\"", "\"Username\":\"AWX\""));
    assertThat(getWithoutJvm().code()).as("tampered").isNotZero();
    Files.writeString(entry, original);
    assertThat(getWithoutJvm().code()).isZero();

    // Readable by others, or in a folder others can read.
    Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(getWithoutJvm().code()).as("world-readable").isNotZero();
    Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(getWithoutJvm().code()).as("open folder").isNotZero();
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
    assertThat(getWithoutJvm().code()).isZero();

    // Expired, though consistent.
    long now = System.currentTimeMillis() / 1000;
    List<String> expired = new ArrayList<>(lines);
    expired.set(3, Long.toString(now - 1));
    entry = rewrite(entry, expired);
    assertThat(getWithoutJvm().code()).as("expired").isNotZero();
    List<String> future = new ArrayList<>(lines);
    future.set(2, Long.toString(now + 3600));
    entry = rewrite(entry, future);
    assertThat(getWithoutJvm().code()).as("not yet valid").isNotZero();
    entry = rewrite(entry, lines);
    assertThat(getWithoutJvm().code()).isZero();

    // A link instead of the entry.
    Path target = Files.move(entry, dir.resolve("elsewhere"));
    Files.createSymbolicLink(entry, target);
    assertThat(getWithoutJvm().code()).as("symbolic link").isNotZero();
    Files.delete(entry);
    Files.move(target, entry);
    assertThat(getWithoutJvm().code()).isZero();

    // Another role, subject or endpoint, with the same entry in place.
    String role = l.env.get("OIDC_ECR_ROLE_ARN");
    l.env.put("OIDC_ECR_ROLE_ARN", role.replace("gitpod-ecr-pull", "other-role"));
    assertThat(getWithoutJvm().code()).as("other role").isNotZero();
    l.env.put("OIDC_ECR_ROLE_ARN", role);
    String token = Files.readString(tokenFile);
    Files.writeString(tokenFile, issuer.token().repository("https://github.com/acme/other").mint());
    assertThat(getWithoutJvm().code()).as("other subject").isNotZero();
    Files.writeString(tokenFile, token);
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString() + "/");
    assertThat(getWithoutJvm().code()).as("other endpoint").isNotZero();
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    l.env.put("AWS_ENDPOINT_URL_STS", aws.endpoint().toString());
    assertThat(getWithoutJvm().code()).as("other STS endpoint").isNotZero();
    l.env.remove("AWS_ENDPOINT_URL_STS");
    // A token file with something after the token.
    Files.writeString(tokenFile, token + "x\n");
    assertThat(getWithoutJvm().code()).as("token file with more lines").isNotZero();
    Files.writeString(tokenFile, token);
    assertThat(getWithoutJvm().code()).isZero();
  }

  @Test
  void foreignOwnedEntry_isNeverUsed() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "changing a file's owner needs root");
    assertThat(get().code()).isZero();
    Path entry = entry();
    assertThat(new ProcessBuilder("chown", "12345", entry.toString()).start().waitFor())
        .isZero();
    assertThat(getWithoutJvm().code()).as("foreign entry").isNotZero();
    assertThat(new ProcessBuilder("chown", "0", entry.toString()).start().waitFor()).isZero();
    assertThat(new ProcessBuilder("chown", "12345", cache.toString()).start().waitFor())
        .isZero();
    assertThat(getWithoutJvm().code()).as("foreign folder").isNotZero();
    assertThat(new ProcessBuilder("chown", "0", cache.toString()).start().waitFor()).isZero();
    assertThat(getWithoutJvm().code()).isZero();
  }

  @Test
  void tenConcurrentGetsOnAMiss_makeOneStsAndOneEcrCall() throws Exception {
    aws.takeCall(java.time.Duration.ZERO);
    while (aws.takeCall(java.time.Duration.ZERO).isPresent()) {
      // drain the set-up's calls
    }
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<Result>> runs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        runs.add(pool.submit(this::get));
      }
      List<String> answers = new ArrayList<>();
      for (Future<Result> f : runs) {
        Result r = f.get();
        assertThat(r.code()).as(r.all()).isZero();
        answers.add(r.out());
      }
      assertThat(answers).containsOnly(answers.get(0));
    } finally {
      pool.shutdownNow();
    }
    List<String> operations = new ArrayList<>();
    for (RecordedCall c; (c = aws.takeCall(java.time.Duration.ZERO).orElse(null)) != null; ) {
      operations.add(c.qualifiedOperation());
    }
    assertThat(operations).containsExactlyInAnyOrder("sts:AssumeRoleWithWebIdentity",
        "ecr:GetAuthorizationToken");
  }
}
