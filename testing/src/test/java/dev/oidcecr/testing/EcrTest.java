package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.InvalidParameterException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotEmptyException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryPolicyNotFoundException;
import software.amazon.awssdk.services.sts.model.Credentials;

class EcrTest extends SharedFakeTest {

  @Test
  void getAuthorizationToken_admin_returnsBasicTokenFor12Hours() {
    AuthorizationData d = clients.adminEcr.getAuthorizationToken().authorizationData().get(0);
    String decoded = new String(Base64.getDecoder().decode(d.authorizationToken()),
        StandardCharsets.UTF_8);
    assertThat(decoded).startsWith("AWS:").hasSizeGreaterThan(40);
    assertThat(d.proxyEndpoint()).isEqualTo("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    assertThat(Duration.between(Instant.now(), d.expiresAt()))
        .isBetween(Duration.ofHours(12).minusMinutes(1), Duration.ofHours(12).plusMinutes(1));
  }

  @Test
  @SuppressWarnings("deprecation") // registryIds is deprecated in the model, still sent by tools
  void getAuthorizationToken_registryIds_oneEntryEach() {
    assertThat(clients.adminEcr.getAuthorizationToken(r -> r.registryIds("123456789012",
        "210987654321")).authorizationData()).extracting(AuthorizationData::proxyEndpoint)
        .containsExactly("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "https://210987654321.dkr.ecr.eu-west-1.amazonaws.com");
  }

  @Test
  void repository_createDescribeDelete_roundTrips() {
    Repository created = clients.adminEcr.createRepository(r -> r.repositoryName("team/app"))
        .repository();
    assertThat(created.repositoryArn())
        .isEqualTo("arn:aws:ecr:eu-west-1:123456789012:repository/team/app");
    assertThat(created.repositoryUri())
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app");
    assertThat(created.registryId()).isEqualTo("123456789012");
    assertThat(created.createdAt()).isNotNull();

    assertThat(clients.adminEcr.describeRepositories(r -> r.repositoryNames("team/app"))
        .repositories()).extracting(Repository::repositoryName).containsExactly("team/app");
    assertThat(clients.adminEcr.describeRepositories().repositories()).hasSize(1);

    clients.adminEcr.deleteRepository(r -> r.repositoryName("team/app"));
    assertThat(clients.adminEcr.describeRepositories().repositories()).isEmpty();
  }

  @Test
  void repository_duplicate_alreadyExists() {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    Throwable t = catchThrowable(() -> clients.adminEcr.createRepository(
        r -> r.repositoryName("app")));
    assertAws(t, RepositoryAlreadyExistsException.class, "RepositoryAlreadyExistsException", 400,
        "The repository with name 'app' already exists");
  }

  @Test
  void repository_missing_notFound() {
    Throwable t = catchThrowable(() -> clients.adminEcr.describeRepositories(
        r -> r.repositoryNames("missing")));
    assertAws(t, RepositoryNotFoundException.class, "RepositoryNotFoundException", 400,
        "The repository with name 'missing' does not exist in the registry with id "
            + "'123456789012'");
  }

  @Test
  void repository_upperCaseName_invalidParameter() {
    Throwable t = catchThrowable(() -> clients.adminEcr.createRepository(
        r -> r.repositoryName("App")));
    assertAws(t, InvalidParameterException.class, "InvalidParameterException", 400,
        "repositoryName");
  }

  @Test
  void repository_withImages_notEmptyUnlessForced() {
    fake.seedImage("app", "latest");
    Throwable t = catchThrowable(() -> clients.adminEcr.deleteRepository(
        r -> r.repositoryName("app")));
    assertAws(t, RepositoryNotEmptyException.class, "RepositoryNotEmptyException", 400,
        "still contains images");
    clients.adminEcr.deleteRepository(r -> r.repositoryName("app").force(true));
  }

  @Test
  void repositoryPolicy_setGetDelete_roundTrips() {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    String policy = Fixtures.repositoryPolicy("210987654321");
    assertThat(clients.adminEcr.setRepositoryPolicy(r -> r.repositoryName("app")
        .policyText(policy)).policyText()).isEqualTo(policy);
    assertThat(clients.adminEcr.getRepositoryPolicy(r -> r.repositoryName("app")).policyText())
        .isEqualTo(policy);
    assertThat(clients.adminEcr.deleteRepositoryPolicy(r -> r.repositoryName("app"))
        .policyText()).isEqualTo(policy);

    Throwable t = catchThrowable(() -> clients.adminEcr.getRepositoryPolicy(
        r -> r.repositoryName("app")));
    assertAws(t, RepositoryPolicyNotFoundException.class, "RepositoryPolicyNotFoundException",
        400, "Repository policy does not exist for the repository with name 'app'");
  }

  @Test
  void repositoryPolicy_withResource_invalidParameter() {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    String withResource = Fixtures.repositoryPolicy("210987654321").replace(
        "\"Sid\": \"PullFromAccount\",", "\"Sid\": \"PullFromAccount\", \"Resource\": \"*\",");
    Throwable t = catchThrowable(() -> clients.adminEcr.setRepositoryPolicy(
        r -> r.repositoryName("app").policyText(withResource)));
    assertAws(t, InvalidParameterException.class, "InvalidParameterException", 400,
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository "
            + "policy provided'");
  }

  @Test
  void repositoryPolicy_notJson_invalidParameter() {
    clients.adminEcr.createRepository(r -> r.repositoryName("app"));
    Throwable t = catchThrowable(() -> clients.adminEcr.setRepositoryPolicy(
        r -> r.repositoryName("app").policyText("{")));
    assertAws(t, InvalidParameterException.class, "InvalidParameterException", 400,
        "Invalid repository policy provided");
  }

  @Test
  void batchGetImage_seeded_returnsManifestAndFailures() {
    String digest = fake.seedImage("app", "v1");
    BatchGetImageResponse r = clients.adminEcr.batchGetImage(b -> b.repositoryName("app")
        .imageIds(ImageIdentifier.builder().imageTag("v1").build(),
            ImageIdentifier.builder().imageTag("v2").build()));
    assertThat(r.images()).hasSize(1);
    assertThat(r.images().get(0).imageId().imageDigest()).isEqualTo(digest).startsWith("sha256:");
    assertThat(r.images().get(0).imageManifest()).contains("schemaVersion");
    assertThat(r.failures()).hasSize(1);
    assertThat(r.failures().get(0).failureCodeAsString()).isEqualTo("ImageNotFound");
    assertThat(r.failures().get(0).imageId().imageTag()).isEqualTo("v2");
  }

  @Test
  void call_unknownAccessKey_unrecognizedClient() {
    try (EcrClient ecr = clients.ecr(StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIAUNKNOWN000000000", "x")))) {
      Throwable t = catchThrowable(ecr::getAuthorizationToken);
      assertAws(t, EcrException.class, "UnrecognizedClientException", 400,
          "The security token included in the request is invalid.");
    }
  }

  @Test
  void call_wrongSessionToken_unrecognizedClient() {
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(StaticCredentialsProvider.create(
        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), "forged")))) {
      Throwable t = catchThrowable(ecr::getAuthorizationToken);
      assertAws(t, EcrException.class, "UnrecognizedClientException", 400, "invalid");
    }
  }

