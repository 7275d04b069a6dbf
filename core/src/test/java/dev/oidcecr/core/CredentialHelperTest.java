package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialHelperTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String PASSWORD = "the-ecr-secret-password-000";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Run(int code, String out) {}

  private static Run run(CredentialHelper h, String action, String stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        h.run(List.of(action), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out);
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }

  private static CredentialHelper helper(AtomicInteger calls) {
    return CredentialHelper.of(
        r -> {
          calls.incrementAndGet();
          return Optional.of(DockerAuth.of(r.host(), "AWS", PASSWORD));
        });
  }

  @Test
  void get_ecrHost_printsServerUrlUsernameSecret() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    Run r = run(helper(calls), "get", "https://" + HOST + "\n");
    assertThat(r.code()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("ServerURL").asText()).isEqualTo("https://" + HOST);
    assertThat(json.get("Username").asText()).isEqualTo("AWS");
    assertThat(json.get("Secret").asText()).isEqualTo(PASSWORD);
    assertThat(calls).hasValue(1);
  }

  @Test
  void get_nonEcrHost_notFoundWithoutCallingSupplier() {
    AtomicInteger calls = new AtomicInteger();
    for (String host :
        List.of(
            "docker.io",
            "https://index.docker.io/v1/",
            HOST + ".evil.example",
            "ghcr.io",
            "https://AWS:" + PASSWORD + "@" + HOST)) {
      Run r = run(helper(calls), "get", host);
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.out().strip()).isEqualTo(CredentialHelper.NOT_FOUND);
    }
    assertThat(calls).hasValue(0);
    // The protocol answer is exactly the sentinel, so the URL's password cannot leak through it.
  }

  @Test
  void get_supplierHasNothing_notFound() {
    Run r = run(CredentialHelper.of(reg -> Optional.empty()), "get", HOST);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out().strip()).isEqualTo(CredentialHelper.NOT_FOUND);
  }

  @Test
  void get_emptyInput_isError() {
    Run r = run(helper(new AtomicInteger()), "get", "\n");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("no credentials server URL");
  }

  @Test
  void get_supplierThrowsOurException_printsItsMessage() {
    CredentialHelper h =
        CredentialHelper.of(
            reg -> {
              throw new StsAuthenticationException(
                  "Not authorized: check the trust policy's sub condition", null, "AccessDenied", "r-1");
            });
    Run r = run(h, "get", HOST);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("check the trust policy's sub condition");
  }

  @Test
  void get_supplierThrowsUnknownException_printsOnlyItsType() {
    CredentialHelper h =
        CredentialHelper.of(
            reg -> {
              throw new IllegalStateException("leaky " + PASSWORD);
            });
    Run r = run(h, "get", HOST);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("IllegalStateException").doesNotContain(PASSWORD);
  }

  @Test
  void storeAndErase_answerNotImplementedAsAwslabsHelperDoes() {
    AtomicInteger calls = new AtomicInteger();
    Run store =
        run(helper(calls), "store", "{\"ServerURL\":\"" + HOST + "\",\"Username\":\"AWS\",\"Secret\":\"x\"}");
    Run erase = run(helper(calls), "erase", HOST);
    assertThat(store.code()).isEqualTo(1);
    assertThat(store.out()).isEqualTo("not implemented\n");
    assertThat(erase.code()).isEqualTo(1);
    assertThat(erase.out()).isEqualTo("not implemented\n");
    assertThat(calls).hasValue(0);
  }

  @Test
  void storeAndErase_checkTheirInputAsTheProtocolDoes() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(run(helper(calls), "store", "{\"ServerURL\":\"\",\"Username\":\"AWS\"}").out())
        .isEqualTo("no credentials server URL\n");
    assertThat(run(helper(calls), "store", "{\"ServerURL\":\"" + HOST + "\"}").out())
        .isEqualTo("no credentials username\n");
    Run garbage = run(helper(calls), "store", "garbage-" + PASSWORD);
    assertThat(garbage.code()).isEqualTo(1);
    assertThat(garbage.out()).contains("not a JSON object").doesNotContain(PASSWORD);
    assertThat(run(helper(calls), "erase", "").out()).isEqualTo("no credentials server URL\n");
    assertThat(calls).hasValue(0);
  }

  @Test
  void list_printsKnownRegistries() throws IOException {
    CredentialHelper none = CredentialHelper.of(r -> Optional.empty());
    assertThat(run(none, "list", "").out().strip()).isEqualTo("{}");
    CredentialHelper some =
        CredentialHelper.builder()
            .credentials(r -> Optional.empty())
            .knownRegistries(List.of(EcrRegistry.parse(HOST), EcrRegistry.of("210987654321", "eu-west-1")))
            .build();
    Run r = run(some, "list", "");
    assertThat(r.code()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get(HOST).asText()).isEqualTo("AWS");
    assertThat(json.get("210987654321.dkr.ecr.eu-west-1.amazonaws.com").asText()).isEqualTo("AWS");
  }

  @Test
  void version_printsVersion() {
    CredentialHelper h = CredentialHelper.builder().credentials(r -> Optional.empty()).version("1.2.3").build();
    Run r = run(h, "version", "");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).isEqualTo("oidc-ecr credential helper 1.2.3");
  }

  @Test
  void unknownActionOrNoAction_isError() {
    CredentialHelper h = helper(new AtomicInteger());
    Run r = run(h, "frobnicate", "");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("Unknown credential action `frobnicate`");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(h.run(List.of(), InputStream.nullInputStream(), out)).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage");
  }

  @Test
  void get_tooMuchInput_isErrorNotHang() {
    Run r = run(helper(new AtomicInteger()), "get", "x".repeat(100_000));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("64 KiB");
  }
}
