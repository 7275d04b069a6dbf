package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.sts.model.StsException;

class StsTest extends SharedFakeTest {

  @BeforeEach
  void setUp() {
    Fixtures.providerAndRole(fake, clients.iam, 7200);
  }

  private AssumeRoleWithWebIdentityResponse assume(String token) {
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
        .roleSessionName("ws-1").webIdentityToken(token));
  }

  @Test
  void assume_withGitpodToken_returnsSessionLikeSts() {
    String token = fake.issuer().mint(Fixtures.APP);
    AssumeRoleWithWebIdentityResponse r = assume(token);

    assertThat(r.credentials().accessKeyId()).startsWith("ASIA").hasSize(20);
    assertThat(r.credentials().secretAccessKey()).hasSize(40);
    assertThat(r.credentials().sessionToken()).isNotBlank();
    assertThat(r.credentials().expiration())
        .isCloseTo(Instant.now().plusSeconds(3600), within(Duration.ofSeconds(10)));
    assertThat(r.subjectFromWebIdentityToken()).isEqualTo(Fixtures.APP);
    assertThat(r.audience()).isEqualTo("sts.amazonaws.com");
    assertThat(r.provider()).isEqualTo(fake.providerArn());
    assertThat(r.assumedRoleUser().arn())
        .isEqualTo("arn:aws:sts::123456789012:assumed-role/ci/ws-1");
    assertThat(r.assumedRoleUser().assumedRoleId()).startsWith("AROA").endsWith(":ws-1");
  }

  private static org.assertj.core.data.TemporalUnitOffset within(Duration d) {
    return new org.assertj.core.data.TemporalUnitWithinOffset(d.toSeconds(),
        java.time.temporal.ChronoUnit.SECONDS);
  }

  @Test
  void assume_withDuration_expiresThen() {
    AssumeRoleWithWebIdentityResponse r = clients.anonymousSts.assumeRoleWithWebIdentity(
        q -> q.roleArn(fake.roleArn("ci")).roleSessionName("ws-1").durationSeconds(7200)
            .webIdentityToken(fake.issuer().mint(Fixtures.APP)));
    assertThat(r.credentials().expiration())
        .isCloseTo(Instant.now().plusSeconds(7200), within(Duration.ofSeconds(10)));
  }

  @Test
  void assume_sessionNameTooShort_validationError() {
    Throwable t = catchSts(r -> r.roleSessionName("a"));
    assertAws(t, StsException.class, "ValidationError", 400, "roleSessionName");
  }

  @Test
  void assume_sessionNameWithSpace_validationError() {
    Throwable t = catchSts(r -> r.roleSessionName("my session"));
    assertAws(t, StsException.class, "ValidationError", 400, "regular expression pattern");
  }

  @Test
  void assume_sessionNameTooLong_validationError() {
    Throwable t = catchSts(r -> r.roleSessionName("x".repeat(65)));
    assertAws(t, StsException.class, "ValidationError", 400, "less than or equal to 64");
  }

  @Test
  void assume_durationBelow900_validationError() {
    Throwable t = catchSts(r -> r.durationSeconds(899));
    assertAws(t, StsException.class, "ValidationError", 400, "greater than or equal to 900");
  }

  @Test
  void assume_durationAbove43200_validationError() {
    Throwable t = catchSts(r -> r.durationSeconds(43201));
    assertAws(t, StsException.class, "ValidationError", 400, "less than or equal to 43200");
  }

  @Test
  void assume_missingRoleArn_validationError() {
    Throwable t = catchThrowable(() -> clients.anonymousSts.assumeRoleWithWebIdentity(
        r -> r.roleSessionName("ws-1").webIdentityToken(fake.issuer().mint(Fixtures.APP))));
    assertAws(t, StsException.class, "ValidationError", 400, "roleArn");
  }

  @Test
  void assume_notAJwt_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(FakeOidcIssuer.notAJwt()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "not a valid JWT");
  }

  @Test
  void assume_noProviderForIssuer_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().wrongIssuer().mint()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "No OpenIDConnect provider found in your account for "
            + "https://services.wrong-issuer.example/idp");
  }

  @Test
  void assume_wrongAudience_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().wrongAudience().mint()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "Incorrect token audience");
  }

  @Test
  void assume_unknownKid_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().unknownKid().mint()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "Couldn't retrieve verification key from your identity provider");
  }

  @Test
  void assume_badSignature_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().badSignature().mint()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "could not be validated");
  }

  @Test
  void assume_afterKeyRotation_oldTokenHasUnknownKey() {
    String old = fake.issuer().mint(Fixtures.APP);
    assume(old); // caches the first key
    fake.issuer().rotateKey();

    Throwable t = catchThrowable(() -> assume(old));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "Couldn't retrieve verification key");
    assertThat(assume(fake.issuer().mint(Fixtures.APP)).credentials()).isNotNull();
  }

  @Test
  void assume_issuerDown_idpCommunicationError() {
    FakeOidcIssuer other = FakeOidcIssuer.builder().issuer("https://services.other.example/idp")
        .build();
    try (FakeAws second = FakeAws.builder().issuer(other).build().start();
        Clients c = new Clients(second)) {
      Fixtures.providerAndRole(second, c.iam, 3600);
      String token = other.mint(Fixtures.APP);
      other.close();
      Throwable t = catchThrowable(() -> c.anonymousSts.assumeRoleWithWebIdentity(r -> r
          .roleArn(second.roleArn("ci")).roleSessionName("ws-1").webIdentityToken(token)));
      assertAws(t, IdpCommunicationErrorException.class, "IDPCommunicationError", 400,
          "could not be reached");
    }
  }

  @Test
  void assume_injectedIdpFault_idpCommunicationError() {
    fake.failNext("AssumeRoleWithWebIdentity", 1, "IDPCommunicationError", 400);
    Throwable t = catchThrowable(() -> assume(fake.issuer().mint(Fixtures.APP)));
    assertAws(t, IdpCommunicationErrorException.class, "IDPCommunicationError", 400, "Injected");
    assertThat(assume(fake.issuer().mint(Fixtures.APP)).credentials()).isNotNull();
  }

  @Test
  void assume_expiredToken_expiredTokenException() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().expired().mint()));
    assertAws(t, ExpiredTokenException.class, "ExpiredTokenException", 400, "Token expired");
  }

  @Test
  void assume_expiredWithinSkew_accepted() {
    String token = fake.issuer().token().issuedAt(Instant.now().minusSeconds(3800))
        .expiresAt(Instant.now().minusSeconds(200)).mint();
    assertThat(assume(token).credentials()).isNotNull();
  }

  @Test
  void assume_notYetValid_invalidIdentityToken() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().token().notYetValid().mint()));
    assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400, "before");
  }

  @Test
  void assume_roleMissing_accessDenied() {
    Throwable t = catchThrowable(() -> clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("nope")).roleSessionName("ws-1")
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))));
    assertAws(t, StsException.class, "AccessDenied", 403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    assertThat(fake.lastDenial().orElseThrow().explanation()).contains("does not exist");
  }

  @Test
  void assume_otherRepository_accessDeniedExplainedBySub() {
    Throwable t = catchThrowable(() -> assume(fake.issuer().mint("https://github.com/acme/other")));
    assertAws(t, StsException.class, "AccessDenied", 403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    Denial d = fake.lastDenial().orElseThrow();
    assertThat(d.action()).isEqualTo("sts:AssumeRoleWithWebIdentity");
    assertThat(d.explanation()).contains("services.gitpod.example.com/idp:sub")
        .contains("https://github.com/acme/other");
  }

  @Test
  void assume_durationOverRoleMaximum_validationError() {
    Throwable t = catchSts(r -> r.durationSeconds(7201));
    assertAws(t, StsException.class, "ValidationError", 400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }

  @Test
  void assume_sessionPolicyNotJson_malformedPolicyDocument() {
    Throwable t = catchSts(r -> r.policy("{not json"));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "policy");
  }

  @Test
  void assume_checksInStsOrder_parametersBeforeToken() {
    Throwable t = catchThrowable(() -> clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("ci")).roleSessionName("a")
        .webIdentityToken(FakeOidcIssuer.notAJwt())));
    assertAws(t, StsException.class, "ValidationError", 400, "roleSessionName");
  }

  @Test
  void getCallerIdentity_admin_returnsUser() {
    GetCallerIdentityResponse r = clients.adminSts.getCallerIdentity();
    assertThat(r.account()).isEqualTo("123456789012");
    assertThat(r.arn()).isEqualTo("arn:aws:iam::123456789012:user/fake-admin");
  }

  @Test
  void getCallerIdentity_session_returnsAssumedRole() {
    var creds = assume(fake.issuer().mint(Fixtures.APP)).credentials();
    try (var sts = clients.sts(Clients.session(creds))) {
      GetCallerIdentityResponse r = sts.getCallerIdentity();
      assertThat(r.arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/ci/ws-1");
      assertThat(r.userId()).startsWith("AROA").endsWith(":ws-1");
    }
  }

  @Test
  void getCallerIdentity_unknownKey_invalidClientTokenId() {
    var creds = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
            "AKIAUNKNOWN000000000", "secret"));
    try (var sts = clients.sts(creds)) {
      Throwable t = catchThrowable(sts::getCallerIdentity);
      assertAws(t, StsException.class, "InvalidClientTokenId", 403,
          "security token included in the request is invalid");
    }
  }

  @Test
  void getCallerIdentity_wrongSecret_signatureDoesNotMatch() {
    var creds = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
            fake.accessKeyId(), "wrong" + fake.secretAccessKey().substring(5)));
    try (var sts = clients.sts(creds)) {
      Throwable t = catchThrowable(sts::getCallerIdentity);
      assertAws(t, StsException.class, "SignatureDoesNotMatch", 403,
          "Check your AWS Secret Access Key");
    }
  }

  @Test
  void getCallerIdentity_wrongSecretWithoutSignatureCheck_accepted() {
    try (FakeAws lax = FakeAws.builder().verifySignatures(false).build().start();
        Clients c = new Clients(lax)) {
      var creds = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
          software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
              lax.accessKeyId(), "anything"));
      try (var sts = c.sts(creds)) {
        assertThat(sts.getCallerIdentity().account()).isEqualTo(lax.accountId());
      }
    }
  }

  @Test
  void getCallerIdentity_expiredSession_expiredToken() {
    MutableClock clock = new MutableClock(Instant.now());
    try (FakeAws timed = FakeAws.builder().clock(clock).build().start();
        Clients c = new Clients(timed)) {
      Fixtures.providerAndRole(timed, c.iam, 3600);
      var creds = c.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(timed.roleArn("ci"))
          .roleSessionName("ws-1").durationSeconds(900)
          .webIdentityToken(timed.issuer().mint(Fixtures.APP))).credentials();
      clock.advance(Duration.ofMinutes(16));
      try (var sts = c.sts(Clients.session(creds))) {
        Throwable t = catchThrowable(sts::getCallerIdentity);
        // GetCallerIdentity says ExpiredToken, which the SDK does not map to a subclass.
        assertAws(t, StsException.class, "ExpiredToken", 403, "expired");
      }
    }
  }

  private Throwable catchSts(
      java.util.function.Consumer<AssumeRoleWithWebIdentityRequest.Builder> tweak) {
    return catchThrowable(() -> clients.anonymousSts.assumeRoleWithWebIdentity(r -> {
      r.roleArn(fake.roleArn("ci")).roleSessionName("ws-1")
          .webIdentityToken(fake.issuer().mint(Fixtures.APP));
      tweak.accept(r);
    }));
  }

  private static Throwable catchThrowable(Runnable r) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(r::run);
    assertThat(t).as("the call should have failed").isNotNull();
    return t;
  }

  @SuppressWarnings("unused")
  private static void unused() {
    assertThatThrownBy(() -> { });
  }
}
