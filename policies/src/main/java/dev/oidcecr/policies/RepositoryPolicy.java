package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds an ECR repository policy that lets other accounts, roles or a whole AWS Organization
 * pull (and optionally push) the repository's images. It never has a {@code Resource} element:
 * the repository the policy is set on is the resource, and ECR rejects one.
 *
 * <pre>{@code
 * PolicyDocument repositoryPolicy = RepositoryPolicy.builder()
 *     .allowAccount("210987654321")        // the Gitpod installation's account
 *     .build();
 * }</pre>
 *
 * <p>Statements, with fixed Sids: {@value #SID_PULL} for accounts and roles, and
 * {@value #SID_PULL_ORGANIZATION} ({@code Principal: "*"} restricted by
 * {@code aws:PrincipalOrgID}) for organizations; with {@link Builder#allowPush()} their Sids are
 * {@value #SID_PULL_PUSH} and {@value #SID_PULL_PUSH_ORGANIZATION}.
 */
public final class RepositoryPolicy {

  /** The Sid of the statement for accounts and roles (pull only). */
  public static final String SID_PULL = "AllowPull";
  /** The Sid of the statement for organizations (pull only). */
  public static final String SID_PULL_ORGANIZATION = "AllowPullFromOrganization";
  /** The Sid of the statement for accounts and roles (pull and push). */
  public static final String SID_PULL_PUSH = "AllowPullAndPush";
  /** The Sid of the statement for organizations (pull and push). */
  public static final String SID_PULL_PUSH_ORGANIZATION = "AllowPullAndPushFromOrganization";

  private RepositoryPolicy() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects who may pull and whether they may push. Not thread-safe. */
  public static final class Builder {
    private String partition = "aws";
    private final List<String> accounts = new ArrayList<>();
    private final Set<String> roles = new LinkedHashSet<>();
    private final Set<String> organizations = new LinkedHashSet<>();
    private boolean push;

    Builder() {}

    /**
     * Sets the partition of account root ARNs: {@code aws} (the default), {@code aws-cn} or
     * {@code aws-us-gov}.
     *
     * @param partition the AWS partition: {@code aws}, {@code aws-cn} or {@code aws-us-gov}
     * @return this builder
     */
    public Builder partition(String partition) {
      this.partition = Arns.partition(Objects.requireNonNull(partition, "partition"));
      return this;
    }

    /**
     * Allows an account, as its root principal {@code arn:aws:iam::<account>:root}: any role or
     * user of that account whose own policies also allow the actions.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder allowAccount(String accountId) {
      String account = Arns.account(Objects.requireNonNull(accountId, "accountId"));
      if (!accounts.contains(account)) {
        accounts.add(account);
      }
      return this;
    }

    /**
     * Allows one role, such as {@code arn:aws:iam::210987654321:role/gitpod-workspace}.
     *
     * @param roleArn the IAM role ARN
     * @return this builder
     */
    public Builder allowRole(String roleArn) {
      roles.add(Arns.roleArn(Objects.requireNonNull(roleArn, "roleArn")));
      return this;
    }

    /**
     * Allows every principal of an AWS Organization, such as {@code o-a1b2c3d4e5}.
     *
     * @param organizationId the organization ID
     * @return this builder
     */
    public Builder allowOrganization(String organizationId) {
      organizations.add(Arns.organizationId(Objects.requireNonNull(organizationId,
          "organizationId")));
      return this;
    }

    /**
     * Also grants the push actions to the same principals.
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
     * @throws PolicyException when no account, role or organization was added
     *
     * @return the policy
     */
    public PolicyDocument build() {
      if (accounts.isEmpty() && roles.isEmpty() && organizations.isEmpty()) {
        throw new PolicyException("Nobody is allowed: add allowAccount(id), allowRole(arn) or"
            + " allowOrganization(id)");
      }
      Set<String> actions = new LinkedHashSet<>(PermissionPolicy.PULL_ACTIONS);
      if (push) {
        actions.addAll(PermissionPolicy.PUSH_ACTIONS);
      }
      PolicyDocument.Builder doc = PolicyDocument.builder();
      if (!accounts.isEmpty() || !roles.isEmpty()) {
        List<String> principals = new ArrayList<>();
        accounts.forEach(a -> principals.add(Arns.accountRoot(partition, a)));
        principals.addAll(roles);
        doc.addStatement(s -> s.sid(push ? SID_PULL_PUSH : SID_PULL).allow()
            .principal(Principal.aws(principals.toArray(String[]::new)))
            .addAllActions(actions));
      }
      if (!organizations.isEmpty()) {
        doc.addStatement(s -> s.sid(push ? SID_PULL_PUSH_ORGANIZATION : SID_PULL_ORGANIZATION)
            .allow()
            .principal(Principal.all())
            .addAllActions(actions)
            .addCondition(ConditionOperator.STRING_EQUALS, "aws:PrincipalOrgID",
                organizations.toArray(String[]::new)));
      }
      return doc.build();
    }
  }
}
