package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.RecordedCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;

/**
 * {@link OidcEcrAuthenticator#credentialsProvider()} with the real SDK provider against the fake:
 * a refresh after the first token expired must send a new token, not the one the first request
 * was built with.
 */
class CredentialsProviderRefreshTest {

  @Test
  void credentialsProvider_refreshAfterTheFirstTokenExpired_sendsAFreshToken() throws Exception {
    // The fake's clock runs two hours behind, so the first session it issues has already
    // expired for the SDK (which reads the real clock) and the next resolve must refresh.
    MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofHours(2)));
    try (FakeAws fake = FakeAws.builder().clock(clock).build().start();
        AwsFixture aws = new AwsFixture(fake)) {
      aws.setUp();
      List<WebIdentityToken> minted = new CopyOnWriteArrayList<>();
      TokenSource tokens = () -> {
        WebIdentityToken t = WebIdentityToken.parse(aws.allowedToken());
        minted.add(t);
        return Optional.of(t);
      };
      try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder()
              .roleArn(aws.roleArn()).registry(aws.registry()).tokenSource(tokens)
              .endpoint(fake.endpoint()).clock(clock).environment(java.util.Map.of()).build();
          StsAssumeRoleWithWebIdentityCredentialsProvider provider = a.credentialsProvider()) {
        AwsCredentials first = provider.resolveCredentials();
        assertThat(minted).hasSize(1);

        // The first token is now past its expiry (and the five minutes of skew) for STS.
        clock.advance(Duration.ofMinutes(70));
        assertThat(minted.get(0).expiresAt().plus(Duration.ofMinutes(5)))
            .isBefore(clock.instant());
        // The SDK keeps a value that was stale on arrival for one second.
        Thread.sleep(1_100);
        AwsCredentials second = provider.resolveCredentials();

        assertThat(minted).hasSize(2);
        assertThat(minted.get(1).value()).isNotEqualTo(minted.get(0).value());
        assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
        List<RecordedCall> calls = fake.requests().stream()
            .filter(c -> c.operation().equals("AssumeRoleWithWebIdentity")).toList();
        assertThat(calls).hasSize(2).allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
      }
    }
  }
}
