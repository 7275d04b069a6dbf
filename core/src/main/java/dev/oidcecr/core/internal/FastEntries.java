package dev.oidcecr.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The credential helper's answers kept for the launcher's shell fast path: {@code
 * docker-credential-oidc-ecr get} answers a cache hit from such an entry with shell builtins, one
 * {@code sha256sum} (of the key text and of every entry at once) and one {@code ls} (modes),
 * without starting a JVM.
 *
 * <p>An entry memoizes one answer the JVM gave: for one server URL (as Docker sent it), one role,
 * the endpoint and session variables, and one exact token, read where the shell reads it. It is
 * written only after the JVM answered {@code get} from its own cache or from AWS, so it never
 * serves what the JVM would not have served to the same caller at that time; it is served only
 * until the JVM's own cache entry stops being served (half the ECR token's life), the token
 * expires, or the ECR token expires, whichever is first.
 *
 * <p><b>Key.</b> The lower-case hex SHA-256 of this text (UTF-8, each line ending in {@code \n}):
 *
 * <pre>
 * oidc-ecr-fast/1
 * &lt;server URL, as Docker sent it, without surrounding white space&gt;
 * &lt;role ARN: the first non-empty of OIDC_ECR_ROLE_ARN, IDP_AWS_ROLE_ARN, AWS_ROLE_ARN&gt;
 * &lt;AWS_ENDPOINT_URL&gt;
 * &lt;AWS_ENDPOINT_URL_STS&gt;
 * &lt;AWS_ENDPOINT_URL_ECR&gt;
 * &lt;GITPOD_WORKSPACE_ID&gt;           (the session name derives from it)
 * &lt;token: the content of $AWS_WEB_IDENTITY_TOKEN_FILE when set, else $OIDC_ECR_TOKEN&gt;
 * </pre>
 *
 * (unset variables as empty lines). Only the two token sources the default chain tries first, a
 * file and a variable, are used: every other source (GitHub Actions, Gitpod, ...) needs a
 * request or a process, and the shell leaves those callers to the JVM.
 *
 * <p><b>File.</b> {@code <cache folder>/fast-<key>.<sum>}, mode 0600 in the 0700 cache folder,
 * where {@code sum} is the hex SHA-256 of the file's content, which is four lines:
 *
 * <pre>
 * oidc-ecr-fast/1
 * &lt;key&gt;
 * &lt;not before: seconds since 1970, five minutes before it was written&gt;
 * &lt;served until: seconds since 1970&gt;
 * &lt;the answer line, exactly as the JVM printed it&gt;
 * </pre>
 *
 * <p>The shell serves an entry only when exactly one file has the key, it is a regular file
 * (not a link) owned by the user, mode {@code -rw-------}, in a folder owned by the user of mode
 * {@code drwx------}, its content hashes to its name, its key line matches, the time is within
 * its bounds and the answer names the server asked for. Anything else, or anything the shell
 * cannot decide (no {@code sha256sum}, a token with characters a JWT never has, input other than
 * one line) starts the JVM, which answers and writes the entry again.
 */
public final class FastEntries {
  static final String FORMAT = "oidc-ecr-fast/1";
  /** The JVM's cache does not trust entries stored more than this in the future either. */
  private static final long SKEW_SECONDS = 300;
  private static final Pattern JWT_CHARS = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern SERVER_CHARS = Pattern.compile("[A-Za-z0-9.:/_-]+");
  private static final Pattern ROLE_CHARS = Pattern.compile("[A-Za-z0-9:/_+=,.@-]+");

  private FastEntries() {}

