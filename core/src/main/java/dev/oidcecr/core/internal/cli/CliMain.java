package dev.oidcecr.core.internal.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What both launchers do around a command: the {@code --debug} switch (and
 * {@code OIDC_ECR_DEBUG=1}), logging, secret-free standard error, the home folder Docker uses,
 * and one sentence instead of a stack trace for anything unexpected.
 */
final class CliMain {
  /** The environment variable that turns debug logging on, for every command and the helper. */
  static final String DEBUG_VARIABLE = "OIDC_ECR_DEBUG";
  static final String DEBUG_FLAG = "--debug";
  /** Adds the library's info lines (what setup changes, ...) to the warnings shown by default. */
  static final String VERBOSE_FLAG = "--verbose";

  private static final long STACK_BYTES = 64L << 20;

  private static final String XML_INPUT_FACTORY = "javax.xml.stream.XMLInputFactory";

  private static volatile boolean debug;

  private CliMain() {}

  /** Tells whether {@code --debug} or {@code OIDC_ECR_DEBUG} asked for stack traces and logs. */
  static boolean debug() {
    return debug;
  }

  /** Prints {@code e}'s stack trace, through the redacting standard error, when debugging. */
  static void trace(PrintStream err, Throwable e) {
    if (debug) {
      e.printStackTrace(err);
    }
  }

  /** Runs {@code oidc-ecr} ({@code helper} false) or the credential helper, then exits. */
  static void main(String[] argv, boolean helper) {
    Map<String, String> env = System.getenv();
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    // The helper has no flags of its own: Docker passes exactly one action.
    debug = isOn(env.get(DEBUG_VARIABLE)) || (!helper && args.remove(DEBUG_FLAG));
    boolean verbose = false;
    if (!helper) {
      while (args.remove(DEBUG_FLAG)) {
        // every occurrence
      }
      while (args.remove(VERBOSE_FLAG)) {
        verbose = true;
      }
    }
    configureLogging(debug, verbose);
    // The STS answer is XML: name the JDK's StAX parser, which is what the JAXP lookup ends with
    // when no jar provides another (none in lib/ does), so that the lookup does not open every
    // jar on the class path for META-INF/services first (about 5% of a cold login).
    if (System.getProperty(XML_INPUT_FACTORY) == null) {
      System.setProperty(XML_INPUT_FACTORY, "com.sun.xml.internal.stream.XMLInputFactoryImpl");
    }
    PrintStream err = new PrintStream(new LineFilterStream(
        new FileOutputStream(FileDescriptor.err), s -> CliText.redact(CliText.toCli(s))),
        true, StandardCharsets.UTF_8);
    System.setErr(err);
    PrintStream out = new PrintStream(new LineFilterStream(
        new FileOutputStream(FileDescriptor.out), CliText::toCli), false, StandardCharsets.UTF_8);
    System.setOut(out);
    int[] result = {OidcEcrCli.FAILED};
    Throwable[] failure = {null};
    // A thread with room for Docker configs nested as deep as Docker reads them (10000 levels).
    Thread command = new Thread(null, () -> {
      try {
        result[0] = helper
            ? OidcEcrCli.runHelper(args, System.in, out, err, env, home(env))
            : OidcEcrCli.run(args, System.in, out, err, env, home(env));
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, "oidc-ecr", STACK_BYTES);
    command.start();
    try {
      command.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure[0] = e;
    }
    int status = result[0];
    if (failure[0] != null) {
      Throwable t = failure[0];
      // A bug, not a bad input: one sentence, the stack trace only when debugging.
      String sentence = "unexpected " + t.getClass().getSimpleName() + "; run again with"
          + (helper ? "" : " --debug or") + " OIDC_ECR_DEBUG=1 for the details";
      if (helper) {
        out.println("oidc-ecr: " + sentence);
      } else {
        err.println("oidc-ecr: " + sentence);
      }
      trace(err, t);
      status = OidcEcrCli.FAILED;
    }
    out.flush();
    err.flush();
    System.exit(status);
  }

  /**
   * Returns the home folder as Docker's Go code finds it: {@code $HOME} when set, else the
   * passwd entry Java reads into {@code user.home}.
   */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return Path.of(System.getProperty("user.home"));
  }

  private static boolean isOn(String value) {
    return value != null
        && Set.of("1", "true", "yes", "on").contains(value.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * Sets slf4j-simple's levels unless the user set them (with {@code OIDC_ECR_JAVA_OPTS}): ours
   * at warn by default, info with {@code --verbose}, debug when debugging; the AWS SDK at info
   * at most (warn by default), except its one-line request summaries when debugging. The SDK
   * logs signed requests, with the session token, at debug: whatever the levels, standard error
   * is redacted too.
   */
  private static void configureLogging(boolean debug, boolean verbose) {
    String prefix = "org.slf4j.simpleLogger.";
    // Quiet by default: warnings and errors only; --verbose adds info, --debug everything.
    setIfAbsent(prefix + "defaultLogLevel", debug ? "debug" : verbose ? "info" : "warn");
    String sdk = debug || verbose ? "info" : "warn";
    setIfAbsent(prefix + "log.software.amazon.awssdk", sdk);
    setIfAbsent(prefix + "log.software.amazon.awssdk.request", debug ? "debug" : sdk);
    setIfAbsent(prefix + "showThreadName", "false");
    setIfAbsent("slf4j.internal.verbosity", "ERROR");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
