package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Ties the README's "Use it from ..." snippets to {@code examples/ci/<profile>.yml}: each YAML
 * snippet is the file (without its setup line), each setup command is the file's setup line,
 * the file is YAML that holds what the CI system needs to issue a token, and
 * {@link ProfilesLauncherTest} runs the file's setup and login commands through the launcher.
 */
class CiSnippetsTest {
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```\\s*$");

  /** What each file must say for the CI system to issue a token oidc-ecr can use. */
  private static final Map<String, List<String>> NEEDS = Map.of(
      "github-actions", List.of("id-token: write"),
      "gitlab", List.of("id_tokens:", "GITLAB_OIDC_TOKEN:", "aud: sts.amazonaws.com"),
      "ona", List.of("command: oidc-ecr login"),
      "gitpod", List.of("command: oidc-ecr login"),
      "eks", List.of("eks.amazonaws.com/role-arn:", "serviceAccountName: app"),
      "circleci", List.of("run: oidc-ecr login"),
      "bitbucket", List.of("oidc: true"),
      "buildkite", List.of("command: oidc-ecr login"));

  private static String section() throws IOException {
    String readme = Files.readString(ReadmeSnippetsTest.ROOT.resolve("README.md"));
    int from = readme.indexOf("## Use it from CI and workspaces");
    assertThat(from).as("the README's \"Use it from\" section").isNotNegative();
    int to = readme.indexOf("\n## ", from + 3);
    return readme.substring(from, to < 0 ? readme.length() : to);
  }

  private static List<String> blocks(String text, String language) {
    List<String> out = new ArrayList<>();
    Matcher m = FENCE.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(language)) {
        out.add(m.group(2).stripTrailing());
      }
    }
    return out;
  }

  private static String withoutSetupLine(String file) {
    return String.join("\n", file.lines().filter(l -> !l.startsWith("# setup: ")).toList())
        .stripTrailing();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gitpod", "ona", "github-actions", "gitlab", "circleci", "bitbucket",
      "buildkite", "eks"})
  void readmeSnippets_areTheCiFile(String id) throws IOException {
    String file = ProfilesLauncherTest.ciFile(id);
    String section = section();
    assertThat(blocks(section, "yaml")).contains(withoutSetupLine(file));
    assertThat(blocks(section, "sh"))
        .contains("oidc-ecr " + String.join(" ", ProfilesLauncherTest.setupArgs(file)));
    assertThat(file).contains(NEEDS.get(id).toArray(String[]::new));
    assertThat(ProfilesLauncherTest.setupArgs(file)).contains("--issuer", id, "--apply");
    assertThat(ProfilesLauncherTest.loginArgs(file)).startsWith("login");
    try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class)
        .readValues(file)) {
      List<JsonNode> all = docs.readAll();
      assertThat(all).as("YAML documents of ci/" + id + ".yml").isNotEmpty()
          .allMatch(JsonNode::isObject);
    }
  }

  @Test
  void everySnippetOfTheSection_isACiFile() throws IOException {
    List<String> files = new ArrayList<>();
    try (var list = Files.list(Path.of("ci"))) {
      for (Path p : list.sorted().toList()) {
        files.add(withoutSetupLine(Files.readString(p)));
      }
    }
    assertThat(files).hasSize(8);
    assertThat(files).containsAll(blocks(section(), "yaml"));
    assertThat(blocks(section(), "yaml")).hasSize(8);
  }
}