  /**
   * Returns the token the shell would read for {@code env}: the content of {@code
   * AWS_WEB_IDENTITY_TOKEN_FILE} when set, else {@code OIDC_ECR_TOKEN}, if it has only the
   * characters of a JWT once surrounding white space is removed; else empty.
   */
  public static Optional<String> shellToken(Map<String, String> env) {
    String file = env.getOrDefault("AWS_WEB_IDENTITY_TOKEN_FILE", "");
    String text;
    if (!file.isEmpty()) {
      try {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p) || Files.size(p) > 64 * 1024) {
          return Optional.empty();
        }
        text = Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
      // The shell reads the first line and insists that the rest is empty lines.
      int nl = text.indexOf('\n');
      String first = nl < 0 ? text : text.substring(0, nl);
      if (nl >= 0 && !text.substring(nl).replace("\n", "").isEmpty()) {
        return Optional.empty();
      }
      text = first;
    } else {
      text = env.getOrDefault("OIDC_ECR_TOKEN", "");
    }
    return JWT_CHARS.matcher(text).matches() ? Optional.of(text) : Optional.empty();
  }

  /**
   * Returns the key of the entry for {@code server} in {@code env} with {@code token}, or empty
   * when the shell would not look for one (see the class comment).
   */
  public static Optional<String> key(Map<String, String> env, String server, String token) {
    String role = firstNonEmpty(env, "OIDC_ECR_ROLE_ARN", "IDP_AWS_ROLE_ARN", "AWS_ROLE_ARN");
    if (!SERVER_CHARS.matcher(server).matches() || !ROLE_CHARS.matcher(role).matches()
        || !JWT_CHARS.matcher(token).matches()) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder(FORMAT).append('\n').append(server).append('\n')
        .append(role).append('\n');
    for (String name : new String[] {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_ECR", "GITPOD_WORKSPACE_ID"}) {
      String v = env.getOrDefault(name, "");
      if (v.indexOf('\n') >= 0) {
        return Optional.empty();
      }
      text.append(v).append('\n');
    }
    text.append(token).append('\n');
    return Optional.of(sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Returns the role the shell would use: the first non-empty of the three variables. */
  public static String shellRole(Map<String, String> env) {
    return firstNonEmpty(env, "OIDC_ECR_ROLE_ARN", "IDP_AWS_ROLE_ARN", "AWS_ROLE_ARN");
  }

  /**
   * Writes the entry for {@code key} in {@code directory} (created 0700 if missing), served from
   * five minutes before {@code now} until {@code until}, replacing any earlier file of that key.
   * Nothing is written when {@code until} is not after {@code now} or the answer is not one line.
   */
  public static boolean write(Path directory, String key, String answerLine, Instant now,
      Instant until) throws IOException {
    if (!until.isAfter(now) || answerLine.indexOf('\n') >= 0 || answerLine.indexOf('\r') >= 0) {
      return false;
    }
    String content = FORMAT + "\n" + key + "\n" + (now.getEpochSecond() - SKEW_SECONDS) + "\n"
        + until.getEpochSecond() + "\n" + answerLine + "\n";
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    AtomicFiles.createPrivateDirectories(directory);
    Path file = directory.resolve("fast-" + key + "." + sha256Hex(bytes));
    AtomicFiles.write(file, bytes, AtomicFiles.OWNER_READ_WRITE);
    // One file per key: the shell refuses a key with two. And no expired entries: the shell
    // hashes every entry it finds.
    removeOthers(directory, key, file);
    removeExpired(directory, now);
    return true;
  }

  private static void removeExpired(Path directory, Instant now) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "fast-*.*")) {
      for (Path f : files) {
        long until;
        try {
          String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", 5);
          until = lines.length >= 4 ? Long.parseLong(lines[3]) : 0;
        } catch (IOException | RuntimeException e) {
          until = 0;
        }
        if (until <= now.getEpochSecond()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** Removes every entry of {@code key} in {@code directory}. */
  public static void remove(Path directory, String key) throws IOException {
    removeOthers(directory, key, null);
  }

  private static void removeOthers(Path directory, String key, Path keep) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "fast-" + key + ".*")) {
      for (Path f : files) {
        if (!f.equals(keep)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static String firstNonEmpty(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }

  /** Returns the lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
