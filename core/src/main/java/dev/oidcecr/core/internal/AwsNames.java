package dev.oidcecr.core.internal;

import dev.oidcecr.core.InvalidRoleArnException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/** ARNs and names of the IAM and ECR resources the setup and the doctor deal with. */
public final class AwsNames {
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  private static final Pattern PATH = Pattern.compile("/|/[\\x21-\\x7e]*/");

  private AwsNames() {}

  /** A parsed role ARN. */
  public record RoleArn(String partition, String account, String path, String name) {
    /** Returns the ARN text. */
    public String arn() {
      return "arn:" + partition + ":iam::" + account + ":role" + path + name;
    }
  }

  /**
   * Parses a role ARN such as {@code arn:aws:iam::123456789012:role/gitpod/ecr-pull}, with the
   * same rules as the authenticator ({@link RoleArns#parse}), so the doctor and a login agree on
   * what a role ARN is; empty when it is not one.
   */
  public static Optional<RoleArn> parseRoleArn(String arn) {
    try {
      RoleArns.Parsed p = RoleArns.parse(arn);
      return Optional.of(new RoleArn(p.partition, p.accountId, p.path, p.name));
    } catch (InvalidRoleArnException e) {
      return Optional.empty();
    }
  }

  /** Returns the partition of a region: {@code aws-cn} for China, {@code aws-us-gov}, ... */
  public static String partitionOfRegion(String region) {
    if (region.startsWith("cn-")) {
      return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    if (region.startsWith("us-isob-")) {
      return "aws-iso-b";
    }
    if (region.startsWith("us-iso-")) {
      return "aws-iso";
    }
    return "aws";
  }

  /** Returns the region IAM's global endpoint signs with in a partition. */
  public static String iamGlobalRegion(String partition) {
    switch (partition) {
      case "aws-cn":
        return "aws-cn-global";
      case "aws-us-gov":
        return "aws-us-gov-global";
      case "aws-iso":
        return "aws-iso-global";
      case "aws-iso-b":
        return "aws-iso-b-global";
      default:
        return "aws-global";
    }
  }

  /**
   * Returns the host and path of an issuer URL, as IAM names the provider and the condition keys:
   * {@code https://services.gitpod.example.com/idp} gives {@code services.gitpod.example.com/idp}.
   */
  public static String issuerHostPath(String issuerUrl) {
    URI uri;
    try {
      uri = new URI(issuerUrl.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid issuer URL \"" + issuerUrl
          + "\": give it as https://services.<gitpod domain>/idp");
    }
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() != -1
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("Invalid issuer URL \"" + issuerUrl
          + "\": IAM accepts only https URLs without port, query or fragment, such as"
          + " https://services.gitpod.example.com/idp");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return uri.getHost().toLowerCase(java.util.Locale.ROOT) + path;
  }

  /** Returns an OIDC provider ARN. */
  public static String providerArn(String partition, String account, String hostPath) {
    return "arn:" + partition + ":iam::" + account + ":oidc-provider/" + hostPath;
  }

  /** Returns a role ARN. */
  public static String roleArn(String partition, String account, String path, String name) {
    return "arn:" + partition + ":iam::" + account + ":role" + path + name;
  }

  /** Returns an ECR repository ARN. */
  public static String repositoryArn(String partition, String region, String account,
      String name) {
    return "arn:" + partition + ":ecr:" + region + ":" + account + ":repository/" + name;
  }

  /** Returns the repository name at the end of an ECR repository ARN. */
  public static String repositoryName(String repositoryArn) {
    int i = repositoryArn.indexOf(":repository/");
    return i < 0 ? repositoryArn : repositoryArn.substring(i + ":repository/".length());
  }

  /** Checks a 12-digit account id. */
  public static String account(String account, String what) {
    if (!ACCOUNT.matcher(account).matches()) {
      throw new IllegalArgumentException("Invalid " + what + " \"" + account
          + "\": an AWS account id is 12 digits, such as 123456789012");
    }
    return account;
  }

  /** Checks a role name. */
  public static String roleName(String name) {
    if (!ROLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid role name \"" + name
          + "\": IAM allows 1-64 characters of letters, digits and +=,.@_-");
    }
    return name;
  }

  /** Checks a role path. */
  public static String path(String path) {
    if (!PATH.matcher(path).matches() || path.length() > 512) {
      throw new IllegalArgumentException("Invalid role path \"" + path
          + "\": a path starts and ends with /, such as / or /gitpod/");
    }
    return path;
  }
}
