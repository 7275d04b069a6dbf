package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential helper's disk cache against the fake, through the public API, one "process"
 * (a fresh authenticator, in-memory cache and disk cache object) per call as Docker runs the
 * helper: an entry is served only to the caller whose current token it is bound to.
 */
class CredentialCacheBindingTest {
  private static final MutableClock CLOCK = new MutableClock(Instant.now());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeAws fake;
  private static AwsFixture aws;

  @TempDir Path dir;
  private Path tokenFile;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().clock(CLOCK).build().start();
    aws = new AwsFixture(fake);
  }

  @AfterAll
  static void stop() {
    aws.close();
    fake.close();
  }

  @BeforeEach
  void setUp() throws IOException {
    aws.setUp();
    tokenFile = Files.writeString(dir.resolve("token"), aws.allowedToken() + "\n");
  }

  /** One helper process: its own authenticator (and in-memory cache) and disk cache object. */
  private DockerAuth process(String roleArn, URI endpoint) {
    CredentialCache cache = CredentialCache.at(dir.resolve("cache"), CLOCK);
    try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder()
        .roleArn(roleArn)
        .registry(aws.registry())
        .tokenSource(TokenSource.fromFile(tokenFile))
        .endpoint(endpoint)
        .clock(CLOCK)
        .build()) {
      return cache.authenticate(a, aws.registry());
    }
  }

  private DockerAuth process() {
    return process(aws.roleArn(), fake.endpoint());
  }

  @Test
  void dockerRunningTheHelperTwice_secondAnswerComesFromDisk() throws IOException {
    for (int i = 0; i < 2; i++) {
      CredentialHelper helper = CredentialHelper.of(r -> Optional.of(process()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = helper.run(List.of("get"), new ByteArrayInputStream(
          aws.registry().host().getBytes(StandardCharsets.UTF_8)), out);
      assertThat(code).isZero();
      assertThat(JSON.readTree(out.toByteArray()).get("Username").asText()).isEqualTo("AWS");
    }
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
    assertThat(aws.calls("GetAuthorizationToken")).isEqualTo(1);
  }

  @Test
  void tokenOfAnotherSubject_getsStsRefusal_neverTheEntry() throws IOException {
    DockerAuth cached = process();
    // The next job on this runner is another repository's.
    Files.writeString(tokenFile,
        fake.issuer().token().repository("https://github.com/acme/website").mint());
    StsAuthenticationException e =
        catchThrowableOfType(StsAuthenticationException.class, this::process);
    assertThat(e).isNotNull();
    assertThat(e.awsErrorCode()).contains("AccessDenied");
    assertThat(e.getMessage()).doesNotContain(cached.password());
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
  }

  @Test
  void missingTokenFile_getsNoEntry() throws IOException {
    process();
    Files.delete(tokenFile);
    TokenSourceException e = catchThrowableOfType(TokenSourceException.class, this::process);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains(tokenFile.toString()).contains("does not exist");
  }

  @Test
  void expiredToken_getsStsRefusal_neverTheEntry() throws IOException {
    process();
    Files.writeString(tokenFile, fake.issuer().token().repository(AwsFixture.ALLOWED_REPO_URL)
        .workspaceId("acme-app-0a1b2c3d").expired().mint());
    StsAuthenticationException e =
        catchThrowableOfType(StsAuthenticationException.class, this::process);
    assertThat(e).isNotNull();
    assertThat(e.awsErrorCode()).contains("ExpiredTokenException");
  }

  @Test
  void newTokenOfTheSameCaller_isServedFromDisk() throws IOException {
    DockerAuth first = process();
    CLOCK.advance(java.time.Duration.ofMinutes(50));
    Files.writeString(tokenFile, aws.allowedToken());
    assertThat(process().password()).isEqualTo(first.password());
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
  }

  @Test
  void otherEndpoint_neverUsesTheEntry() {
    try (FakeAws second = FakeAws.builder().clock(CLOCK).issuer(fake.issuer()).build().start();
        AwsFixture secondAws = new AwsFixture(second)) {
      secondAws.setUp();
      DockerAuth fromFirst = process();
      DockerAuth fromSecond = process(aws.roleArn(), second.endpoint());
      assertThat(fromSecond.password()).isNotEqualTo(fromFirst.password());
      assertThat(secondAws.calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
      // And back: the entry now belongs to the second endpoint, so the first asks again.
      process();
      assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
    }
  }

  @Test
  void otherRole_neverUsesTheEntry() {
    aws.iam.createRole(r -> r.roleName("other-pull")
        .assumeRolePolicyDocument(aws.trustPolicy().toJson()));
    aws.iam.putRolePolicy(r -> r.roleName("other-pull").policyName("ecr-pull")
        .policyDocument(aws.permissionPolicy().toJson()));
    DockerAuth mine = process();
    DockerAuth other = process(fake.roleArn("other-pull"), fake.endpoint());
    assertThat(other.password()).isNotEqualTo(mine.password());
    assertThat(aws.calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
  }
}
