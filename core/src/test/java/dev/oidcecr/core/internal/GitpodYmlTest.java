package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitpodYmlTest {
  @TempDir Path root;

  @Test
  void parse_withImageString_returnsTheReference() {
    assertThat(GitpodYml.parse("image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:1\n"
        + "tasks:\n  - init: make\n", root))
        .hasValueSatisfying(i -> {
          assertThat(i.reference()).contains("123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:1");
          assertThat(i.dockerfile()).isEmpty();
        });
  }

  @Test
  void parse_withImageFile_resolvesDockerfileAndContextAgainstTheRoot() {
    assertThat(GitpodYml.parse("""
        image:
          file: ./docker/../.gitpod.Dockerfile
          context: docker
        """, root))
        .hasValueSatisfying(i -> {
          assertThat(i.reference()).isEmpty();
          assertThat(i.dockerfile()).contains(root.resolve(".gitpod.Dockerfile"));
          assertThat(i.context()).contains(root.resolve("docker"));
        });
  }

  @Test
  void parse_withoutImage_isEmpty() {
    assertThat(GitpodYml.parse("tasks:\n  - command: echo hi\n", root)).isEmpty();
    assertThat(GitpodYml.parse("", root)).isEmpty();
  }

  @Test
  void parse_withInvalidYaml_namesTheLineWithoutQuotingTheFile() {
    assertThatThrownBy(() -> GitpodYml.parse("image: [unclosed\ntasks: x\n", root))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid YAML")
        .hasMessageNotContaining("unclosed");
  }

  @Test
  void parse_withImageOfWrongShape_saysWhichShapesWork() {
    assertThatThrownBy(() -> GitpodYml.parse("image:\n  - a\n", root))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image: {file:");
  }

  @Test
  void read_withMissingFile_saysWhichFile() {
    Path missing = root.resolve(".gitpod.yml");
    assertThatThrownBy(() -> GitpodYml.read(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void read_resolvesAgainstTheFilesFolder() throws Exception {
    Files.writeString(root.resolve(".gitpod.yml"), "image: {file: .gitpod.Dockerfile}\n");
    assertThat(GitpodYml.read(root.resolve(".gitpod.yml")).orElseThrow().dockerfile())
        .contains(root.toAbsolutePath().resolve(".gitpod.Dockerfile"));
  }
}
