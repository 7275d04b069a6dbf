package dev.oidcecr.core;

import dev.oidcecr.testing.FakeAws;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Real SDK clients with the fake's admin credentials, over the URL-connection client. */
final class AwsClients implements AutoCloseable {
  private final FakeAws fake;
  private final SdkHttpClient http = UrlConnectionHttpClient.create();
  final IamClient iam;
  final EcrClient ecr;
  final StsClient anonymousSts;

  AwsClients(FakeAws fake) {
    this.fake = fake;
    this.iam = IamClient.builder().endpointOverride(fake.endpoint()).region(Region.AWS_GLOBAL)
        .httpClient(http).credentialsProvider(admin()).build();
    this.ecr = ecr(admin());
    this.anonymousSts = StsClient.builder().endpointOverride(fake.endpoint())
        .region(Region.of(fake.region())).httpClient(http)
        .credentialsProvider(AnonymousCredentialsProvider.create()).build();
  }

  AwsCredentialsProvider admin() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
  }

  EcrClient ecr(AwsCredentialsProvider credentials) {
    return EcrClient.builder().endpointOverride(fake.endpoint()).region(Region.of(fake.region()))
        .httpClient(http).credentialsProvider(credentials).build();
  }

  /**
   * Does what a workspace does: exchanges the token at STS, then asks ECR for a Docker login
   * with the session; returns the registry's proxy endpoint.
   */
  String login(String roleArn, String token) {
    Credentials c = anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(roleArn)
        .roleSessionName("doctor-test").webIdentityToken(token)).credentials();
    try (EcrClient session = ecr(StaticCredentialsProvider.create(AwsSessionCredentials.create(
        c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))) {
      return session.getAuthorizationToken().authorizationData().get(0).proxyEndpoint();
    }
  }

  @Override
  public void close() {
    iam.close();
    ecr.close();
    anonymousSts.close();
    http.close();
  }
}
