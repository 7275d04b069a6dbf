package dev.oidcecr.testing;

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

/** Real SDK v2 clients pointed at a fake, with the URL-connection HTTP client. */
final class Clients implements AutoCloseable {
  private final FakeAws fake;
  private final SdkHttpClient http = UrlConnectionHttpClient.create();
  final StsClient anonymousSts;
  final StsClient adminSts;
  final IamClient iam;
  final EcrClient adminEcr;

  Clients(FakeAws fake) {
    this.fake = fake;
    this.anonymousSts = sts(AnonymousCredentialsProvider.create());
    this.adminSts = sts(admin());
    this.iam = IamClient.builder().endpointOverride(fake.endpoint()).region(Region.AWS_GLOBAL)
        .httpClient(http).credentialsProvider(admin()).build();
    this.adminEcr = ecr(admin());
  }

  AwsCredentialsProvider admin() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
  }

  static AwsCredentialsProvider session(Credentials c) {
    return StaticCredentialsProvider.create(AwsSessionCredentials.create(
        c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
  }

  StsClient sts(AwsCredentialsProvider credentials) {
    return StsClient.builder().endpointOverride(fake.endpoint()).region(Region.of(fake.region()))
        .httpClient(http).credentialsProvider(credentials).build();
  }

  EcrClient ecr(AwsCredentialsProvider credentials) {
    return EcrClient.builder().endpointOverride(fake.endpoint()).region(Region.of(fake.region()))
        .httpClient(http).credentialsProvider(credentials).build();
  }

  @Override
  public void close() {
    anonymousSts.close();
    adminSts.close();
    iam.close();
    adminEcr.close();
    http.close();
  }
}
