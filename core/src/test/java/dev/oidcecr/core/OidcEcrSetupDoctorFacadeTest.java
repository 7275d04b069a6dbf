package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.DoctorFinding.Status;
import dev.oidcecr.testing.FakeAws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JShell facade's {@code setup} and {@code doctor} against the fake. */
class OidcEcrSetupDoctorFacadeTest {
  static FakeAws aws;
  static AwsClients clients;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    aws = FakeAws.builder().build().start();
    clients = new AwsClients(aws);
  }

  @AfterAll
  static void stop() {
    clients.close();
    aws.close();
  }

  @BeforeEach
  void emptyAccount() {
    aws.reset();
    clients.ecr.createRepository(r -> r.repositoryName("acme/app"));
  }

  AwsSetup setup() {
    return OidcEcr.setup(b -> b.iamClient(clients.iam).ecrClient(clients.ecr)
        .accountId(aws.accountId()).issuerUrl(aws.issuer().issuer()).roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app").repositories("acme/app"));
  }

  @Test
  void setup_plansAndApplies_andTheValuesPrintTheirRendering() {
    AwsSetup setup = setup();

    SetupPlan plan = setup.plan();
    SetupResult result = setup.apply();

    assertThat(plan.toString()).isEqualTo(plan.render()).contains("CREATE_ROLE", "+ ");
    assertThat(result.toString()).isEqualTo(result.render())
        .contains("Applied 3 changes", "Next steps", "oidc-ecr login --role-arn");
    assertThat(setup().plan().isEmpty()).isTrue();
  }

  @Test
  void doctor_withConsumer_runsTheConfiguredDoctor() {
    String roleArn = setup().apply().roleArn();
    String token = aws.issuer().mint("https://github.com/acme/other");

    DoctorReport report = OidcEcr.doctor(d -> d.token(token).roleArn(roleArn)
        .registry(aws.registryHost()).iamClient(clients.iam));

    assertThat(report.ok()).isFalse();
    assertThat(report.finding(Doctor.TRUST_POLICY).orElseThrow().status())
        .isEqualTo(Status.FAIL);
    assertThat(report.toString()).isEqualTo(report.render())
        .contains("sub=https://github.com/acme/other").doesNotContain(token);
  }

  @Test
  void doctor_withRoleAndImage_usesTheEnvironmentForTokenCredentialsAndGitpodYml()
      throws Exception {
    String roleArn = setup().apply().roleArn();
    Path token = Files.writeString(dir.resolve("token"),
        aws.issuer().mint("https://github.com/acme/app"));
    Files.writeString(dir.resolve(".gitpod.yml"), "image: " + aws.registryHost()
        + "/acme/app:latest\n");
    Map<String, String> env = Map.of(
        "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
        "AWS_ACCESS_KEY_ID", aws.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", aws.secretAccessKey(),
        "AWS_ENDPOINT_URL", aws.endpoint().toString());

    DoctorReport report = OidcEcr.doctor(roleArn, aws.registryHost() + "/acme/app:latest",
        env, dir);

    assertThat(report.ok()).as(report.render()).isTrue();
    assertThat(report.findings()).filteredOn(f -> !f.id().equals(Doctor.REPOSITORY_POLICY)
            && !f.id().equals(Doctor.LOGIN))
        .extracting(DoctorFinding::status).containsOnly(Status.PASS);
    assertThat(report.finding(Doctor.GITPOD_YML).orElseThrow().status())
        .isEqualTo(Status.PASS);
  }
}
