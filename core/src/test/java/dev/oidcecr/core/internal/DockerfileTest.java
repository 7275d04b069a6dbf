package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileTest {
  static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  @Test
  void froms_withPlatformAliasAndStageReference_readsEachStage() {
    List<Dockerfile.From> froms = Dockerfile.froms("""
        # syntax=docker/dockerfile:1
        FROM --platform=$BUILDPLATFORM golang:1.22 AS build
        RUN go build ./...

        from %s/acme/app:latest as Runtime
        FROM runtime
        COPY --from=build /out /app
        """.formatted(ECR));

    assertThat(froms).hasSize(3);
    assertThat(froms.get(0).platform()).contains("$BUILDPLATFORM");
    assertThat(froms.get(0).image()).isEqualTo("golang:1.22");
    assertThat(froms.get(0).alias()).contains("build");
    assertThat(froms.get(1).image()).isEqualTo(ECR + "/acme/app:latest");
    assertThat(froms.get(1).alias()).contains("runtime");
    assertThat(froms.get(1).line()).isEqualTo(5);
    assertThat(froms.get(2).stageReference()).isTrue();
    assertThat(froms.get(2).isImage()).isFalse();
    assertThat(froms).filteredOn(Dockerfile.From::isImage).extracting(Dockerfile.From::image)
        .containsExactly("golang:1.22", ECR + "/acme/app:latest");
  }

  @Test
  void froms_withCommentsAndLineContinuations_joinsTheInstruction() {
    List<Dockerfile.From> froms = Dockerfile.froms("""
        # FROM commented/out:image
        FROM \\
          # a comment inside the continuation is dropped
          --platform=linux/arm64 \\
          %s/acme/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        RUN apt-get update && \\
            apt-get install -y curl
        """.formatted(ECR));

    assertThat(froms).singleElement().satisfies(f -> {
      assertThat(f.image()).startsWith(ECR + "/acme/app@sha256:0123");
      assertThat(f.platform()).contains("linux/arm64");
      assertThat(f.line()).isEqualTo(2);
    });
  }

  @Test
  void froms_withEscapeDirective_usesBacktickForContinuations() {
    List<Dockerfile.From> froms = Dockerfile.froms("# escape=`\nFROM `\n  mcr.microsoft.com/windows:ltsc2022\n");

    assertThat(froms).singleElement().extracting(Dockerfile.From::image)
        .isEqualTo("mcr.microsoft.com/windows:ltsc2022");
  }

  @Test
  void froms_withArgBeforeFrom_substitutesDefaultsAndFlagsUnresolved() {
    List<Dockerfile.From> froms = Dockerfile.froms("""
        ARG REGISTRY=%s
        ARG TAG="1.0"
        FROM ${REGISTRY}/acme/app:$TAG
        FROM ${UNKNOWN}/x
        FROM ${UNKNOWN:-ubuntu}:22.04
        FROM scratch
        """.formatted(ECR));

    assertThat(froms).extracting(Dockerfile.From::image).containsExactly(
        ECR + "/acme/app:1.0", "${UNKNOWN}/x", "ubuntu:22.04", "scratch");
    assertThat(froms.get(1).unresolved()).isTrue();
    assertThat(froms).extracting(Dockerfile.From::isImage)
        .containsExactly(true, false, true, false);
  }

  @Test
  void froms_withCrLfAndNoFinalNewline_stillReadsTheLastInstruction() {
    assertThat(Dockerfile.froms("RUN x\r\nFROM alpine:3")).singleElement()
        .extracting(Dockerfile.From::image, Dockerfile.From::alias)
        .containsExactly("alpine:3", Optional.empty());
  }

  @Test
  void froms_withoutImage_namesTheLine() {
    assertThatThrownBy(() -> Dockerfile.froms("\nFROM --platform=linux/amd64\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Line 2");
  }
}
