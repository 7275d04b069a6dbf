package dev.oidcecr.core.internal;

import dev.oidcecr.core.InvalidRegistryException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and validates Amazon ECR registry hosts and image references, for every partition and
 * endpoint form. Kept apart from the value types so the rules read as one table.
 */
public final class RegistryParser {
  private RegistryParser() {}

  /** One AWS partition as far as ECR's Docker endpoints are concerned. */
  public static final class Partition {
    final String id;
    final Pattern region;
    final String suffix;
    final String dualStackSuffix; // null: no dual-stack Docker endpoint known
    final boolean fips;

    Partition(String id, String regionPrefix, String suffix, String dualStackSuffix, boolean fips) {
      this.id = id;
      this.region = Pattern.compile("(?:" + regionPrefix + ")-" + DIRECTION + "-[1-9][0-9]?");
      this.suffix = suffix;
      this.dualStackSuffix = dualStackSuffix;
      this.fips = fips;
    }

    /** Returns the partition id, such as {@code aws-cn}. */
    public String id() {
      return id;
    }
  }

  private static final String DIRECTION =
      "(?:central|north|south|east|west|northeast|northwest|southeast|southwest)";

  // Order matters: the more specific prefixes (us-gov, us-iso...) are tried before plain "us".
  // The dual-stack suffixes of the isolated partitions and of the European Sovereign Cloud are
  // the ones AWS's own ECS agent accepts: see ECRDualStackImagePattern in
  // github.com/aws/amazon-ecs-agent, ecs-agent/utils/uri (for example
  // 123456789012.dkr-ecr.us-iso-west-1.on.aws.ic.gov, ...dkr-ecr.us-isob-east-1.on.aws.scloud,
  // ...dkr-ecr.us-isof-south-1.on.aws.hci.ic.gov, ...dkr-ecr.eu-isoe-west-1.on.cloud-aws.adc-e.uk,
  // ...dkr-ecr.eusc-de-east-1.amazonwebservices.eu).
  static final List<Partition> PARTITIONS =
      List.of(
          new Partition("aws-us-gov", "us-gov", "amazonaws.com", "on.aws", true),
          new Partition("aws-iso", "us-iso", "c2s.ic.gov", "on.aws.ic.gov", false),
          new Partition("aws-iso-b", "us-isob", "sc2s.sgov.gov", "on.aws.scloud", false),
          new Partition("aws-iso-f", "us-isof", "csp.hci.ic.gov", "on.aws.hci.ic.gov", false),
          new Partition("aws-iso-e", "eu-isoe", "cloud.adc-e.uk", "on.cloud-aws.adc-e.uk", false),
          new Partition("aws-eusc", "eusc-de", "amazonaws.eu", "amazonwebservices.eu", false),
          new Partition("aws-cn", "cn", "amazonaws.com.cn", "on.amazonwebservices.com.cn", false),
          new Partition(
              "aws", "us|eu|ap|sa|ca|me|af|il|mx", "amazonaws.com", "on.aws", true));

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");
  private static final Pattern HOST =
      Pattern.compile(
          "([^.]+)\\.(dkr\\.ecr-fips|dkr\\.ecr|dkr-ecr-fips|dkr-ecr)\\.([a-z0-9-]+)\\.([a-z0-9.-]+)");
  private static final Pattern REPOSITORY_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
  private static final Pattern API_PATH =
      Pattern.compile("v2(?:/|/_catalog.*|/.+/(?:manifests|blobs|tags|referrers)(?:/.*)?)?");

  /** The parts of a registry host. */
  public static final class Host {
    /** The 12-digit account id. */
    public final String accountId;
    /** The region, such as {@code us-east-1}. */
    public final String region;
    /** The partition the region belongs to. */
    public final Partition partition;
    /** Whether the host is a FIPS endpoint. */
    public final boolean fips;
    /** Whether the host is a dual-stack endpoint. */
    public final boolean dualStack;

    Host(String accountId, String region, Partition partition, boolean fips, boolean dualStack) {
      this.accountId = accountId;
      this.region = region;
      this.partition = partition;
      this.fips = fips;
      this.dualStack = dualStack;
    }
  }

  /** A parsed input: a host, and a repository with optional tag and digest when one was given. */
  public static final class Parsed {
    /** The registry host's parts. */
    public final Host host;
    /** The repository, when the input was an image reference. */
    public final Optional<String> repository;
    /** The tag, when the image reference has one. */
    public final Optional<String> tag;
    /** The digest, when the image reference has one. */
    public final Optional<String> digest;

    Parsed(Host host, String repository, String tag, String digest) {
      this.host = host;
      this.repository = Optional.ofNullable(repository);
      this.tag = Optional.ofNullable(tag);
      this.digest = Optional.ofNullable(digest);
    }
  }

