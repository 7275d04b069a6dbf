package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * STS sessions are bounded in memory and expire as AWS's do: the fake keeps a bounded cache,
 * a session dropped from it still works until it expires (its token carries it), and an
 * expired one is refused with ExpiredToken and forgotten.
 */
class SessionMemoryTest {
  @Test
  void sessions_boundedInMemory_workUntilExpiry_thenExpiredTokenAndDropped() {
    MutableClock clock = new MutableClock(Instant.now());
    try (FakeAws fake = FakeAws.builder().clock(clock).build().start();
        Clients clients = new Clients(fake)) {
      fake.sessionCacheLimit(3);
      Fixtures.providerAndRole(fake, clients.iam, 3600);
      List<Credentials> issued = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        String name = "ws-" + i;
        issued.add(clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
            .roleArn(fake.roleArn("ci")).roleSessionName(name).durationSeconds(900)
            .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials());
      }
      assertThat(fake.sessionsInMemory()).isLessThanOrEqualTo(3);

      for (int i = 0; i < issued.size(); i++) {
        try (StsClient sts = clients.sts(Clients.session(issued.get(i)))) {
          assertThat(sts.getCallerIdentity().arn()).endsWith("/ci/ws-" + i);
        }
      }
      // A forged token for a real access key is refused as unknown.
      Credentials first = issued.get(0);
      try (StsClient forged = clients.sts(StaticCredentialsProvider.create(
          AwsSessionCredentials.create(first.accessKeyId(), first.secretAccessKey(),
              first.sessionToken().substring(0, first.sessionToken().length() - 4) + "AAAA")))) {
        Throwable t = catchThrowable(forged::getCallerIdentity);
        assertThat(((StsException) t).awsErrorDetails().errorCode())
            .isEqualTo("InvalidClientTokenId");
      }

      clock.advance(Duration.ofMinutes(16));
      for (Credentials c : issued) {
        try (StsClient sts = clients.sts(Clients.session(c))) {
          Throwable t = catchThrowable(sts::getCallerIdentity);
          assertThat(t).isInstanceOf(StsException.class);
          assertThat(((StsException) t).awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
        }
      }
      assertThat(fake.sessionsInMemory()).isZero();
    }
  }
}
