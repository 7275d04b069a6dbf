package dev.oidcecr.core;

import dev.oidcecr.core.internal.RegistryParser;
import dev.oidcecr.policies.internal.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * An Amazon ECR private registry: an account's registry in one region, reached through one of
 * ECR's Docker endpoints (standard, FIPS, dual-stack) in any AWS partition.
 *
 * <pre>{@code
 * EcrRegistry r = EcrRegistry.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0");
 * r.accountId();   // "123456789012"
 * r.region();      // "eu-west-1"
 * r.repositoryArn("app"); // "arn:aws:ecr:eu-west-1:123456789012:repository/app"
 * }</pre>
 */
@Value.Immutable(builder = false)
@ValueStyle
public abstract class EcrRegistry {

  EcrRegistry() {}

  /**
   * Parses a registry host, a registry URL ({@code https://host}, {@code https://host/v2/}) or an
   * image reference ({@code host/repo:tag}, {@code host/repo@sha256:...}) and returns its registry.
   *
   * @throws InvalidRegistryException if the text is not an ECR registry, with the reason
   *
   * @param text a registry host, registry URL or image reference, such as
   *     {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1}
   * @return the parsed registry
   */
  public static EcrRegistry parse(String text) {
    return from(RegistryParser.parse(text).host);
  }

  /**
   * Parses like {@link #parse(String)}, returning empty for anything that is not ECR.
   *
   * @param text a registry host, registry URL or image reference, or anything else
   * @return the registry, or empty when the text is not an ECR one
   */
  public static Optional<EcrRegistry> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (InvalidRegistryException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the standard (IPv4, non-FIPS) registry of an account in a region.
   *
   * @param accountId the 12-digit AWS account ID
   * @param region the AWS region, such as {@code us-east-1}
   * @return the standard (IPv4, non-FIPS) registry of an account in a region
   */
  public static EcrRegistry of(String accountId, String region) {
    return ImmutableEcrRegistry.of(accountId, region, false, false);
  }

  static EcrRegistry from(RegistryParser.Host h) {
    return ImmutableEcrRegistry.of(h.accountId, h.region, h.fips, h.dualStack);
  }

  /**
   * Returns the 12-digit id of the AWS account that owns the registry.
   *
   * @return the 12-digit id of the AWS account that owns the registry
   */
  @Value.Parameter
  public abstract String accountId();

  /**
   * Returns the AWS region, such as {@code us-east-1}.
   *
   * @return the AWS region, such as {@code us-east-1}
   */
  @Value.Parameter
  public abstract String region();

  /**
   * Tells whether the host is a FIPS endpoint ({@code dkr.ecr-fips} or {@code dkr-ecr-fips}).
   *
   * @return {@code true} for a FIPS endpoint
   */
  @Value.Parameter
  public abstract boolean fips();

  /**
   * Tells whether the host is a dual-stack (IPv4 and IPv6) endpoint ({@code dkr-ecr...}).
   *
   * @return {@code true} for a dual-stack endpoint
   */
  @Value.Parameter
  public abstract boolean dualStack();

  /**
   * Returns a registry like this one with the FIPS endpoint switched on or off.
   *
   * @param fips {@code true} for the FIPS endpoint
   * @return a registry like this one with the FIPS endpoint switched on or off
   */
  public EcrRegistry withFips(boolean fips) {
    return ImmutableEcrRegistry.of(accountId(), region(), fips, dualStack());
  }

  /**
   * Returns a registry like this one with the dual-stack endpoint switched on or off.
   *
   * @param dualStack {@code true} for the dual-stack endpoint
   * @return a registry like this one with the dual-stack endpoint switched on or off
   */
  public EcrRegistry withDualStack(boolean dualStack) {
    return ImmutableEcrRegistry.of(accountId(), region(), fips(), dualStack);
  }

  /**
   * Returns the AWS partition: {@code aws}, {@code aws-cn}, {@code aws-us-gov}, {@code aws-iso}...
   *
   * @return the AWS partition
   */
  @Value.Derived
  public String partition() {
    return RegistryParser.partitionOf(region()).id();
  }

  /**
   * Returns the registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}.
   *
   * @return the registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
   */
  @Value.Derived
  public String host() {
    return RegistryParser.hostName(accountId(), region(), fips(), dualStack());
  }

  /**
   * Returns {@code https://} and the host, as ECR's {@code proxyEndpoint} gives it.
   *
   * @return {@code https://} and the host, as ECR's {@code proxyEndpoint} gives it
   */
  public String proxyEndpoint() {
    return "https://" + host();
  }

  /**
   * Returns the ARN of a repository of this registry.
   *
   * @throws InvalidRegistryException if {@code repositoryName} is not a valid ECR repository name
   *
   * @param repositoryName the repository name
   * @return the ARN of a repository of this registry
   */
  public String repositoryArn(String repositoryName) {
    RegistryParser.validateRepositoryName(repositoryName, null);
    return "arn:" + partition() + ":ecr:" + region() + ":" + accountId() + ":repository/"
        + repositoryName;
  }

  /**
   * Returns an image of this registry from {@code repository[:tag][@digest]}.
   *
   * @throws InvalidRegistryException if the repository, tag or digest is invalid
   *
   * @param repositoryTagOrDigest the repository with an optional {@code :tag} and {@code @digest}
   * @return an image of this registry from {@code repository[:tag][@digest]}
   */
  public EcrImageReference image(String repositoryTagOrDigest) {
    EcrImageReference ref = EcrImageReference.parse(host() + "/" + repositoryTagOrDigest);
    return ref;
  }

  @Value.Check
  void check() {
    RegistryParser.validate(accountId(), region(), fips(), dualStack(), null);
  }

  /** Returns the host. */
  @Override
  public String toString() {
    return host();
  }
}
