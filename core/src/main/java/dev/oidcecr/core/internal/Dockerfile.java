package dev.oidcecr.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code FROM} instructions of a Dockerfile as BuildKit does: parser directives
 * ({@code # escape=`}), comments, line continuations, flags such as {@code --platform=...},
 * {@code AS name}, later stages built {@code FROM} an earlier one, and {@code ARG}s declared
 * before the first {@code FROM} (with their defaults) substituted into image names.
 */
public final class Dockerfile {
  private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z]+)\\s*=\\s*(\\S+)\\s*");
  private static final Pattern VARIABLE =
      Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*))");

  private Dockerfile() {}

  /**
   * One {@code FROM} instruction.
   *
   * @param image the image as written, with pre-{@code FROM} ARGs substituted
   * @param platform the {@code --platform} flag's value, if any
   * @param alias the stage name after {@code AS}, if any
   * @param stageReference whether {@code image} names an earlier stage rather than an image
   * @param unresolved whether {@code image} still holds a variable no ARG default resolved
   * @param line the 1-based line the instruction starts on
   */
  public record From(String image, Optional<String> platform, Optional<String> alias,
      boolean stageReference, boolean unresolved, int line) {

    /** Tells whether this names an image to pull (not a stage, not {@code scratch}). */
    public boolean isImage() {
      return !stageReference && !unresolved && !image.equalsIgnoreCase("scratch");
    }
  }

  /**
   * Returns the {@code FROM} instructions in order.
   *
   * @throws IllegalArgumentException when a {@code FROM} has no image
   */
  public static List<From> froms(String text) {
    String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
    char escape = '\\';
    int first = 0;
    // Parser directives are only recognised in the leading comment block.
    while (first < lines.length) {
      Matcher m = DIRECTIVE.matcher(lines[first].strip());
      if (!m.matches()) {
        break;
      }
      if (m.group(1).equalsIgnoreCase("escape") && m.group(2).length() == 1) {
        escape = m.group(2).charAt(0);
      }
      first++;
    }
    List<From> froms = new ArrayList<>();
    Map<String, String> args = new HashMap<>();
    Set<String> stages = new HashSet<>();
    StringBuilder instruction = new StringBuilder();
    int start = -1;
    for (int i = first; i < lines.length; i++) {
      String line = lines[i];
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && instruction.length() > 0)) {
        continue;
      }
      if (stripped.isEmpty()) {
        continue;
      }
      if (instruction.length() == 0) {
        start = i + 1;
      }
      String trailing = stripTrailing(line);
      if (!trailing.isEmpty() && trailing.charAt(trailing.length() - 1) == escape) {
        instruction.append(trailing, 0, trailing.length() - 1).append(' ');
        continue;
      }
      instruction.append(line);
      handle(instruction.toString().strip(), start, args, stages, froms);
      instruction.setLength(0);
    }
    if (instruction.length() > 0) {
      handle(instruction.toString().strip(), start, args, stages, froms);
    }
    return froms;
  }

  private static void handle(String instruction, int line, Map<String, String> args,
      Set<String> stages, List<From> froms) {
    String[] words = instruction.split("\\s+");
    String keyword = words[0].toUpperCase(Locale.ROOT);
    if (keyword.equals("ARG") && froms.isEmpty()) {
      for (int i = 1; i < words.length; i++) {
        String w = words[i];
        int eq = w.indexOf('=');
        String name = eq < 0 ? w : w.substring(0, eq);
        String value = eq < 0 ? null : unquote(w.substring(eq + 1));
        if (value != null) {
          args.put(name, value);
        }
      }
      return;
    }
    if (!keyword.equals("FROM")) {
      return;
    }
    Optional<String> platform = Optional.empty();
    int i = 1;
    while (i < words.length && words[i].startsWith("--")) {
      if (words[i].toLowerCase(Locale.ROOT).startsWith("--platform=")) {
        platform = Optional.of(words[i].substring("--platform=".length()));
      }
      i++;
    }
    if (i >= words.length) {
      throw new IllegalArgumentException("Line " + line + ": FROM without an image; write"
          + " FROM <image> [AS <name>]");
    }
    String raw = words[i++];
    Optional<String> alias = Optional.empty();
    if (i + 1 < words.length && words[i].equalsIgnoreCase("AS")) {
      alias = Optional.of(words[i + 1].toLowerCase(Locale.ROOT));
    }
    boolean[] unresolved = {false};
    String image = VARIABLE.matcher(raw).replaceAll(m -> {
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      String value = args.get(name);
      if (value == null || value.isEmpty()) {
        value = m.group(2);
      }
      if (value == null) {
        unresolved[0] = true;
        return Matcher.quoteReplacement(m.group());
      }
      return Matcher.quoteReplacement(value);
    });
    boolean stage = stages.contains(image.toLowerCase(Locale.ROOT));
    froms.add(new From(image, platform, alias, stage, unresolved[0], line));
    alias.ifPresent(stages::add);
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"")
        || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }
}
