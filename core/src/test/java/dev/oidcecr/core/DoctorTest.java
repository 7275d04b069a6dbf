package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.DoctorFinding.Status;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {
  static final String ROLE = "gitpod-ecr-pull";
  static FakeAws aws;
  static AwsClients clients;
  String roleArn;
  String image;
  @TempDir Path repo;

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
  void setUpAws() {
    aws.reset();
    clients.ecr.createRepository(r -> r.repositoryName("acme/app"));
    clients.ecr.createRepository(r -> r.repositoryName("acme/other"));
    aws.seedImage("acme/app", "latest");
    roleArn = AwsSetup.builder().iamClient(clients.iam).ecrClient(clients.ecr)
        .accountId(aws.accountId()).issuerUrl(aws.issuer().issuer()).roleName(ROLE)
        .allowRepository("https://github.com/acme/app").repositories("acme/app")
        .build().apply().roleArn();
    image = aws.registryHost() + "/acme/app:latest";
  }

  String token(String repositoryUrl) {
    return aws.issuer().token().repository(repositoryUrl).mint();
  }

  Doctor.Builder doctor(String token) {
    return Doctor.builder()
        .token(token)
        .roleArn(roleArn)
        .image(image)
        .iamClient(clients.iam)
        .ecrClient(clients.ecr);
  }

  static void assertFails(DoctorReport report, String id, String... reasonParts) {
    assertThat(report.ok()).isFalse();
    assertThat(report.finding(id)).hasValueSatisfying(f -> {
      assertThat(f.status()).isEqualTo(Status.FAIL);
      assertThat(f.reason()).contains(reasonParts);
      assertThat(f.fix()).isPresent();
    });
    assertThat(report.render()).contains("[FAIL   ] " + id + ":");
  }

  @Test
  void run_whenEverythingIsRight_passesEveryLinkAndLogsIn() throws IOException {
    Files.writeString(repo.resolve(".gitpod.yml"), "image:\n  file: .gitpod.Dockerfile\n");
    Files.writeString(repo.resolve(".gitpod.Dockerfile"),
        "FROM --platform=linux/amd64 " + image + " AS base\nRUN echo hi\n");
    String token = token("https://github.com/acme/app/pull/3");

    // tag::doctor[]
    DoctorReport report = Doctor.builder()
        .token(token)                              // gp idp token --audience sts.amazonaws.com
        .roleArn(roleArn)                          // $IDP_AWS_ROLE_ARN
        .image(image)                              // or registry(host)
        .gitpodYml(repo.resolve(".gitpod.yml"))    // optional
        .iamClient(clients.iam)                    // optional: reads provider and policies
        .ecrClient(clients.ecr)                    // optional: reads repository policies
        .login(() -> clients.login(roleArn, token)) // optional: a real login at the end
        .build()
        .run();
    System.out.println(report.render());
    // end::doctor[]

    assertThat(report.ok()).as(report.render()).isTrue();
    assertThat(report.findings()).extracting(DoctorFinding::id).containsExactly(
        Doctor.TOKEN, Doctor.PROVIDER, Doctor.AUDIENCE, Doctor.TRUST_POLICY,
        Doctor.TRUST_POLICY_LINT, Doctor.PERMISSION_POLICY, Doctor.REPOSITORY_POLICY,
        Doctor.GITPOD_YML, Doctor.LOGIN);
    assertThat(report.findings()).filteredOn(f -> !f.id().equals(Doctor.REPOSITORY_POLICY))
        .extracting(DoctorFinding::status).containsOnly(Status.PASS);
    assertThat(report.finding(Doctor.REPOSITORY_POLICY).orElseThrow().status())
        .isEqualTo(Status.SKIPPED);
    assertThat(report.finding(Doctor.LOGIN).orElseThrow().reason())
        .contains("https://" + aws.registryHost());
    assertThat(report.render()).doesNotContain(token);
    assertThat(report.toJson()).doesNotContain(token).contains("\"ok\" : true");
  }

  @Test
  void run_whenSubIsAnotherRepository_failsTheTrustPolicyWithTheActualSub() {
    DoctorReport report = doctor(token("https://github.com/acme/other")).build().run();
    System.out.println(report.render());

    assertFails(report, Doctor.TRUST_POLICY, "sub=https://github.com/acme/other");
    assertThat(report.finding(Doctor.TRUST_POLICY).orElseThrow().fix().orElseThrow())
        .contains("https://github.com/acme/other");
    assertThat(report.finding(Doctor.TOKEN).orElseThrow().status()).isEqualTo(Status.PASS);
    assertThat(report.finding(Doctor.PROVIDER).orElseThrow().status()).isEqualTo(Status.PASS);
  }

  @Test
  void run_whenAudienceIsWrong_failsTheAudienceLink() {
    String token = aws.issuer().token().repository("https://github.com/acme/app")
        .audience("my-own-client").mint();

    DoctorReport report = doctor(token).build().run();

    assertFails(report, Doctor.AUDIENCE, "[my-own-client]", "[sts.amazonaws.com]");
    assertThat(report.finding(Doctor.AUDIENCE).orElseThrow().fix().orElseThrow())
        .contains("gp idp token --audience sts.amazonaws.com");
  }

  @Test
  void run_whenProviderIsMissing_failsTheProviderLink() {
    clients.iam.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(aws.providerArn()));

    DoctorReport report = doctor("unused")
        .tokenSource(TokenSource.of(token("https://github.com/acme/app")))
        .build().run();

    assertFails(report, Doctor.PROVIDER, aws.issuer().issuer(), aws.accountId());
    assertThat(report.finding(Doctor.AUDIENCE).orElseThrow().status())
        .isEqualTo(Status.SKIPPED);
  }

  @Test
  void run_whenTokenExpired_failsTheTokenLink() {
    String token = aws.issuer().token().repository("https://github.com/acme/app").expired()
        .mint();

    DoctorReport report = doctor(token).build().run();

    assertFails(report, Doctor.TOKEN, "expired at");
    assertThat(report.render()).doesNotContain(token);
  }

  @Test
  void run_withInjectedClock_reportsTheTimeLeft() {
    Instant exp = Instant.parse("2026-11-26T13:00:00Z");
    String token = aws.issuer().token().repository("https://github.com/acme/app")
        .issuedAt(exp.minusSeconds(3600)).expiresAt(exp).mint();

    DoctorReport soon = doctor(token).clock(Clock.fixed(exp.minusSeconds(120), ZoneOffset.UTC))
        .build().run();
    DoctorReport fresh = doctor(token).clock(Clock.fixed(exp.minusSeconds(3000),
        ZoneOffset.UTC)).build().run();

    assertThat(soon.finding(Doctor.TOKEN).orElseThrow()).satisfies(f -> {
      assertThat(f.status()).isEqualTo(Status.WARN);
      assertThat(f.reason()).contains("expires in 2m 0s");
    });
    assertThat(fresh.finding(Doctor.TOKEN).orElseThrow().reason()).contains("expires in 50m 0s");
  }

  @Test
  void run_whenPermissionPolicyLacksGetAuthorizationToken_failsThePermissionLink() {
    PolicyDocument pullOnly = PolicyDocument.builder().addStatement(s -> s.allow()
        .addAllActions(PermissionPolicy.PULL_ACTIONS)
        .addResources(aws.repositoryArn("acme/app"))).build();
    clients.iam.putRolePolicy(r -> r.roleName(ROLE)
        .policyName(AwsSetup.DEFAULT_INLINE_POLICY_NAME).policyDocument(pullOnly.toJson()));

    DoctorReport report = doctor(token("https://github.com/acme/app")).build().run();

    assertFails(report, Doctor.PERMISSION_POLICY, "ecr:GetAuthorizationToken");
    assertThat(report.finding(Doctor.PERMISSION_POLICY).orElseThrow().reason())
        .doesNotContain("ecr:BatchGetImage,");
  }

  @Test
  void run_whenGitpodYmlImageIsInAnotherRepository_failsTheGitpodYmlLink() throws IOException {
    Files.writeString(repo.resolve(".gitpod.yml"), """
        # workspace image
        image:
          file: docker/workspace.Dockerfile
        tasks:
          - init: make
        """);
    Files.createDirectories(repo.resolve("docker"));
    Files.writeString(repo.resolve("docker/workspace.Dockerfile"), """
        FROM %s/acme/other:1.2 AS tools
        FROM tools
        """.formatted(aws.registryHost()));

    DoctorReport report = doctor(token("https://github.com/acme/app"))
        .gitpodYml(repo.resolve(".gitpod.yml")).build().run();

    assertFails(report, Doctor.GITPOD_YML, "acme/other", roleArn);
    assertThat(report.finding(Doctor.PERMISSION_POLICY).orElseThrow().status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void run_whenGitpodYmlImageIsOnAnotherRegistry_failsTheGitpodYmlLink() throws IOException {
    Files.writeString(repo.resolve(".gitpod.yml"), "image: gitpod/workspace-full:latest\n");

    DoctorReport report = Doctor.builder().token(token("https://github.com/acme/app"))
        .roleArn(roleArn).registry(aws.registryHost()).iamClient(clients.iam)
        .gitpodYml(repo.resolve(".gitpod.yml")).build().run();

    assertFails(report, Doctor.GITPOD_YML, "docker.io/gitpod/workspace-full:latest",
        aws.registryHost());
  }

  @Test
  void run_whenCrossAccountWithoutRepositoryPolicy_failsTheRepositoryPolicyLink() {
    String otherAccount = "111122223333";
    String crossRole = "arn:aws:iam::" + otherAccount + ":role/workspaces";
    PolicyDocument trust = TrustPolicy.builder().issuer(aws.issuer().issuer())
        .account(otherAccount).repository("https://github.com/acme/app").build();
    PolicyDocument permissions = PermissionPolicy.builder()
        .repository(aws.accountId(), aws.region(), "acme/app").build();

    DoctorReport report = Doctor.builder()
        .token(token("https://github.com/acme/app"))
        .roleArn(crossRole)
        .image(image)
        .trustPolicy(trust)
        .permissionPolicy(permissions)
        .ecrClient(clients.ecr)
        .build()
        .run();

    assertFails(report, Doctor.REPOSITORY_POLICY, otherAccount, aws.accountId(),
        "no repository policy");
    assertThat(report.finding(Doctor.TRUST_POLICY).orElseThrow().status())
        .isEqualTo(Status.PASS);
    assertThat(report.finding(Doctor.PROVIDER).orElseThrow().status())
        .isEqualTo(Status.SKIPPED);
  }

  @Test
  void run_whenCrossAccountRepositoryPolicyAllowsTheRole_passes() {
    String crossRole = "arn:aws:iam::111122223333:role/workspaces";
    clients.ecr.setRepositoryPolicy(r -> r.repositoryName("acme/app").policyText(
        dev.oidcecr.policies.RepositoryPolicy.builder().allowRole(crossRole).build().toJson()));

    DoctorReport report = Doctor.builder().token(token("https://github.com/acme/app"))
        .roleArn(crossRole).image(image).ecrClient(clients.ecr).build().run();

    assertThat(report.finding(Doctor.REPOSITORY_POLICY).orElseThrow().status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void run_whenCrossAccountRepositoryPolicyAllowsTheRolesAccount_passes() {
    String crossRole = "arn:aws:iam::111122223333:role/workspaces";
    PolicyDocument accountWide = dev.oidcecr.policies.RepositoryPolicy.builder()
        .allowAccount("111122223333").build();

    DoctorReport report = Doctor.builder().token(token("https://github.com/acme/app"))
        .roleArn(crossRole).image(image).repositoryPolicy(accountWide).build().run();
    DoctorReport otherAccount = Doctor.builder().token(token("https://github.com/acme/app"))
        .roleArn("arn:aws:iam::444455556666:role/workspaces").image(image)
        .repositoryPolicy(accountWide).build().run();

    assertThat(report.finding(Doctor.REPOSITORY_POLICY).orElseThrow().status())
        .isEqualTo(Status.PASS);
    assertFails(otherAccount, Doctor.REPOSITORY_POLICY, "444455556666", "ecr:BatchGetImage");
  }

  @Test
  void run_whenRoleIsMissing_failsTheTrustPolicyLinkAndSkipsTheLogin() {
    DoctorReport report = doctor(token("https://github.com/acme/app"))
        .roleArn("arn:aws:iam::" + aws.accountId() + ":role/nope")
        .login(() -> {
          throw new AssertionError("must not log in after a failed check");
        })
        .build().run();

    assertFails(report, Doctor.TRUST_POLICY, "does not exist");
    assertThat(report.finding(Doctor.LOGIN).orElseThrow().status()).isEqualTo(Status.SKIPPED);
  }

  @Test
  void run_withTextThatIsNotAJwt_failsTheTokenLinkWithoutEchoingIt() {
    String secretish = "not-a-jwt-but-maybe-a-secret";

    DoctorReport report = doctor(secretish).build().run();

    assertFails(report, Doctor.TOKEN, "not a JWT");
    assertThat(report.render()).doesNotContain(secretish);
    assertThat(report.toJson()).doesNotContain(secretish);
  }

  @Test
  void run_withBadRoleArn_reportsTheInputs() {
    DoctorReport report = doctor(token("https://github.com/acme/app")).roleArn("gitpod-ecr-pull")
        .build().run();

    assertFails(report, Doctor.INPUTS, "\"gitpod-ecr-pull\" is not a role ARN");
  }

  @Test
  void run_whenLoginFails_reportsTheLoginLink() {
    DoctorReport report = doctor(token("https://github.com/acme/app"))
        .login(() -> {
          throw new OidcEcrException("STS refused: check the trust policy");
        })
        .build().run();

    assertFails(report, Doctor.LOGIN, "STS refused");
  }
}
