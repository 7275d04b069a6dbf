package dev.oidcecr.policies.internal;

import dev.oidcecr.policies.PolicyException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates and builds the identifiers the typed builders and the linter need: partitions,
 * account ids, regions, OIDC issuer URLs and provider ARNs, ECR repository names and ARNs, role
 * ARNs and organization ids.
 */
public final class Arns {

  /** The partitions where Gitpod and ECR are used together. */
  public static final Set<String> PARTITIONS = Set.of("aws", "aws-cn", "aws-us-gov");

  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d{1,2}");
  private static final Pattern PROVIDER_ARN =
      Pattern.compile("arn:([a-z-]+):iam::(\\d{12}):oidc-provider/(.+)");
  private static final Pattern ECR_ARN =
      Pattern.compile("arn:([a-z-]+):ecr:([a-z0-9-]+):(\\d{12}):repository/(.+)");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:([a-z-]+):iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64})");
  private static final Pattern ORG_ID = Pattern.compile("o-[a-z0-9]{10,32}");
  private static final Pattern REPO_SEGMENT = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");

  private Arns() {}

  /** Returns the partition if it is one of {@link #PARTITIONS}, else throws. */
  public static String partition(String partition) {
    if (!PARTITIONS.contains(partition)) {
      throw new PolicyException("Unknown partition \"" + partition
          + "\": use aws, aws-cn (China) or aws-us-gov (GovCloud)");
    }
    return partition;
  }

  /** Returns the account id if it is 12 digits, else throws. */
  public static String account(String account) {
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      throw new PolicyException("Invalid AWS account id \"" + account
          + "\": an account id is exactly 12 digits, such as 123456789012 (keep leading zeros)");
    }
    return account;
  }

  /** Returns the region if it looks like an AWS region name, else throws. */
  public static String region(String region) {
    if (region == null || !REGION.matcher(region).matches()) {
      throw new PolicyException("Invalid AWS region \"" + region
          + "\": use a region name such as eu-west-1, us-east-1 or cn-north-1");
    }
    return region;
  }

  /**
   * Returns the provider's {@code host/path} for an OIDC issuer URL: what IAM uses in the provider
   * ARN and as the prefix of condition keys. The URL must use https, have no port, query,
   * fragment or user info; a trailing {@code /} is dropped and the host is lower-cased. The
   * {@code host/path} form of condition keys (no scheme) is read as https.
   */
  public static String issuerHostPath(String issuer) {
    URI uri;
    try {
      // People copy the provider from a condition key ("services.<domain>/idp"); IAM means https.
      uri = new URI(issuer.contains("://") ? issuer : "https://" + issuer);
    } catch (URISyntaxException | NullPointerException e) {
      throw new PolicyException("Invalid OIDC issuer URL \"" + issuer
          + "\": give the issuer as an https URL such as https://services.gitpod.example.com/idp");
    }
    if (!"https".equals(uri.getScheme())) {
      throw new PolicyException("OIDC issuer URL \"" + issuer
          + "\" must start with https:// (IAM accepts only https providers), for example"
          + " https://services.gitpod.example.com/idp");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new PolicyException("OIDC issuer URL \"" + issuer
          + "\" has no plain host name: use https://<host>/<path> without user info");
    }
    if (uri.getPort() != -1) {
      throw new PolicyException("OIDC issuer URL \"" + issuer
          + "\" has a port: IAM providers cannot have one, remove \":" + uri.getPort() + "\"");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new PolicyException("OIDC issuer URL \"" + issuer
          + "\" has a query or fragment: IAM providers cannot have one, use the bare issuer"
          + " (the token's iss claim)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String hostPath = uri.getHost().toLowerCase(Locale.ROOT) + path;
    if (hostPath.length() > 255 - "https://".length()) {
      throw new PolicyException("OIDC issuer URL \"" + issuer
          + "\" is longer than IAM's 255 character limit for provider URLs");
    }
    return hostPath;
  }

  /** Returns the OIDC provider ARN for the given partition, account and provider host/path. */
  public static String oidcProviderArn(String partition, String account, String hostPath) {
    return "arn:" + partition + ":iam::" + account + ":oidc-provider/" + hostPath;
  }

  /** The parts of an OIDC provider ARN. */
  public record ProviderArn(String partition, String account, String hostPath) {
    /** Returns the ARN text. */
    public String arn() {
      return oidcProviderArn(partition, account, hostPath);
    }
  }

  /** Returns the parts of an OIDC provider ARN, or empty when the text is not one. */
  public static Optional<ProviderArn> parseOidcProviderArn(String arn) {
    Matcher m = PROVIDER_ARN.matcher(arn);
    // Any aws* partition: the linter must not call a valid ISO-partition provider invalid.
    if (!m.matches() || !m.group(1).startsWith("aws")) {
      return Optional.empty();
    }
    return Optional.of(new ProviderArn(m.group(1), m.group(2), m.group(3)));
  }

  /** Returns the parts of an OIDC provider ARN, or throws with the expected form. */
  public static ProviderArn oidcProviderArn(String arn) {
    return parseOidcProviderArn(arn == null ? "" : arn)
        .filter(p -> PARTITIONS.contains(p.partition()))
        .filter(p -> p.hostPath().equals(p.hostPath().trim()) && !p.hostPath().endsWith("/")
            && !p.hostPath().contains("://"))
        .orElseThrow(() -> new PolicyException("Invalid OIDC provider ARN \"" + arn
            + "\": expected arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account>:oidc-provider/"
            + "<issuer host and path>, such as arn:aws:iam::123456789012:oidc-provider/"
            + "services.gitpod.example.com/idp"));
  }

  /**
   * Returns the ECR repository name if valid: 2 to 256 characters, lower-case path segments
   * {@code [a-z0-9]+(?:[._-][a-z0-9]+)*} separated by {@code /}. A single trailing {@code *} is
   * accepted (all repositories, or all with a prefix such as {@code acme/*}).
   */
  public static String ecrRepositoryName(String name) {
    if (name == null || name.isEmpty()) {
      throw new PolicyException("An ECR repository name is required, such as acme/app");
    }
    if (name.equals("*")) {
      return name;
    }
    int star = name.indexOf('*');
    if (name.indexOf('?') >= 0 || (star >= 0 && star != name.length() - 1)) {
      throw new PolicyException("Invalid ECR repository name \"" + name
          + "\": a wildcard is allowed only as the last character (acme/* or acme/app-*)");
    }
    String literal = star >= 0 ? name.substring(0, star) : name;
    if (star < 0 && (name.length() < 2 || name.length() > 256)) {
      throw new PolicyException("Invalid ECR repository name \"" + name
          + "\": it must be 2 to 256 characters long");
    }
    if (literal.length() > 256) {
      throw new PolicyException("Invalid ECR repository name \"" + name
          + "\": it must be at most 256 characters long");
    }
    String[] segments = literal.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean lastOfPrefix = star >= 0 && i == segments.length - 1;
      if (lastOfPrefix && (segment.isEmpty() || REPO_SEGMENT.matcher(segment).matches()
          || REPO_SEGMENT.matcher(segment.substring(0, segment.length() - 1)).matches())) {
        continue;
      }
      if (!REPO_SEGMENT.matcher(segment).matches()) {
        throw new PolicyException("Invalid ECR repository name \"" + name
            + "\": each /-separated part must be lower-case letters and digits, optionally"
            + " joined by single '.', '_' or '-' (for example acme/app or team/app.api)");
      }
    }
    return name;
  }

  /** Returns an ECR repository ARN. */
  public static String ecrRepositoryArn(
      String partition, String region, String account, String name) {
    partition(partition);
    region(region);
    String expected = partitionOfRegion(region);
    if (!expected.equals(partition)) {
      throw new PolicyException("Region " + region + " is in partition " + expected + ", not "
          + partition + ": use partition(\"" + expected + "\") or a region of " + partition);
    }
    return "arn:" + partition + ":ecr:" + region + ":" + account(account)
        + ":repository/" + ecrRepositoryName(name);
  }

  /** Returns the partition a region belongs to ({@code cn-*}, {@code us-gov-*}, or aws). */
  public static String partitionOfRegion(String region) {
    if (region.startsWith("cn-")) {
      return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    return "aws";
  }

  /** Validates a full ECR repository ARN and returns it. */
  public static String ecrRepositoryArn(String arn) {
    Matcher m = ECR_ARN.matcher(arn == null ? "" : arn);
    if (!m.matches()) {
      throw new PolicyException("Invalid ECR repository ARN \"" + arn
          + "\": expected arn:<partition>:ecr:<region>:<12-digit account>:repository/<name>,"
          + " such as arn:aws:ecr:eu-west-1:123456789012:repository/acme/app");
    }
    return ecrRepositoryArn(m.group(1), m.group(2), m.group(3), m.group(4));
  }

  /** Returns the root principal ARN of an account. */
  public static String accountRoot(String partition, String account) {
    return "arn:" + partition(partition) + ":iam::" + account(account) + ":root";
  }

  /** Validates an IAM role ARN and returns it. */
  public static String roleArn(String arn) {
    Matcher m = ROLE_ARN.matcher(arn == null ? "" : arn);
    if (!m.matches() || !PARTITIONS.contains(m.group(1))) {
      throw new PolicyException("Invalid IAM role ARN \"" + arn
          + "\": expected arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account>:role/<name>,"
          + " such as arn:aws:iam::123456789012:role/gitpod-ecr-pull");
    }
    return arn;
  }

  /** Validates an AWS Organizations id ({@code o-} and 10 to 32 lower-case letters or digits). */
  public static String organizationId(String id) {
    if (id == null || !ORG_ID.matcher(id).matches()) {
      throw new PolicyException("Invalid AWS Organizations id \"" + id
          + "\": expected o- followed by 10 to 32 lower-case letters or digits, such as"
          + " o-a1b2c3d4e5 (see the Organizations console, not the root or account id)");
    }
    return id;
  }
}
