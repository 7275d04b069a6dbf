package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * A central registry in one account, the workload role in another: a pull needs the role's
 * identity policy and the repository policy, as in AWS; each refusal says which side refused.
 */
class CrossAccountTest {
  static final String REGISTRY_ACCOUNT = "111122223333";
  static final String WORKLOAD_ACCOUNT = "444455556666";
  static FakeAws fake;
  static Clients clients;
  static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();
  static FakeAccount registry;
  static FakeAccount workload;
  static IamClient registryIam;
  static IamClient workloadIam;
  static EcrClient registryEcr;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().accounts(REGISTRY_ACCOUNT, WORKLOAD_ACCOUNT).build().start();
    clients = new Clients(fake);
    registry = fake.account(REGISTRY_ACCOUNT);
    workload = fake.account(WORKLOAD_ACCOUNT);
    registryIam = iam(registry);
    workloadIam = iam(workload);
    registryEcr = clients.ecr(StaticCredentialsProvider.create(AwsBasicCredentials.create(
        registry.accessKeyId(), registry.secretAccessKey())));
  }

  @AfterAll
  static void stop() {
    registryIam.close();
    workloadIam.close();
    registryEcr.close();
    clients.close();
    fake.close();
    HTTP.close();
  }

  static IamClient iam(FakeAccount account) {
    return IamClient.builder().endpointOverride(fake.endpoint()).region(Region.AWS_GLOBAL)
        .httpClient(HTTP).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(account.accessKeyId(), account.secretAccessKey())))
        .build();
  }

  static String identityPolicy() {
    return """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
          {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability"], "Resource": "%s"}]}"""
        .formatted(registry.repositoryArn("acme/app"));
  }

  static String repositoryPolicy() {
    return """
        {"Version": "2012-10-17", "Statement": [{"Sid": "WorkloadPulls", "Effect": "Allow",
          "Principal": {"AWS": "%s"},
          "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability"]}]}""".formatted(workload.roleArn("ci"));
  }

  @BeforeEach
  void setUp() {
    fake.reset();
    workloadIam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    workloadIam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"}}}]}"""
        .formatted(workload.providerArn(), fake.issuer().conditionKeyPrefix())));
    workloadIam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(identityPolicy()));
    registryEcr.createRepository(r -> r.repositoryName("acme/app"));
    registryEcr.setRepositoryPolicy(r -> r.repositoryName("acme/app")
        .policyText(repositoryPolicy()));
    registry.seedImage("acme/app", "latest");
  }

  EcrClient workloadSession() {
    Credentials c = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(workload.roleArn("ci")).roleSessionName("ws-1")
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    return clients.ecr(Clients.session(c));
  }

  static void pull(EcrClient ecr) {
    var images = ecr.batchGetImage(r -> r.registryId(REGISTRY_ACCOUNT)
        .repositoryName("acme/app").imageIds(i -> i.imageTag("latest"))).images();
    assertThat(images).hasSize(1);
  }

  @Test
  void accounts_haveTheirOwnKeysIamAndRegistry() {
    assertThat(fake.accountId()).isEqualTo(REGISTRY_ACCOUNT);
    assertThat(fake.accounts()).extracting(FakeAccount::accountId)
        .containsExactly(REGISTRY_ACCOUNT, WORKLOAD_ACCOUNT);
    assertThat(workload.accessKeyId()).isNotEqualTo(registry.accessKeyId());
    assertThat(workload.registryHost()).isEqualTo(WORKLOAD_ACCOUNT + ".dkr.ecr."
        + fake.region() + ".amazonaws.com");
    assertThatThrownBy(() -> registryIam.getRole(r -> r.roleName("ci")))
        .isInstanceOf(software.amazon.awssdk.services.iam.model.NoSuchEntityException.class);
    assertThat(workloadIam.getRole(r -> r.roleName("ci")).role().arn())
        .isEqualTo("arn:aws:iam::" + WORKLOAD_ACCOUNT + ":role/ci");
    assertThat(clients.sts(StaticCredentialsProvider.create(AwsBasicCredentials.create(
        workload.accessKeyId(), workload.secretAccessKey()))).getCallerIdentity().account())
        .isEqualTo(WORKLOAD_ACCOUNT);
    // The workload account's own registry has no such repository.
    assertThatThrownBy(() -> workloadSession().batchGetImage(r -> r.repositoryName("acme/app")
        .imageIds(i -> i.imageTag("latest")))).isInstanceOf(RepositoryNotFoundException.class);
  }

  @Test
  void pull_fromTheRegistryAccount_allowedWhenBothSidesAllow() throws Exception {
    EcrClient ecr = workloadSession();
    List<AuthorizationData> auth = ecr.getAuthorizationToken(r -> r
        .registryIds(REGISTRY_ACCOUNT)).authorizationData();
    assertThat(auth).singleElement().satisfies(d -> assertThat(d.proxyEndpoint())
        .isEqualTo("https://" + registry.registryHost()));
    pull(ecr);

    // The same pull over the registry API, with the password for the registry account.
    java.net.http.HttpResponse<String> manifest = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(fake.registryEndpoint()
                .resolve("acme/app/manifests/latest"))
            .header("Authorization", "Basic " + auth.get(0).authorizationToken())
            .header("Accept", "application/vnd.oci.image.manifest.v1+json")
            .timeout(java.time.Duration.ofSeconds(10)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);

    registryEcr.deleteRepositoryPolicy(r -> r.repositoryName("acme/app"));
    java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(fake.registryEndpoint()
                .resolve("acme/app/manifests/latest"))
            .header("Authorization", "Basic " + auth.get(0).authorizationToken())
            .timeout(java.time.Duration.ofSeconds(10)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("refused by the resource policy of " + registry.repositoryArn("acme/app")));
  }

  @Test
  void pull_refusedWithoutTheRepositoryPolicy_andTheDenialNamesIt() {
    registryEcr.deleteRepositoryPolicy(r -> r.repositoryName("acme/app"));

    Throwable t = catchThrowable(() -> pull(workloadSession()));

    assertThat(t).isInstanceOf(EcrException.class);
    assertThat(((EcrException) t).awsErrorDetails().errorCode())
        .isEqualTo("AccessDeniedException");
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("refused by the resource policy of " + registry.repositoryArn("acme/app"))
        .doesNotContain("refused by the identity"));
  }

  @Test
  void pull_refusedWithoutTheIdentityPolicy_andTheDenialNamesIt() {
    workloadIam.deleteRolePolicy(r -> r.roleName("ci").policyName("pull"));
    workloadIam.putRolePolicy(r -> r.roleName("ci").policyName("login").policyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ecr:GetAuthorizationToken\",\"Resource\":\"*\"}]}"));

    Throwable t = catchThrowable(() -> pull(workloadSession()));

    assertThat(t).isInstanceOf(EcrException.class);
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("refused by the identity policies of " + workload.roleArn("ci"))
        .doesNotContain("and the resource policy"));
  }

  @Test
  void pull_allowedByAnAwsManagedPolicyAndTheRepositoryPolicy() {
    workloadIam.deleteRolePolicy(r -> r.roleName("ci").policyName("pull"));
    workloadIam.attachRolePolicy(r -> r.roleName("ci")
        .policyArn("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"));
    pull(workloadSession());
  }

  @Test
  void trustPolicy_namingARoleOfAnotherAccount_mustNameAnExistingRole_andAssumeRoleNeedsBothSides() {
    Throwable t = catchThrowable(() -> registryIam.createRole(r -> r.roleName("deployer")
        .assumeRolePolicyDocument("""
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "%s"}, "Action": "sts:AssumeRole"}]}"""
            .formatted(workload.roleArn("nobody")))));
    assertThat(t).hasMessageContaining("Invalid principal in policy");

    registryIam.createRole(r -> r.roleName("deployer").assumeRolePolicyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": "%s"}, "Action": "sts:AssumeRole"}]}"""
        .formatted(workload.roleArn("ci"))));

    // Cross-account AssumeRole: the trust policy alone is not enough...
    Credentials ci = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(workload.roleArn("ci")).roleSessionName("ws-1")
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    var ciSts = clients.sts(Clients.session(ci));
    Throwable refused = catchThrowable(() -> ciSts.assumeRole(r -> r
        .roleArn(registry.roleArn("deployer")).roleSessionName("deploy")));
    assertThat(refused).hasMessageContaining("not authorized to perform: sts:AssumeRole");
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("Cross-account call from account " + WORKLOAD_ACCOUNT));

    // ...the caller's identity policy must allow it too.
    workloadIam.putRolePolicy(r -> r.roleName("ci").policyName("chain").policyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Resource": "%s"}]}""".formatted(registry.roleArn("deployer"))));
    assertThat(ciSts.assumeRole(r -> r.roleArn(registry.roleArn("deployer"))
        .roleSessionName("deploy")).assumedRoleUser().arn())
        .isEqualTo("arn:aws:sts::" + REGISTRY_ACCOUNT + ":assumed-role/deployer/deploy");
  }
}
