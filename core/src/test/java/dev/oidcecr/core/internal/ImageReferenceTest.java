package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void parse_readsHostRepositoryTagAndDigest() {
    ImageReference r = ImageReference.parse(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:1.2@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(r.host()).isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    assertThat(r.repository()).isEqualTo("acme/app");
    assertThat(r.tag()).contains("1.2");
    assertThat(r.digest()).hasValueSatisfying(d -> assertThat(d).startsWith("sha256:0123"));
  }

  @Test
  void parse_withoutHost_isDockerHub_andPortIsNotATag() {
    assertThat(ImageReference.parse("ubuntu")).isEqualTo(
        new ImageReference("docker.io", "ubuntu", Optional.empty(), Optional.empty()));
    ImageReference local = ImageReference.parse("localhost:5000/app");
    assertThat(local.host()).isEqualTo("localhost:5000");
    assertThat(local.tag()).isEmpty();
  }

  @Test
  void parse_withUppercaseRepository_isRefused() {
    assertThatThrownBy(() -> ImageReference.parse("example.com/Acme/App"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lowercase");
  }
}
