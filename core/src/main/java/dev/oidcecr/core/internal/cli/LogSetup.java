package dev.oidcecr.core.internal.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Configures the SLF4J binding the launchers ship (slf4j-simple) before the first logger is
 * made: warnings and errors only, on stderr (stdout belongs to the credential helper protocol),
 * unless {@code --verbose} asks for the library's debug story of a login. A level given with
 * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} (for example in OIDC_ECR_JAVA_OPTS) wins.
 */
final class LogSetup {
  static final String VERBOSE = "--verbose";
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private LogSetup() {}

  /** Sets the logging defaults and returns the arguments without {@code --verbose}. */
  static List<String> apply(List<String> args) {
    List<String> rest = new ArrayList<>(args);
    boolean verbose = rest.removeIf(VERBOSE::equals);
    defaultProperty("defaultLogLevel", verbose ? "debug" : "warn");
    defaultProperty("logFile", "System.err");
    defaultProperty("showThreadName", "false");
    defaultProperty("showDateTime", String.valueOf(verbose));
    // SLF4J's own notices (which provider it found) only when something is wrong.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    return rest;
  }

  private static void defaultProperty(String name, String value) {
    if (System.getProperty(PREFIX + name) == null) {
      System.setProperty(PREFIX + name, value);
    }
  }
}
