package dev.oidcecr.policies.publicapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.RepositoryPolicy;
import dev.oidcecr.policies.TrustPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Builds, writes, reads and lints the three policies with the public API only. */
class PublicApiTest {

  @Test
  void threePolicies_buildWriteParseAndLintFromOutsideThePackage() {
    PolicyDocument trust = TrustPolicy.builder()
        .issuer("https://services.gitpod.example.com/idp")
        .account("123456789012")
        .repository("https://github.com/acme/app")
        .build();
    PolicyDocument permissions = PermissionPolicy.builder()
        .repository("123456789012", "eu-west-1", "acme/app")
        .build();
    PolicyDocument repository = RepositoryPolicy.builder().allowAccount("210987654321").build();
    PolicyLinter linter = PolicyLinter.builder().trustPolicyQuota(2048).build();

    assertThat(PolicyDocument.parse(trust.toJson())).isEqualTo(trust);
    assertThat(linter.lint(trust.toJson(), PolicyKind.TRUST)).isEmpty();
    assertThat(linter.lint(permissions, PolicyKind.IDENTITY)).isEmpty();
    assertThat(linter.lint(repository, PolicyKind.REPOSITORY)).isEmpty();

    List<Finding> misuse = linter.lint(permissions, PolicyKind.TRUST);
    assertThat(Finding.hasErrors(misuse)).isTrue();
    assertThat(misuse).extracting(Finding::id).contains("PRINCIPAL_MISSING",
        "RESOURCE_NOT_ALLOWED");
  }
}