  /** Returns the partition of a region, or throws saying why the region is not one. */
  public static Partition partitionOf(String region) {
    for (Partition p : PARTITIONS) {
      if (p.region.matcher(region).matches()) {
        return p;
      }
    }
    throw new InvalidRegistryException(
        "\""
            + shorten(region)
            + "\" is not an AWS region: expected a name like us-east-1, eu-central-2,"
            + " cn-north-1 or us-gov-west-1; check the registry host or the region you passed");
  }

  /** Builds the host name for the given parts, validating their combination. */
  public static String hostName(
      String accountId, String region, boolean fips, boolean dualStack) {
    Partition p = validate(accountId, region, fips, dualStack, null);
    String label = (dualStack ? "dkr-ecr" : "dkr.ecr") + (fips ? "-fips" : "");
    return accountId + "." + label + "." + region + "." + (dualStack ? p.dualStackSuffix : p.suffix);
  }

  /** Validates the parts of a registry and returns their partition. */
  public static Partition validate(
      String accountId, String region, boolean fips, boolean dualStack, String input) {
    String ctx = input == null ? "" : "\"" + shorten(input) + "\" is not an Amazon ECR registry: ";
    if (!accountId.matches("[0-9]{12}")) {
      throw new InvalidRegistryException(
          ctx
              + "the account id \""
              + shorten(accountId)
              + "\" is not 12 digits"
              + (accountId.matches("[0-9]+") ? " (it has " + accountId.length() + ")" : "")
              + "; copy the registry host from the ECR console or `aws ecr describe-repositories`");
    }
    Partition p;
    try {
      p = partitionOf(region);
    } catch (InvalidRegistryException e) {
      throw new InvalidRegistryException(ctx + e.getMessage());
    }
    if (fips && !(p.fips && (p.id.equals("aws-us-gov") || region.startsWith("us-")
        || region.startsWith("ca-")))) {
      throw new InvalidRegistryException(
          ctx
              + "ECR has no FIPS endpoint in "
              + region
              + " (FIPS endpoints exist in US, Canada and GovCloud regions); use the non-FIPS host"
              + " dkr.ecr."
              + region);
    }
    if (dualStack && p.dualStackSuffix == null) {
      throw new InvalidRegistryException(
          ctx
              + "ECR has no dual-stack endpoint in partition "
              + p.id
              + "; use the IPv4 host "
              + accountId
              + ".dkr.ecr."
              + region
              + "."
              + p.suffix);
    }
    return p;
  }

