package dev.oidcecr.core;

import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
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
 *
 * <p>Either made on a running fake ({@code new AwsFixture(fake)}, closed by the caller), or
 * registered on a static field with {@code @RegisterExtension} ({@link #perClass}), which starts
 * the fake before the class's tests and stops it after them.
 */
final class AwsFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback {
  static final String ROLE = "gitpod-ecr-pull";
  static final String REPOSITORY = "acme/app";
  static final String ALLOWED_REPO_URL = "https://github.com/acme/app";

  private final FakeAws.Builder toStart;
  private final boolean setUpEach;
  FakeAws fake;
  SdkHttpClient http;
  IamClient iam;
  EcrClient ecr;

  AwsFixture(FakeAws fake) {
    this.toStart = null;
    this.setUpEach = false;
    clients(fake);
  }

  private AwsFixture(FakeAws.Builder toStart, boolean setUpEach) {
    this.toStart = toStart;
    this.setUpEach = setUpEach;
  }

  /**
   * Returns a fixture for {@code @RegisterExtension} on a static field: the fake built by
   * {@code fake} starts before the class's tests and stops after them; with {@code setUpEach},
   * {@link #setUp()} runs before each test (before the class's own {@code @BeforeEach}).
   */
  static AwsFixture perClass(FakeAws.Builder fake, boolean setUpEach) {
    return new AwsFixture(fake, setUpEach);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    clients(toStart.build().start());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (setUpEach) {
      setUp();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
    fake.close();
  }

  private void clients(FakeAws fake) {
    this.fake = fake;
    http = UrlConnectionHttpClient.create();
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
