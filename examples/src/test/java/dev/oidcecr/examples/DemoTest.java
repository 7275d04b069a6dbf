package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
