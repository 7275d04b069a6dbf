package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineDiffTest {
  @Test
  void diff_marksRemovedAndAddedLinesAndKeepsCommonOnes() {
    assertThat(LineDiff.diff("a\nb\nc", "a\nx\nc\nd"))
        .containsExactly("  a", "- b", "+ x", "  c", "+ d");
  }

  @Test
  void diff_fromNothing_addsEveryLine() {
    assertThat(LineDiff.diff("", "a\nb")).containsExactly("+ a", "+ b");
  }
}
