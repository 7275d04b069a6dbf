package dev.oidcecr.core.internal;

import java.util.ArrayList;
import java.util.List;

/** A small line diff (longest common subsequence) for showing policy changes in a terminal. */
public final class LineDiff {
  private LineDiff() {}

  /**
   * Returns the lines of {@code after}, each prefixed with {@code "  "} when unchanged or
   * {@code "+ "} when added, interleaved with the removed lines of {@code before} ({@code "- "}).
   */
  public static List<String> diff(String before, String after) {
    String[] a = before.isEmpty() ? new String[0] : before.split("\n", -1);
    String[] b = after.isEmpty() ? new String[0] : after.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        out.add("  " + a[i]);
        i++;
        j++;
      } else if (j < b.length && (i == a.length || lcs[i][j + 1] > lcs[i + 1][j])) {
        out.add("+ " + b[j]);
        j++;
      } else {
        out.add("- " + a[i]);
        i++;
      }
    }
    return out;
  }
}
