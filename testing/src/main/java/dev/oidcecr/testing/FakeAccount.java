package dev.oidcecr.testing;

import dev.oidcecr.testing.internal.SdkBridge;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;

/**
 * One account of a {@link FakeAws}: its id, its admin keys (which sign IAM and ECR calls as
 * this account) and the names of its entities. Get it with {@link FakeAws#account(String)} or
 * {@link FakeAws#accounts()}. The secret key is printed by no method but its own getter.
 */
public final class FakeAccount {
  private final FakeAws fake;
  private final String accountId;
  private final String accessKeyId;
  private final String secretAccessKey;

  FakeAccount(FakeAws fake, String accountId, String accessKeyId, String secretAccessKey) {
    this.fake = fake;
    this.accountId = accountId;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
  }

  /**
   * Returns the 12-digit account id.
   *
   * @return the account id
   */
  public String accountId() {
    return accountId;
  }

  /**
   * Returns the access key id of this account's admin user.
   *
   * @return the admin access key id
   */
  public String accessKeyId() {
    return accessKeyId;
  }

  /**
   * Returns the secret access key of this account's admin user.
   *
   * @return the admin secret access key
   */
  public String secretAccessKey() {
    return secretAccessKey;
  }

  /**
   * Returns this account's ECR registry host. The fake's registry listener serves the first
   * account's repositories; ECR API calls reach every account's with {@code registryId}.
   *
   * @return {@code <account>.dkr.ecr.<region>.amazonaws.com}
   */
  public String registryHost() {
    return accountId + ".dkr.ecr." + fake.region() + ".amazonaws.com";
  }

  /**
   * Returns a role ARN of this account.
   *
   * @param roleName the role name
   * @return {@code arn:aws:iam::<account>:role/<name>}
   */
  public String roleArn(String roleName) {
    return "arn:aws:iam::" + accountId + ":role/" + Objects.requireNonNull(roleName, "roleName");
  }

  /**
   * Returns the ARN of the fake issuer's OIDC provider in this account.
   *
   * @return {@code arn:aws:iam::<account>:oidc-provider/<issuer host and path>}
   */
  public String providerArn() {
    return fake.issuer().providerArn(accountId);
  }

  /**
   * Returns a repository ARN of this account.
   *
   * @param repositoryName the repository name
   * @return {@code arn:aws:ecr:<region>:<account>:repository/<name>}
   */
  public String repositoryArn(String repositoryName) {
    return "arn:aws:ecr:" + fake.region() + ":" + accountId + ":repository/"
        + Objects.requireNonNull(repositoryName, "repositoryName");
  }

  /**
   * Seeds a small image in this account's repositories; creates the repository when missing.
   *
   * @param repository the repository name
   * @param tag the tag
   * @return the manifest digest
   */
  public String seedImage(String repository, String tag) {
    return fake.seedImageIn(accountId, Objects.requireNonNull(repository, "repository"),
        Objects.requireNonNull(tag, "tag"));
  }

  /**
   * Returns this account's admin keys as SDK credentials: IAM and ECR calls signed with them act
   * in this account (its roles, providers, policies and repositories). Needs the AWS SDK on the
   * class path, as {@link FakeAws#credentialsProvider()} does.
   *
   * @return static credentials of this account's admin user
   */
  public AwsCredentialsProvider credentialsProvider() {
    return SdkBridge.credentials(accessKeyId, secretAccessKey);
  }

  /**
   * Points an SDK client builder at the fake as this account's admin: the fake's endpoint and
   * region with {@link #credentialsProvider()}, so that
   * {@code IamClient iam = account.configure(IamClient.builder()).build();} manages this
   * account's IAM.
   *
   * @param builder any AWS SDK v2 client builder (IAM, ECR, STS)
   * @param <B> the builder's type
   * @return the same builder, for chaining
   * @throws IllegalStateException before the fake is started
   */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    return SdkBridge.configure(builder, fake.endpoint(), fake.region(), credentialsProvider());
  }

  @Override
  public String toString() {
    return "FakeAccount{" + accountId + ", accessKeyId=" + accessKeyId + "}";
  }
}
