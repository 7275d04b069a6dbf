package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the identity (permission) policy that lets a role pull, and optionally push, images of
 * ECR repositories.
 *
 * <pre>{@code
 * PolicyDocument permissions = PermissionPolicy.builder()
 *     .repository("123456789012", "eu-west-1", "acme/app")
 *     .build();
 * }</pre>
 *
 * <p>The statements, with fixed Sids: {@value #SID_AUTH} ({@code ecr:GetAuthorizationToken} on
 * {@code *}, the only resource it accepts), {@value #SID_PULL} (the pull actions on the
 * repositories) and, with {@link Builder#allowPush()}, {@value #SID_PUSH} (the push actions;
 * {@code ecr:BatchCheckLayerAvailability}, which push also needs, is in the pull statement).
 */
public final class PermissionPolicy {

  /** The Sid of the {@code ecr:GetAuthorizationToken} statement. */
  public static final String SID_AUTH = "GetAuthorizationToken";
  /** The Sid of the pull statement. */
  public static final String SID_PULL = "PullImages";
  /** The Sid of the push statement. */
  public static final String SID_PUSH = "PushImages";

  /** The actions a registry client needs to pull an image. */
  public static final List<String> PULL_ACTIONS = List.of(
      "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability");

  /** The actions a registry client needs to push an image. */
  public static final List<String> PUSH_ACTIONS = List.of(
      "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability");

  private PermissionPolicy() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects the repositories and whether to push. Not thread-safe. */
  public static final class Builder {
    private String partition = "aws";
    private final Set<String> arns = new LinkedHashSet<>();
    private final List<String[]> parts = new ArrayList<>();
    private boolean push;

    Builder() {}

    /**
     * Sets the partition of repositories given by account, region and name: {@code aws} (the
     * default), {@code aws-cn} or {@code aws-us-gov}.
     *
     * @param partition the AWS partition: {@code aws}, {@code aws-cn} or {@code aws-us-gov}
     * @return this builder
     */
    public Builder partition(String partition) {
      this.partition = Arns.partition(Objects.requireNonNull(partition, "partition"));
      return this;
    }

    /**
     * Adds a repository by account, region and name, such as {@code acme/app}; a trailing
     * {@code *} (such as {@code acme/*}) covers several repositories.
     *
     * @param account the 12-digit AWS account ID
     * @param region the AWS region, such as {@code us-east-1}
     * @param name the repository name, or a prefix ending in {@code *}
     * @return this builder
     */
    public Builder repository(String account, String region, String name) {
      Arns.account(Objects.requireNonNull(account, "account"));
      Arns.region(Objects.requireNonNull(region, "region"));
      Arns.ecrRepositoryName(Objects.requireNonNull(name, "name"));
      parts.add(new String[] {account, region, name});
      return this;
    }

    /**
     * Adds a repository by ARN, such as
     * {@code arn:aws:ecr:eu-west-1:123456789012:repository/acme/app}.
     *
     * @param arn the ARN
     * @return this builder
     */
    public Builder repositoryArn(String arn) {
      arns.add(Arns.ecrRepositoryArn(Objects.requireNonNull(arn, "arn")));
      return this;
    }

    /**
     * Also grants the push actions on the same repositories.
     *
     * @return this builder
     */
    public Builder allowPush() {
      this.push = true;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws PolicyException when no repository was added
     *
     * @return the policy
     */
    public PolicyDocument build() {
      Set<String> resources = new LinkedHashSet<>();
      for (String[] p : parts) {
        resources.add(Arns.ecrRepositoryArn(partition, p[1], p[0], p[2]));
      }
      resources.addAll(arns);
      if (resources.isEmpty()) {
        throw new PolicyException("No repository: add repository(account, region, name) or"
            + " repositoryArn(arn) for each ECR repository the role may pull from");
      }
      PolicyDocument.Builder doc = PolicyDocument.builder()
          .addStatement(s -> s.sid(SID_AUTH).allow()
              .addActions("ecr:GetAuthorizationToken").addResources("*"))
          .addStatement(s -> s.sid(SID_PULL).allow()
              .addAllActions(PULL_ACTIONS).addAllResources(resources));
      if (push) {
        doc.addStatement(s -> s.sid(SID_PUSH).allow()
            .addAllActions(PUSH_ACTIONS.stream().filter(a -> !PULL_ACTIONS.contains(a)).toList())
            .addAllResources(resources));
      }
      return doc.build();
    }
  }
}
