package dev.oidcecr.core.internal;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The account, region and partition an ECR registry host names.
 *
 * @param host the host, lowercase
 * @param account the 12-digit registry account
 * @param region the region
 * @param partition the partition
 */
public record EcrHost(String host, String account, String region, String partition) {
  private static final Pattern HOST = Pattern.compile(
      "(\\d{12})\\.(?:dkr\\.ecr|dkr\\.ecr-fips|dkr-ecr|dkr-ecr-fips)\\.([a-z]{2}(?:-[a-z]+)+-\\d)"
          + "\\.(amazonaws\\.com|amazonaws\\.com\\.cn|on\\.aws|c2s\\.ic\\.gov|sc2s\\.sgov\\.gov)");

  /** Parses a host (tolerating {@code https://} and a path); empty when it is not ECR. */
  public static Optional<EcrHost> parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("https://")) {
      s = s.substring("https://".length());
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    Matcher m = HOST.matcher(s);
    if (!m.matches()) {
      return Optional.empty();
    }
    boolean dualStack = m.group(3).equals("on.aws");
    if (dualStack != s.contains(".dkr-ecr")) {
      return Optional.empty();
    }
    return Optional.of(new EcrHost(s, m.group(1), m.group(2),
        m.group(3).endsWith(".cn") ? "aws-cn" : AwsNames.partitionOfRegion(m.group(2))));
  }

  /** Returns the ARN of a repository of this registry. */
  public String repositoryArn(String repository) {
    return AwsNames.repositoryArn(partition, region, account, repository);
  }
}
