package dev.oidcecr.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.CredentialHelper;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.Doctor;
import dev.oidcecr.core.DoctorFinding;
import dev.oidcecr.core.DoctorReport;
import dev.oidcecr.core.MissingCredentialsException;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Lifecycle of the objects that talk to AWS, through the public API only (this package is
 * outside {@code dev.oidcecr.core}) with real SDK clients against {@link FakeAws}: a built object
 * does not change when its builder does, a closed object refuses and makes no call, close is
 * idempotent, and build() makes no call.
 */
class LifecycleTest {
  private static final String REPO_URL = "https://github.com/acme/app";
  private static final URI NOWHERE = URI.create("http://127.0.0.1:9");

  private static FakeAws fake;
  private static IamClient iam;
  private static EcrClient ecr;
  private long setUpCalls;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
    iam = fake.configure(IamClient.builder()).build();
    ecr = EcrClient.builder().applyMutation(fake::configure).build();
  }

  @AfterAll
  static void stop() {
    iam.close();
    ecr.close();
    fake.close();
  }

  @BeforeEach
  void setUp() {
    fake.reset();
    iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    for (String role : List.of("pull", "other")) {
      iam.createRole(r -> r.roleName(role).assumeRolePolicyDocument(TrustPolicy.builder()
          .issuer(fake.issuer().issuer()).account(fake.accountId()).repository(REPO_URL)
          .build().toJson()));
      iam.putRolePolicy(r -> r.roleName(role).policyName("pull").policyDocument(
          PermissionPolicy.builder().repository(fake.accountId(), fake.region(), "acme/app")
              .build().toJson()));
    }
    ecr.createRepository(r -> r.repositoryName("acme/app"));
    setUpCalls = fake.requests().size();
  }

  private TokenSource token() {
    return TokenSource.of(fake.issuer().token().repository(REPO_URL).mint());
  }

  /** Calls made since the set-up. */
  private long calls() {
    return fake.requests().size() - setUpCalls;
  }

  private long calls(String operation) {
    return fake.requests().stream().skip(setUpCalls)
        .filter(c -> c.operation().equals(operation)).count();
  }

  @Test
  void authenticator_builderChangedAfterBuild_keepsBuiltConfiguration() {
    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder()
        .roleArn(fake.roleArn("pull"))
        .registry(fake.registryHost())
        .tokenSource(token())
        .endpoint(fake.endpoint());
    try (OidcEcrAuthenticator auth = b.build()) {
      b.endpoint(NOWHERE).roleArn(fake.roleArn("other")).registry("210987654321.dkr.ecr"
          + ".us-east-1.amazonaws.com");

      DockerAuth login = auth.authenticate();

      assertThat(login.registryHost()).isEqualTo(fake.registryHost());
      assertThat(auth.roleArn()).isEqualTo(fake.roleArn("pull"));
      assertThat(calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
    }
  }

  @Test
  void authenticator_builtTwiceWithAccountAndRegion_secondBuildSeesTheNewAccount() {
    OidcEcrAuthenticator.Builder b = OidcEcrAuthenticator.builder()
        .roleArn(fake.roleArn("pull")).tokenSource(token())
        .accountId(fake.accountId()).region(fake.region());
    try (OidcEcrAuthenticator first = b.build();
        OidcEcrAuthenticator second = b.accountId("210987654321").build()) {
      assertThat(first.registry().accountId()).isEqualTo(fake.accountId());
      assertThat(second.registry().accountId()).isEqualTo("210987654321");
    }
  }

  @Test
  void authenticator_afterClose_throwsNamingItAndMakesNoCall() {
    OidcEcrAuthenticator auth = OidcEcrAuthenticator.builder()
        .roleArn(fake.roleArn("pull")).registry(fake.registryHost()).tokenSource(token())
        .endpoint(fake.endpoint()).build();
    auth.close();

    assertThatThrownBy(auth::authenticate)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OidcEcrAuthenticator")
        .hasMessageContaining("closed")
        .hasMessageContaining(fake.roleArn("pull"));
    assertThatThrownBy(auth::credentialsProvider).isInstanceOf(IllegalStateException.class);
    assertThat(calls()).isZero();
    assertThatNoException().isThrownBy(auth::close);
  }

  @Test
  void authenticator_afterCloseWithACachedLogin_stillRefuses() {
    OidcEcrAuthenticator auth = OidcEcrAuthenticator.builder()
        .roleArn(fake.roleArn("pull")).registry(fake.registryHost()).tokenSource(token())
        .endpoint(fake.endpoint()).build();
    auth.authenticate();
    long before = calls();
    auth.close();
    auth.close();

    assertThatThrownBy(auth::authenticate).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(calls()).isEqualTo(before);
  }

  private AwsSetup.Builder setup() {
    return AwsSetup.builder()
        .endpoint(fake.endpoint()).region(fake.region())
        .credentialsProvider(fake.credentialsProvider())
        .issuerUrl(fake.issuer().issuer())
        .roleName("gitpod-ecr-pull")
        .allowRepository(REPO_URL)
        .repositories("acme/app");
  }

  @Test
  void setup_build_makesNoCall_andAsksStsForTheAccountAtFirstUse() {
    try (AwsSetup setup = setup().build()) {
      assertThat(calls()).isZero();

      assertThat(setup.roleArn()).isEqualTo(fake.roleArn("gitpod-ecr-pull"));
      assertThat(calls("GetCallerIdentity")).isEqualTo(1);
      setup.plan();
      assertThat(calls("GetCallerIdentity")).isEqualTo(1);
    }
  }

  @Test
  void setup_builderChangedAfterBuild_keepsBuiltConfiguration() {
    AwsSetup.Builder b = setup().accountId(fake.accountId());
    try (AwsSetup setup = b.build()) {
      b.roleName("changed").repositories("acme/other").allowRepository("https://github.com/x/y")
          .endpoint(NOWHERE);

      assertThat(setup.roleArn()).isEqualTo(fake.roleArn("gitpod-ecr-pull"));
      assertThat(setup.permissionPolicy().toJson()).doesNotContain("acme/other");
      assertThat(setup.trustPolicy().toJson()).doesNotContain("x/y");
      assertThat(setup.plan().changes()).isNotEmpty();
    }
  }

  @Test
  void setup_afterClose_throwsNamingItAndMakesNoCall() {
    AwsSetup setup = setup().accountId(fake.accountId()).build();
    setup.close();

    assertThatThrownBy(setup::plan).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AwsSetup").hasMessageContaining("closed");
    assertThatThrownBy(setup::apply).isInstanceOf(IllegalStateException.class);
    assertThat(calls()).isZero();
    assertThatNoException().isThrownBy(setup::close);
  }

  @Test
  void setup_closeLeavesGivenClientsOpen() {
    try (AwsSetup setup = AwsSetup.builder().iamClient(iam).ecrClient(ecr)
        .accountId(fake.accountId()).issuerUrl(fake.issuer().issuer()).roleName("r")
        .allowRepository(REPO_URL).repositories("acme/app").build()) {
      setup.plan();
    }
    assertThat(iam.getRole(r -> r.roleName("pull")).role().arn())
        .isEqualTo(fake.roleArn("pull"));
  }

  @Test
  void setup_withoutCredentials_throwsTypedExceptionWithTheJavaFix(@TempDir Path dir)
      throws Exception {
    Path empty = Files.writeString(dir.resolve("credentials"), "");
    ProfileCredentialsProvider none = ProfileCredentialsProvider.builder()
        .profileFile(ProfileFile.builder().content(empty)
            .type(ProfileFile.Type.CREDENTIALS).build())
        .profileName("missing").build();
    try (AwsSetup setup = setup().credentialsProvider(none).accountId(fake.accountId())
        .build()) {
      assertThatThrownBy(setup::plan)
          .isInstanceOf(MissingCredentialsException.class)
          .hasMessageContaining("credentialsProvider(")
          .hasMessageNotContaining("--");
    }
    assertThat(calls()).isZero();
  }

  private Doctor.Builder doctor() {
    return Doctor.builder()
        .token(fake.issuer().token().repository(REPO_URL).mint())
        .roleArn(fake.roleArn("pull"))
        .image(fake.registryHost() + "/acme/app:latest")
        .endpoint(fake.endpoint()).region(fake.region())
        .credentialsProvider(fake.credentialsProvider());
  }

  private static DoctorFinding.Status status(DoctorReport report, String id) {
    return report.findings().stream().filter(f -> f.id().equals(id)).findFirst()
        .orElseThrow().status();
  }

  @Test
  void doctor_withTheClientTrio_readsIamAndEcr() {
    try (Doctor doctor = doctor().build()) {
      DoctorReport report = doctor.run();

      assertThat(status(report, Doctor.PROVIDER)).isEqualTo(DoctorFinding.Status.PASS);
      assertThat(status(report, Doctor.TRUST_POLICY)).isEqualTo(DoctorFinding.Status.PASS);
      assertThat(status(report, Doctor.PERMISSION_POLICY)).isEqualTo(DoctorFinding.Status.PASS);
      assertThat(calls("ListOpenIDConnectProviders")).isEqualTo(1);
    }
  }

  @Test
  void doctor_builderChangedAfterBuild_keepsBuiltConfiguration_andRefusesAfterClose() {
    Doctor.Builder b = doctor();
    Doctor doctor = b.build();
    b.roleArn("arn:aws:iam::" + fake.accountId() + ":role/nobody").endpoint(NOWHERE);

    assertThat(status(doctor.run(), Doctor.TRUST_POLICY)).isEqualTo(DoctorFinding.Status.PASS);
    doctor.close();
    long before = calls();
    assertThatThrownBy(doctor::run).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Doctor").hasMessageContaining("closed");
    assertThat(calls()).isEqualTo(before);
    assertThatNoException().isThrownBy(doctor::close);
  }

  @Test
  void credentialHelper_builderChangedAfterBuild_keepsItsVersion() {
    CredentialHelper.Builder b = CredentialHelper.builder().credentials(r -> Optional.empty())
        .version("1.0");
    CredentialHelper helper = b.build();
    b.version("2.0");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    helper.run(List.of("version"), new ByteArrayInputStream(new byte[0]), out);

    assertThat(out.toString(StandardCharsets.UTF_8)).contains("1.0").doesNotContain("2.0");
  }
}
