package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Every account's registry over the registry API at its own address: here the images live in
 * the second account and the role in the first, the reverse of {@link CrossAccountTest}.
 */
class AccountRegistriesTest {
  static final String WORKLOAD_ACCOUNT = "111122223333";
  static final String REGISTRY_ACCOUNT = "444455556666";
  static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  static FakeAws fake;
  static Clients clients;
  static FakeAccount workload;
  static FakeAccount registry;
  static EcrClient registryEcr;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().accounts(WORKLOAD_ACCOUNT, REGISTRY_ACCOUNT).build().start();
    clients = new Clients(fake);
    workload = fake.account(WORKLOAD_ACCOUNT);
    registry = fake.account(REGISTRY_ACCOUNT);
    registryEcr = clients.ecr(StaticCredentialsProvider.create(AwsBasicCredentials.create(
        registry.accessKeyId(), registry.secretAccessKey())));
  }

  @AfterAll
  static void stop() {
    registryEcr.close();
    clients.close();
    fake.close();
  }

  @BeforeEach
  void setUp() {
    fake.reset();
    clients.iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"}, "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"}}}]}"""
        .formatted(workload.providerArn(), fake.issuer().conditionKeyPrefix())));
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull").policyDocument("""
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
          {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
           "Resource": "%s"}]}""".formatted(registry.repositoryArn("central/app"))));
    registryEcr.createRepository(r -> r.repositoryName("central/app"));
    registryEcr.setRepositoryPolicy(r -> r.repositoryName("central/app").policyText("""
        {"Version": "2012-10-17", "Statement": [{"Sid": "WorkloadPulls", "Effect": "Allow",
          "Principal": {"AWS": "%s"},
          "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}"""
        .formatted(workload.roleArn("ci"))));
    registry.seedImage("central/app", "v1");
  }

  /** The password GetAuthorizationToken gives the first account's role for the registry. */
  String password() {
    Credentials c = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(workload.roleArn("ci")).roleSessionName("ws-1")
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      AuthorizationData d = ecr.getAuthorizationToken(r -> r.registryIds(REGISTRY_ACCOUNT))
          .authorizationData().get(0);
      assertThat(d.proxyEndpoint()).isEqualTo("https://" + registry.registryHost());
      return d.authorizationToken();
    }
  }

  static HttpResponse<String> get(java.net.URI registryEndpoint, String path, String basic)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(registryEndpoint.resolve(path))
        .header("Authorization", "Basic " + basic)
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyAccount_hasItsOwnRegistryListener() {
    assertThat(workload.registryAddress()).isEqualTo(fake.registryAddress());
    assertThat(registry.registryPort()).isNotEqualTo(workload.registryPort());
    assertThat(registry.registryEndpoint().toString())
        .isEqualTo("http://127.0.0.1:" + registry.registryPort() + "/v2/");
  }

  @Test
  void pull_fromTheSecondAccountsRegistry_allowedThenRefusedByTheRepositoryPolicy()
      throws Exception {
    String basic = password();
    HttpResponse<String> manifest = get(registry.registryEndpoint(), "central/app/manifests/v1",
        basic);
    assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
    assertThat(manifest.headers().firstValue("Docker-Content-Digest")).isPresent();

    registryEcr.deleteRepositoryPolicy(r -> r.repositoryName("central/app"));
    HttpResponse<String> refused = get(registry.registryEndpoint(), "central/app/manifests/v1",
        basic);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("\"DENIED\"").contains(workload.roleArn("ci")
        .replace(":iam::", ":sts::").replace(":role/ci", ":assumed-role/ci/ws-1"));
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("refused by the resource policy of " + registry.repositoryArn("central/app"))
        .doesNotContain("refused by the identity"));
  }

  @Test
  void pull_fromTheSecondAccountsRegistry_refusedWithoutTheIdentityPolicy() throws Exception {
    String basic = password();
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull").policyDocument("""
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}"""));

    HttpResponse<String> refused = get(registry.registryEndpoint(), "central/app/manifests/v1",
        basic);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("refused by the identity policies of " + workload.roleArn("ci"))
        .doesNotContain("and the resource policy"));
  }

  @Test
  void aPasswordForOneRegistry_isRefusedAtAnotherAccountsRegistry() throws Exception {
    String basic = password();

    HttpResponse<String> refused = get(fake.registryEndpoint(), "central/app/manifests/v1",
        basic);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h ->
        assertThat(h).contains(workload.registryHost()));
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("issued for registry " + REGISTRY_ACCOUNT));
  }
}
