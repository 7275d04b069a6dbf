package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoTest {

  @Test
  void demo_runsTheWholeJobAndExplainsTheRefusal() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(status).as(out).isZero();
    assertThat(out)
        .contains("4 changes for role arn:aws:iam::123456789012:role/gitpod-ecr-pull")
        .contains("Lint: no findings")
        .contains("second apply: 0 changes")
        .contains("IDP_AWS_ROLE_ARN=arn:aws:iam::123456789012:role/gitpod-ecr-pull")
        .contains("(mode rw-------)")
        .contains("/v2/acme/app/manifests/latest -> 200, digest sha256:")
        .contains("StsAuthenticationException (AccessDenied)")
        .contains("[FAIL   ] trust-policy")
        .contains("actual [\"https://github.com/acme/website\"]: NOT matched")
        .contains("Done:");
    // The written config is shown with its secret replaced by its length.
    assertThat(out).containsPattern("\"auth\" : \"<redacted: \\d+ characters>\"");
    assertThat(out).doesNotContainPattern("\"auth\" : \"[A-Za-z0-9+/=]{40,}\"");
  }

  @ParameterizedTest(name = "--issuer {0}")
  @CsvSource(delimiter = '|', value = {
      "ona            | Ona environments          | V2 tokens",
      "github-actions | GitHub Actions jobs       | deployment environment \"production\"",
      "gitlab         | GitLab CI/CD jobs         | ref_type=branch",
      "circleci       | CircleCI jobs             | default audience",
      "bitbucket      | Bitbucket Pipelines steps | default audience",
      "buildkite      | Buildkite jobs            | pipeline=deploy",
      "eks            | pods of an EKS cluster    | service_account=other"})
  void demo_perIssuerProfile_playsTheWholeJob(String id, String who, String doctorSays) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8), id).run();
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(status).as(out).isZero();
    assertThat(out)
        .contains("OIDC issuer of " + who)
        .contains("Lint: no findings")
        .contains("second apply: 0 changes")
        .contains("/v2/acme/app/manifests/latest -> 200, digest sha256:")
        .contains("[FAIL   ]")
        .contains(doctorSays)
        .contains("Done:");
  }
}
