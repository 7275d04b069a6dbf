package dev.oidcecr.examples.embedder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.RepositoryPolicy;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAccount;
import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

/**
 * The set-up organisations use, on the fake with the published artifacts only: images in a
 * central registry account, the role CI jobs assume in a workload account with an AWS-managed
 * policy attached, and role chaining. The README's "Several accounts, managed policies and role
 * chaining" shows these regions.
 */
class OrganisationSetupTest {
  static final String CENTRAL = "111122223333";
  static final String WORKLOAD = "444455556666";
  static final String READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";

  @Test
  void workloadRole_pullsFromTheCentralRegistry_andEachRefusalNamesItsSide() throws Exception {
    // tag::several-accounts[]
    try (FakeAws aws = FakeAws.builder().accounts(CENTRAL, WORKLOAD).build().start()) {
      FakeAccount central = aws.account(CENTRAL);    // holds the images
      FakeAccount workload = aws.account(WORKLOAD);  // holds the role that CI jobs assume
      try (IamClient iam = workload.configure(IamClient.builder()).build();
          EcrClient ecr = central.configure(EcrClient.builder()).build()) {
        iam.createOpenIDConnectProvider(r -> r.url(aws.issuer().issuer())
            .clientIDList("sts.amazonaws.com"));
        iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(TrustPolicy.builder()
            .issuer(aws.issuer().issuer()).account(WORKLOAD)
            .repository("https://github.com/acme/app").build().toJson()));
        iam.attachRolePolicy(r -> r.roleName("ci").policyArn(READ_ONLY)); // AWS-managed
        ecr.createRepository(r -> r.repositoryName("acme/app"));
        ecr.setRepositoryPolicy(r -> r.repositoryName("acme/app").policyText(
            RepositoryPolicy.builder().allowRole(workload.roleArn("ci")).build().toJson()));
      }
      central.seedImage("acme/app", "v1");

      String token = aws.issuer().token().repository("https://github.com/acme/app").mint();
      try (OidcEcrAuthenticator auth = OidcEcrAuthenticator.builder()
          .roleArn(workload.roleArn("ci"))          // a role of the workload account
          .registry(central.registryHost())         // the central account's registry
          .tokenSource(TokenSource.of(token))
          .endpoint(aws.endpoint())
          .build()) {
        DockerAuth login = auth.authenticate();
        // Both sides allow: the role's managed policy and the repository policy.
        assertThat(pullManifest(aws, login)).isEqualTo(200);

        try (EcrClient ecr = central.configure(EcrClient.builder()).build()) {
          ecr.deleteRepositoryPolicy(r -> r.repositoryName("acme/app"));
        }
        assertThat(pullManifest(aws, login)).isEqualTo(403);
        assertThat(aws.lastDenial().orElseThrow().explanation())
            .contains("refused by the resource policy of " + central.repositoryArn("acme/app"));
      }
    }
    // end::several-accounts[]
  }

  /** GETs the {@code v1} manifest from the fake's registry as an image tool would. */
  static int pullManifest(FakeAws aws, DockerAuth login)
      throws IOException, InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(
            URI.create("http://" + aws.registryAddress() + "/v2/acme/app/manifests/v1"))
        .header("Authorization", login.authorizationHeader())
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .timeout(Duration.ofSeconds(10)).build();
    return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void chainedRole_isCappedAtOneHour_andItsTrustNamesTheCaller() {
    // tag::role-chaining[]
    try (FakeAws aws = FakeAws.builder().build().start();
        IamClient iam = aws.configure(IamClient.builder()).build()) {
      iam.createOpenIDConnectProvider(r -> r.url(aws.issuer().issuer())
          .clientIDList("sts.amazonaws.com"));
      iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(TrustPolicy.builder()
          .issuer(aws.issuer().issuer()).account(aws.accountId())
          .repository("https://github.com/acme/app").build().toJson()));
      iam.putRolePolicy(r -> r.roleName("ci").policyName("chain").policyDocument("""
          {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "sts:AssumeRole", "Resource": "%s"}]}""".formatted(aws.roleArn("deployer"))));
      iam.createRole(r -> r.roleName("deployer").maxSessionDuration(43200)
          .assumeRolePolicyDocument("""
              {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "%s"}, "Action": "sts:AssumeRole"}]}"""
              .formatted(aws.roleArn("ci"))));
      iam.putRolePolicy(r -> r.roleName("deployer").policyName("push").policyDocument(
          PermissionPolicy.builder().repositoryArn(aws.repositoryArn("acme/app")).allowPush()
              .build().toJson()));

      String token = aws.issuer().token().repository("https://github.com/acme/app").mint();
      try (StsClient anonymous = StsClient.builder().endpointOverride(aws.endpoint())
              .region(Region.of(aws.region()))
              .credentialsProvider(AnonymousCredentialsProvider.create())
              .build()) {
        var ci = anonymous.assumeRoleWithWebIdentity(r -> r.roleArn(aws.roleArn("ci"))
            .roleSessionName("job-1").webIdentityToken(token)).credentials();
        try (StsClient asCi = StsClient.builder().endpointOverride(aws.endpoint())
            .region(Region.of(aws.region()))
            .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                ci.accessKeyId(), ci.secretAccessKey(), ci.sessionToken())))
            .build()) {
          AssumeRoleResponse deployer = asCi.assumeRole(r -> r
              .roleArn(aws.roleArn("deployer")).roleSessionName("deploy-1"));
          // Role chaining: AWS caps the chained session at one hour, whatever the role allows.
          assertThat(Duration.between(aws.clock().instant(),
              deployer.credentials().expiration())).isLessThanOrEqualTo(Duration.ofHours(1));
          assertThat(deployer.assumedRoleUser().arn()).isEqualTo(
              "arn:aws:sts::" + aws.accountId() + ":assumed-role/deployer/deploy-1");
        }
      }
    }
    // end::role-chaining[]
  }
}
