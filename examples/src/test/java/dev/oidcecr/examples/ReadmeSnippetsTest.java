package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README honest: every Java snippet is a piece of a tagged region
 * ({@code // tag::name[]} ... {@code // end::name[]}) of compiled code, every JShell snippet is
 * part of a script the suite runs, the Maven coordinates name real artifacts at the project's
 * version, and the test command is what CI runs.
 */
class ReadmeSnippetsTest {
  static final Path ROOT = Path.of("..");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```\\s*$");
  private static final Pattern TAG = Pattern.compile("^\\s*//\\s*tag::([\\w-]+)\\[\\]");

  record Block(String language, String text) {}

  static String readme;
  static List<Block> blocks;
  static List<List<String>> taggedRegions;

  @BeforeAll
  static void read() throws IOException {
    readme = Files.readString(ROOT.resolve("README.md"));
    blocks = new ArrayList<>();
    Matcher m = FENCE.matcher(readme);
    while (m.find()) {
      blocks.add(new Block(m.group(1), m.group(2)));
    }
    taggedRegions = new ArrayList<>();
    for (String module : List.of("policies", "core", "testing", "examples")) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          taggedRegions.addAll(regions(Files.readAllLines(f)));
        }
      }
    }
  }

  private static List<List<String>> regions(List<String> lines) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher t = TAG.matcher(lines.get(i));
      if (t.find()) {
        String end = "end::" + t.group(1) + "[]";
        List<String> region = new ArrayList<>();
        for (int j = i + 1; j < lines.size() && !lines.get(j).contains(end); j++) {
          region.add(lines.get(j));
        }
        out.add(normalize(region));
      }
    }
    return out;
  }

  private static List<String> normalize(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static boolean containsRun(List<String> haystack, List<String> needle) {
    return java.util.Collections.indexOfSubList(haystack, needle) >= 0;
  }

  @Test
  void readme_hasJavaSnippets() {
    assertThat(blocks).filteredOn(b -> b.language().equals("java")).hasSizeGreaterThan(4);
  }

  @Test
  void everyJavaSnippet_comesFromATaggedRegionOfCompiledCode() {
    for (Block b : blocks) {
      if (!b.language().equals("java")) {
        continue;
      }
      List<String> snippet = normalize(b.text().lines().toList());
      assertThat(taggedRegions)
          .as("README java snippet not found in any tag:: region:\n" + b.text())
          .anyMatch(region -> containsRun(region, snippet));
    }
  }

  @Test
  void everyJShellSnippet_isPartOfATestedScript() throws IOException {
    List<List<String>> scripts = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("examples/jshell"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsh")).toList()) {
        scripts.add(normalize(Files.readAllLines(f)));
      }
    }
    for (Block b : blocks) {
      if (b.language().equals("jshell")) {
        List<String> snippet = normalize(b.text().lines().toList());
        assertThat(scripts).as("README jshell snippet not in examples/jshell:\n" + b.text())
            .anyMatch(script -> containsRun(script, snippet));
      }
    }
  }

  @Test
  void mavenCoordinates_nameOurArtifactsAtTheProjectVersion() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    Matcher v = Pattern.compile("<artifactId>oidc-ecr-parent</artifactId>\\s*<version>([^<]+)")
        .matcher(parent);
    assertThat(v.find()).isTrue();
    String version = v.group(1);
    for (Block b : blocks) {
      if (!b.language().equals("xml")) {
        continue;
      }
      // Our artifacts exist and carry the project's version; others (the test log binding)
      // carry the version the build uses.
      Matcher d = Pattern.compile("(?s)<artifactId>([^<]+)</artifactId>(?:\\s*<version>([^<]+)"
          + "</version>)?").matcher(b.text());
      while (d.find()) {
        String artifact = d.group(1);
        if (artifact.startsWith("oidc-ecr-")) {
          String module = artifact.replace("oidc-ecr-", "");
          assertThat(ROOT.resolve(module).resolve("pom.xml")).as(artifact).exists();
          if (d.group(2) != null) {
            assertThat(d.group(2)).as(artifact).isEqualTo(version);
          }
        } else if (d.group(2) != null) {
          assertThat(parent).as(artifact + " " + d.group(2) + " is the build's version")
              .contains(">" + d.group(2) + "<");
        }
      }
    }
    assertThat(readme).contains("oidc-ecr-testing-" + version + "-standalone.jar");
  }

  @Test
  void testCommand_isWhatCiRuns() throws IOException {
    assertThat(readme).contains("\n./mvnw -B verify\n");
    assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("\n./mvnw -B verify\n");
    assertThat(readme).contains(
        "./mvnw -B -q -DskipTests package && java -jar examples/target/oidc-ecr-examples.jar");
  }
}
