package dev.oidcecr.core.internal;

import dev.oidcecr.core.InvalidRoleArnException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Validates IAM role ARNs and finds the role ARN a workspace was given. */
public final class RoleArns {
  /** The variables read for a role ARN, in order: ours, Gitpod's convention, the AWS SDKs'. */
  public static final List<String> ROLE_ARN_VARIABLES =
      List.of("OIDC_ECR_ROLE_ARN", "IDP_AWS_ROLE_ARN", "AWS_ROLE_ARN");

  private static final String PARTITIONS =
      "aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc";
  private static final Pattern ROLE_ARN =
      Pattern.compile(
          "arn:(" + PARTITIONS + "):iam::([0-9]{12}):role(/(?:[\\x21-\\x7E]*/)?)([\\w+=,.@-]{1,64})");
  private static final Pattern ANY_ARN = Pattern.compile("arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)");

  private RoleArns() {}

  /** A role ARN's parts. */
  public static final class Parsed {
    /** The partition, such as {@code aws}. */
    public final String partition;
    /** The 12-digit account id. */
    public final String accountId;
    /** The role's path, {@code /} by default. */
    public final String path;
    /** The role's name. */
    public final String name;

    Parsed(String partition, String accountId, String path, String name) {
      this.partition = partition;
      this.accountId = accountId;
      this.path = path;
      this.name = name;
    }
  }

  /**
   * Parses an IAM role ARN such as {@code arn:aws:iam::123456789012:role/ecr-pull}.
   *
   * @throws InvalidRoleArnException naming the mistake (a user ARN, an assumed-role session ARN, a
   *     bare role name, a wrong account id...)
   */
  public static Parsed parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidRoleArnException(
          "The role ARN is empty: pass one like arn:aws:iam::123456789012:role/ecr-pull (set"
              + " OIDC_ECR_ROLE_ARN or IDP_AWS_ROLE_ARN in the workspace)");
    }
    String s = text.strip();
    Matcher m = ROLE_ARN.matcher(s);
    if (m.matches()) {
      if (m.group(3).length() > 512) {
        throw bad(s, "the role path is longer than 512 characters");
      }
      return new Parsed(m.group(1), m.group(2), m.group(3), m.group(4));
    }
    Matcher any = ANY_ARN.matcher(s);
    if (!any.matches()) {
      throw bad(
          s,
          "it is not an ARN; pass the role's full ARN, arn:aws:iam::<12-digit account>:role/<name>,"
              + " as shown on the role's page in the IAM console");
    }
    String partition = any.group(1);
    String service = any.group(2);
    String account = any.group(4);
    String resource = any.group(5);
    if (!partition.matches(PARTITIONS)) {
      throw bad(s, "\"" + partition + "\" is not an AWS partition (aws, aws-cn, aws-us-gov...)");
    }
    if (service.equals("sts") && resource.startsWith("assumed-role/")) {
      String role = resource.substring("assumed-role/".length()).split("/", 2)[0];
      throw bad(
          s,
          "it is an assumed-role session ARN; pass the role ARN arn:"
              + partition
              + ":iam::"
              + account
              + ":role/"
              + role);
    }
    if (!service.equals("iam")) {
      throw bad(s, "it is an ARN of service " + service + ", not of an IAM role");
    }
    if (!any.group(3).isEmpty()) {
      throw bad(s, "IAM ARNs have no region: write arn:" + partition + ":iam::" + account + ":...");
    }
    if (!account.matches("[0-9]{12}")) {
      throw bad(s, "the account id \"" + account + "\" is not 12 digits");
    }
    if (!resource.startsWith("role/")) {
      String kind = resource.contains("/") ? resource.substring(0, resource.indexOf('/')) : resource;
      throw bad(s, "it names an IAM " + kind + ", not a role");
    }
    throw bad(
        s,
        "the role name must be 1 to 64 letters, digits and +=,.@_- (and a path, if any, /path/)");
  }

  /** Returns the first role ARN set in {@link #ROLE_ARN_VARIABLES}, with the variable's name. */
  public static Optional<Map.Entry<String, String>> fromEnvironment(Map<String, String> env) {
    for (String name : ROLE_ARN_VARIABLES) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return Optional.of(Map.entry(name, v.strip()));
      }
    }
    return Optional.empty();
  }

  private static InvalidRoleArnException bad(String arn, String why) {
    String shown = arn.length() > 300 ? arn.substring(0, 300) + "..." : arn;
    return new InvalidRoleArnException("\"" + shown + "\" is not an IAM role ARN: " + why);
  }
}
