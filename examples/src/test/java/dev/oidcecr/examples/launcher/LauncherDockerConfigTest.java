package dev.oidcecr.examples.launcher;

import static dev.oidcecr.examples.launcher.Launcher.assertOneSentence;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 2 through the built launcher: {@code oidc-ecr login} puts the login where Docker
 * reads it ({@code credHelpers}, {@code credsStore}, {@code auths}), says what it did, writes a
 * symlinked {@code config.json} through the link and leaves no lock file.
 */
@WithFakeAws
class LauncherDockerConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Launcher l;
  private String host;
  private Path docker;
  private Path stubs;

  @BeforeEach
  void setUp(FakeAws aws, FakeOidcIssuer issuer) throws IOException {
    String role = Launcher.setUpRole(aws, issuer);
    host = Launcher.host(aws);
    Path tok = Files.writeString(dir.resolve("token"),
        issuer.token().repository("https://github.com/acme/app").mint());
    l = new Launcher(Launcher.BUILT, dir);
    stubs = Files.createDirectories(dir.resolve("stubs"));
    l.env.put("PATH", stubs + ":" + System.getenv("PATH"));
    l.env.put("OIDC_ECR_ROLE_ARN", role);
    l.env.put("AWS_WEB_IDENTITY_TOKEN_FILE", tok.toString());
    l.env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    docker = Files.createDirectories(dir.resolve("home/.docker"));
  }

  /** A {@code docker-credential-NAME} on PATH that records its arguments and input. */
  private Path stubHelper(String name, int exit, String says) throws IOException {
    Path record = dir.resolve(name + ".record");
    Path stub = stubs.resolve("docker-credential-" + name);
    Files.writeString(stub, "#!/bin/sh\n"
        + "printf '%s\\n' \"$*\" > '" + record + ".args'\n"
        + "cat > '" + record + ".stdin'\n"
        + "printf '%s\\n' '" + says + "'\n"
        + "exit " + exit + "\n");
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
    return record;
  }

  private Result login(String... more) throws Exception {
    String[] args = Stream.concat(Stream.of("login", "--registry", host), Stream.of(more))
        .toArray(String[]::new);
    return l.oidcEcr(args);
  }

  private void assertNoLockLeft(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".lock") || n.endsWith(".tmp"));
    }
  }

  @Test
  void credsStore_loginIsStoredThroughItsHelper_andConfigIsUntouched() throws Exception {
    Path record = stubHelper("teststore", 0, "");
    String config = "{\n  \"credsStore\": \"teststore\",\n  \"auths\": {}\n}\n";
    Files.writeString(docker.resolve("config.json"), config);

    Result r = login();

    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).as(r.all()).startsWith("Login Succeeded: " + host)
        .contains("stored with docker-credential-teststore").contains("credsStore");
    assertThat(Files.readString(Path.of(record + ".args"))).isEqualTo("store\n");
    JsonNode given = JSON.readTree(Files.readString(Path.of(record + ".stdin")));
    assertThat(given.path("ServerURL").asText()).isEqualTo(host);
    assertThat(given.path("Username").asText()).isEqualTo("AWS");
    assertThat(given.path("Secret").asText()).isNotEmpty();
    assertThat(r.out() + r.err()).doesNotContain(given.path("Secret").asText());
    assertThat(docker.resolve("config.json")).hasContent(config);
    assertNoLockLeft(docker);
  }

  @Test
  void credHelpersEntry_winsOverCredsStore_asInDocker() throws Exception {
    Path record = stubHelper("teststore", 0, "");
    String config = "{\"credsStore\": \"nosuchstore\", \"credHelpers\": {\"" + host
        + "\": \"teststore\"}}";
    Files.writeString(docker.resolve("config.json"), config);

    Result r = login();

    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("Login Succeeded: " + host)
        .contains("stored with docker-credential-teststore").contains("credHelpers entry");
    assertThat(JSON.readTree(Files.readString(Path.of(record + ".stdin"))).path("ServerURL")
        .asText()).isEqualTo(host);
    assertThat(docker.resolve("config.json")).hasContent(config);
  }

  @Test
  void storeHelperMissingOrFailing_exitsOne_saysWhy_andLosesNothing() throws Exception {
    String config = "{\"credsStore\": \"nosuchstore\", \"auths\": {\"other.example\": {}}}";
    Files.writeString(docker.resolve("config.json"), config);

    Result missing = login();

    assertThat(missing.code()).as(missing.all()).isEqualTo(1);
    assertThat(missing.out()).doesNotContain("Login Succeeded").isEmpty();
    assertOneSentence(missing);
    assertThat(missing.err()).contains("docker-credential-nosuchstore").contains("not on PATH")
        .contains("--use-credential-helper");
    assertThat(docker.resolve("config.json")).hasContent(config);

    stubHelper("nosuchstore", 1, "the keychain is locked");
    Result failing = login();

    assertThat(failing.code()).as(failing.all()).isEqualTo(1);
    assertThat(failing.out()).isEmpty();
    assertOneSentence(failing);
    assertThat(failing.err()).contains("docker-credential-nosuchstore")
        .contains("status 1").contains("the keychain is locked").contains("nothing was stored");
    assertThat(docker.resolve("config.json")).hasContent(config);
    assertNoLockLeft(docker);
  }

  @Test
  void ourHelperAlreadySet_nothingStored_andNoLoginSucceeded() throws Exception {
    String config = "{\"credHelpers\": {\"" + host + "\": \"oidc-ecr\"}}";
    Files.writeString(docker.resolve("config.json"), config);

    Result r = login();

    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).doesNotContain("Login Succeeded")
        .contains("docker-credential-oidc-ecr").contains("nothing was stored");
    assertThat(docker.resolve("config.json")).hasContent(config);
  }

  @Test
  void useCredentialHelper_writesCredHelpersEntry_keepingTheRest() throws Exception {
    Files.writeString(docker.resolve("config.json"),
        "{\"credsStore\": \"desktop\", \"auths\": {\"other.example\": {\"auth\": \"eDp5\"}}}");

    Result r = login("--use-credential-helper");

    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).doesNotContain("Login Succeeded")
        .contains("Docker will ask docker-credential-oidc-ecr for " + host)
        .contains("credHelpers entry written to " + docker.resolve("config.json"));
    JsonNode written = JSON.readTree(docker.resolve("config.json").toFile());
    assertThat(written.path("credHelpers").path(host).asText()).isEqualTo("oidc-ecr");
    assertThat(written.path("credsStore").asText()).isEqualTo("desktop");
    assertThat(written.path("auths").path("other.example").path("auth").asText())
        .isEqualTo("eDp5");
    assertThat(written.path("auths").has(host)).isFalse();
    assertNoLockLeft(docker);

    // Docker then runs the helper, which answers for the host on its own.
    Result get = l.helper(host + "\n", "get");
    assertThat(get.code()).as(get.all()).isZero();
    assertThat(JSON.readTree(get.out()).path("Username").asText()).isEqualTo("AWS");
  }

  @Test
  void symlinkedConfig_isWrittenThroughTheLink_andNoLockIsLeft() throws Exception {
    Path dotfiles = Files.createDirectories(dir.resolve("dotfiles"));
    Path real = Files.writeString(dotfiles.resolve("docker.json"),
        "{\"experimental\": \"enabled\"}");
    Path link = Files.createSymbolicLink(docker.resolve("config.json"),
        Path.of("..", "..", "dotfiles", "docker.json"));

    Result r = login();

    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("Login Succeeded: " + host);
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("..", "..", "dotfiles",
        "docker.json"));
    JsonNode written = JSON.readTree(real.toFile());
    assertThat(written.path("auths").path(host).path("auth").asText()).isNotEmpty();
    assertThat(written.path("experimental").asText()).isEqualTo("enabled");
    assertNoLockLeft(docker);
    assertNoLockLeft(dotfiles);
  }
}
