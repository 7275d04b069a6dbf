package dev.oidcecr.core.internal.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A small parser for {@code --name value}, {@code --name=value} and {@code --flag} options. */
final class Args {
  /** Thrown for a command line that does not fit; the CLI exits with status 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private final Map<String, List<String>> options = new LinkedHashMap<>();
  private final List<String> positional = new ArrayList<>();
  private final List<Map.Entry<String, String>> sequence = new ArrayList<>();

  private Args() {}

  /**
   * Parses the arguments; {@code valued} names the options that take a value, {@code flags}
   * those that do not. Anything else starting with {@code --} is a usage error.
   */
  static Args parse(List<String> args, Set<String> valued, Set<String> flags) {
    Args a = new Args();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.equals("--")) {
        a.positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        if (value != null) {
          throw new UsageException("--" + name + " takes no value");
        }
        a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
        a.sequence.add(Map.entry(name, "true"));
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new UsageException("--" + name + " needs a value");
          }
          value = args.get(++i);
        }
        a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        a.sequence.add(Map.entry(name, value));
      } else {
        throw new UsageException("unknown option --" + name);
      }
    }
    return a;
  }

  Optional<String> value(String name) {
    List<String> v = options.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  List<String> values(String name) {
    return options.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  /** Returns every option in command-line order ({@code true} for flags), for rules that nest. */
  List<Map.Entry<String, String>> sequence() {
    return sequence;
  }

  List<String> positional() {
    return positional;
  }
}