  @Test
  void call_sessionWithWrongSecret_invalidSignature() {
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(StaticCredentialsProvider.create(
        AwsSessionCredentials.create(c.accessKeyId(), "x" + c.secretAccessKey(),
            c.sessionToken())))) {
      Throwable t = catchThrowable(ecr::getAuthorizationToken);
      assertAws(t, EcrException.class, "InvalidSignatureException", 400,
          "The request signature we calculated does not match");
    }
  }

  @Test
  void call_expiredSession_expiredTokenException() {
    MutableClock clock = new MutableClock(Instant.now());
    try (FakeAws timed = FakeAws.builder().clock(clock).build().start();
        Clients c = new Clients(timed)) {
      Credentials creds = session(timed, c);
      clock.advance(Duration.ofHours(2));
      try (EcrClient ecr = c.ecr(Clients.session(creds))) {
        Throwable t = catchThrowable(ecr::getAuthorizationToken);
        assertAws(t, EcrException.class, "ExpiredTokenException", 400, "expired");
      }
    }
  }

  @Test
  void getAuthorizationToken_roleWithoutPermission_accessDenied() {
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      Throwable t = catchThrowable(ecr::getAuthorizationToken);
      assertAws(t, EcrException.class, "AccessDeniedException", 400,
          "User: arn:aws:sts::123456789012:assumed-role/ci/ws-1 is not authorized to perform: "
              + "ecr:GetAuthorizationToken on resource: *");
    }
    assertThat(fake.lastDenial().orElseThrow().action()).isEqualTo("ecr:GetAuthorizationToken");
  }

  @Test
  void batchGetImage_roleWithPullPolicy_allowed_otherRepositoryDenied() {
    fake.seedImage("app", "v1");
    fake.seedImage("secret", "v1");
    ensureRole(fake, clients);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "app")));
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      assertThat(ecr.batchGetImage(b -> b.repositoryName("app")
          .imageIds(ImageIdentifier.builder().imageTag("v1").build())).images()).hasSize(1);
      Throwable t = catchThrowable(() -> ecr.batchGetImage(b -> b.repositoryName("secret")
          .imageIds(ImageIdentifier.builder().imageTag("v1").build())));
      assertAws(t, EcrException.class, "AccessDeniedException", 400,
          "is not authorized to perform: ecr:BatchGetImage on resource: "
              + "arn:aws:ecr:eu-west-1:123456789012:repository/secret");
    }
  }

  @Test
  void batchGetImage_repositoryPolicyAloneAllowsSameAccount() {
    fake.seedImage("app", "v1");
    clients.adminEcr.setRepositoryPolicy(r -> r.repositoryName("app")
        .policyText(Fixtures.repositoryPolicy(fake.accountId())));
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      assertThat(ecr.batchGetImage(b -> b.repositoryName("app")
          .imageIds(ImageIdentifier.builder().imageTag("v1").build())).images()).hasSize(1);
    }
  }

  @Test
  void batchGetImage_explicitDenyInRepositoryPolicy_beatsIdentityAllow() {
    fake.seedImage("app", "v1");
    ensureRole(fake, clients);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "app")));
    clients.adminEcr.setRepositoryPolicy(r -> r.repositoryName("app").policyText(
        Fixtures.repositoryPolicy(fake.accountId()).replace("\"Allow\"", "\"Deny\"")));
    Credentials c = session(fake, clients);
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      Throwable t = catchThrowable(() -> ecr.batchGetImage(b -> b.repositoryName("app")
          .imageIds(ImageIdentifier.builder().imageTag("v1").build())));
      assertAws(t, EcrException.class, "AccessDeniedException", 400, "explicit deny");
    }
  }

  static void ensureRole(FakeAws fake, Clients clients) {
    try {
      clients.iam.getRole(r -> r.roleName("ci"));
    } catch (AwsServiceException e) {
      Fixtures.providerAndRole(fake, clients.iam, 3600);
    }
  }

  /** Creates provider and role {@code ci} and returns a session of it. */
  static Credentials session(FakeAws fake, Clients clients) {
    ensureRole(fake, clients);
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
        .roleSessionName("ws-1").webIdentityToken(fake.issuer().mint(Fixtures.APP)))
        .credentials();
  }
}