  /** Parses a registry host, URL or image reference. */
  public static Parsed parse(String input) {
    if (input == null || input.isBlank()) {
      throw new InvalidRegistryException(
          "The registry is empty: pass a host like 123456789012.dkr.ecr.us-east-1.amazonaws.com");
    }
    String s = input.strip();
    if (s.length() > 2048) {
      throw new InvalidRegistryException(
          "The registry or image reference is " + s.length()
              + " characters long, more than any ECR image reference: check what was passed");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new InvalidRegistryException(
            "\""
                + safeEcho(s)
                + "\" is not an Amazon ECR registry: it has "
                + (c <= ' ' ? "white space or a control character" : "a non-ASCII character")
                + " at position "
                + i
                + "; pass the host or image reference alone");
      }
    }
    String rest = s;
    Matcher scheme = SCHEME.matcher(s);
    if (scheme.find()) {
      String name = scheme.group(1).toLowerCase(Locale.ROOT);
      if (name.equals("http")) {
        throw bad(s, "ECR serves only HTTPS: use https:// or the bare host");
      }
      if (!name.equals("https") && !name.equals("docker")) {
        throw bad(s, "the scheme " + name + ":// is not https://");
      }
      rest = s.substring(scheme.end());
    }
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw bad(s, "a registry has no query (?) or fragment (#): remove them");
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    if (authority.indexOf('@') >= 0) {
      throw bad(
          s,
          "it carries user credentials before '@'; never put credentials in a registry URL,"
              + " pass the host alone");
    }
    String hostPart = authority;
    int colon = authority.indexOf(':');
    if (colon >= 0) {
      String port = authority.substring(colon + 1);
      hostPart = authority.substring(0, colon);
      if (!port.matches("[0-9]{1,5}")) {
        throw bad(
            s,
            "\":"
                + shorten(port)
                + "\" after the host is not a port; an image reference needs a repository"
                + " (host/repository:tag)");
      }
      if (!port.equals("443")) {
        throw bad(s, "ECR registries listen on port 443 only, not " + port + "; remove the port");
      }
    }
    Host host = host(hostPart.toLowerCase(Locale.ROOT), s);
    if (path.isEmpty() || API_PATH.matcher(path).matches()) {
      return new Parsed(host, null, null, null);
    }
    return imagePath(host, path, s);
  }

  private static Host host(String h, String input) {
    if (h.isEmpty()) {
      throw bad(input, "there is no host; pass a host like 123456789012.dkr.ecr.us-east-1.amazonaws.com");
    }
    Matcher m = HOST.matcher(h);
    if (!m.matches()) {
      String hint;
      if (h.contains(".dkr.ecr.") || h.contains(".dkr-ecr.")) {
        hint = "it is not of the form <account>.dkr.ecr.<region>.amazonaws.com";
      } else if (h.startsWith("api.ecr.") || h.startsWith("ecr.")) {
        hint = "that is ECR's API endpoint; the registry host is <account>.dkr.ecr.<region>.<domain>";
      } else {
        hint =
            "the host "
                + shorten(h)
                + " is not an ECR registry host (<12-digit account>.dkr.ecr.<region>.amazonaws.com)";
      }
      throw bad(input, hint);
    }
    String account = m.group(1);
    String label = m.group(2);
    String region = m.group(3);
    String suffix = m.group(4);
    boolean dualStack = label.startsWith("dkr-ecr");
    boolean fips = label.endsWith("-fips");
    Partition p = validate(account, region, fips, dualStack, input);
    String expected = dualStack ? p.dualStackSuffix : p.suffix;
    if (!suffix.equals(expected)) {
      throw bad(
          input,
          "an ECR "
              + (dualStack ? "dual-stack " : "")
              + "registry in "
              + region
              + " (partition "
              + p.id
              + ") ends in ."
              + expected
              + ", not ."
              + shorten(suffix));
    }
    return new Host(account, region, p, fips, dualStack);
  }

  private static Parsed imagePath(Host host, String path, String input) {
    String name = path;
    String digest = null;
    String tag = null;
    int at = name.indexOf('@');
    if (at >= 0) {
      digest = name.substring(at + 1);
      name = name.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw bad(
            input,
            "the digest after '@' must be sha256: followed by 64 lowercase hex digits");
      }
    }
    int lastSlash = name.lastIndexOf('/');
    int colon = name.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      tag = name.substring(colon + 1);
      name = name.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw bad(
            input,
            "the tag \""
                + shorten(tag)
                + "\" is invalid: up to 128 letters, digits, '_', '.' and '-', not starting with"
                + " '.' or '-'");
      }
    }
    validateRepositoryName(name, input);
    return new Parsed(host, name, tag, digest);
  }

  /** Validates an ECR repository name, throwing with the rule it breaks. */
  public static void validateRepositoryName(String name, String input) {
    String ctx =
        input == null
            ? "\"" + shorten(name) + "\" is not a valid ECR repository name: "
            : "\"" + safeEcho(input) + "\" is not a valid ECR image reference: ";
    if (name.isEmpty()) {
      throw new InvalidRegistryException(ctx + "the repository name is empty");
    }
    if (name.length() < 2 || name.length() > 256) {
      throw new InvalidRegistryException(
          ctx + "a repository name has 2 to 256 characters, not " + name.length());
    }
    if (!name.equals(name.toLowerCase(Locale.ROOT))) {
      throw new InvalidRegistryException(
          ctx + "repository names are lowercase; write \"" + shorten(name.toLowerCase(Locale.ROOT))
              + "\"");
    }
    for (String component : name.split("/", -1)) {
      if (!REPOSITORY_COMPONENT.matcher(component).matches()) {
        throw new InvalidRegistryException(
            ctx
                + (component.isEmpty()
                    ? "the repository name has an empty path segment (\"//\" or a '/' at an end)"
                    : "the repository path segment \""
                        + shorten(component)
                        + "\" must be lowercase letters and digits, separated by single '.', '_'"
                        + " or '-'"));
      }
    }
  }

  private static InvalidRegistryException bad(String input, String why) {
    return new InvalidRegistryException(
        "\"" + safeEcho(input) + "\" is not an Amazon ECR registry: " + why);
  }

  /**
   * Returns the input as it may be quoted in a message: without user information, query or
   * fragment (a pre-signed URL carries credentials there), and at most 200 characters.
   */
  public static String safeEcho(String input) {
    String s = redactUserInfo(input);
    int q = s.indexOf('?');
    int h = s.indexOf('#');
    int cut = q < 0 ? h : h < 0 ? q : Math.min(q, h);
    if (cut >= 0) {
      s = s.substring(0, cut + 1) + "<redacted>";
    }
    return shorten(s);
  }

  /** Removes anything that could be credentials ({@code user:password@}) before quoting input. */
  static String redactUserInfo(String s) {
    int scheme = s.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int slash = s.indexOf('/', start);
    int end = slash < 0 ? s.length() : slash;
    int at = s.lastIndexOf('@', end - 1);
    if (at >= start) {
      return s.substring(0, start) + "<redacted>@" + s.substring(at + 1);
    }
    return s;
  }

  static String shorten(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
