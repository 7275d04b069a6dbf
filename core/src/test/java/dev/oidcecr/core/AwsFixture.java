package dev.oidcecr.core;

import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Steps 1-4 of the design done on a {@link FakeAws} through the real IAM and ECR clients, as a
 * platform engineer would: provider, role with a trust policy for one repository, inline
 * permission policy, ECR repository with a seeded image.
 */
final class AwsFixture implements AutoCloseable {
  static final String ROLE = "gitpod-ecr-pull";
  static final String REPOSITORY = "acme/app";
  static final String ALLOWED_REPO_URL = "https://github.com/acme/app";

  final FakeAws fake;
  final SdkHttpClient http = UrlConnectionHttpClient.create();
  final IamClient iam;
  final EcrClient ecr;

  AwsFixture(FakeAws fake) {
    this.fake = fake;
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
    iam = IamClient.builder().endpointOverride(fake.endpoint()).region(Region.AWS_GLOBAL)
        .httpClient(http).credentialsProvider(admin).build();
    ecr = EcrClient.builder().endpointOverride(fake.endpoint()).region(Region.of(fake.region()))
        .httpClient(http).credentialsProvider(admin).build();
  }

  AwsFixture setUp() {
    return setUp(permissionPolicy());
  }

  AwsFixture setUp(PolicyDocument permissions) {
    fake.reset();
    iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    iam.createRole(r -> r.roleName(ROLE).assumeRolePolicyDocument(trustPolicy().toJson()));
    iam.putRolePolicy(r -> r.roleName(ROLE).policyName("ecr-pull")
        .policyDocument(permissions.toJson()));
    ecr.createRepository(r -> r.repositoryName(REPOSITORY));
    fake.seedImage(REPOSITORY, "latest");
    return this;
  }

  PolicyDocument trustPolicy() {
    return TrustPolicy.builder()
        .issuer(fake.issuer().issuer())
        .account(fake.accountId())
        .repository(ALLOWED_REPO_URL)
        .build();
  }

  PolicyDocument permissionPolicy() {
    return PermissionPolicy.builder()
        .repository(fake.accountId(), fake.region(), REPOSITORY)
        .build();
  }

  String roleArn() {
    return fake.roleArn(ROLE);
  }

  EcrRegistry registry() {
    return EcrRegistry.of(fake.accountId(), fake.region());
  }

  /** A token of a workspace on the allowed repository. */
  String allowedToken() {
    return fake.issuer().token().repository(ALLOWED_REPO_URL).workspaceId("acme-app-0a1b2c3d")
        .mint();
  }

  long calls(String operation) {
    return fake.requests().stream().filter(c -> c.operation().equals(operation)).count();
  }

  @Override
  public void close() {
    iam.close();
    ecr.close();
    http.close();
  }
}
