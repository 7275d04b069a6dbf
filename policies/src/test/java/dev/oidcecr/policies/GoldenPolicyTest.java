package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The three documents of DESIGN.md section 1, byte for byte as checked in. */
class GoldenPolicyTest {

  static PolicyDocument trust() {
    return TrustPolicy.builder()
        .issuer("https://services.gitpod.example.com/idp")
        .account("123456789012")
        .repository("https://github.com/acme/app")
        .build();
  }

  static PolicyDocument permissions() {
    return PermissionPolicy.builder().repository("123456789012", "eu-west-1", "acme/app").build();
  }

  static PolicyDocument repository() {
    return RepositoryPolicy.builder().allowAccount("210987654321").build();
  }

  @Test
  void trustPolicy_matchesGoldenFile() throws IOException {
    assertThat(trust().toPrettyJson()).isEqualTo(golden("trust-policy.json"));
  }

  @Test
  void permissionPolicy_matchesGoldenFile() throws IOException {
    assertThat(permissions().toPrettyJson()).isEqualTo(golden("permission-policy.json"));
  }

  @Test
  void repositoryPolicy_matchesGoldenFile() throws IOException {
    assertThat(repository().toPrettyJson()).isEqualTo(golden("repository-policy.json"));
  }

  @Test
  void goldenFiles_parseBackToTheBuiltDocuments() throws IOException {
    assertThat(PolicyDocument.parse(golden("trust-policy.json"))).isEqualTo(trust());
    assertThat(PolicyDocument.parse(golden("permission-policy.json"))).isEqualTo(permissions());
    assertThat(PolicyDocument.parse(golden("repository-policy.json"))).isEqualTo(repository());
  }

  @Test
  void goldenDocuments_areLintClean() {
    PolicyLinter linter = PolicyLinter.create();
    assertThat(linter.lint(trust(), PolicyKind.TRUST)).isEmpty();
    assertThat(linter.lint(permissions(), PolicyKind.IDENTITY)).isEmpty();
    assertThat(linter.lint(repository(), PolicyKind.REPOSITORY)).isEmpty();
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = GoldenPolicyTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("resource /golden/" + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
    }
  }
}
