package dev.oidcecr.testing.internal;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;

/**
 * The AWS SDK types behind {@code FakeAws.credentialsProvider()} and {@code configure(...)}, kept
 * out of {@code FakeAws} so that the fake loads without the SDK (it is optional, and absent
 * from the standalone jar).
 */
public final class SdkBridge {
  private SdkBridge() {}

  /** Returns static credentials with these keys. */
  public static AwsCredentialsProvider credentials(String accessKeyId, String secretAccessKey) {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(accessKeyId, secretAccessKey));
  }

  /** Sets the endpoint, region and credentials of a client builder. */
  public static <B extends AwsClientBuilder<B, ?>> B configure(B builder, URI endpoint,
      String region, AwsCredentialsProvider credentials) {
    return builder.endpointOverride(endpoint).region(Region.of(region))
        .credentialsProvider(credentials);
  }
}
