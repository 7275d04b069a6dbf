package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.core.DoctorFinding.Status;
import dev.oidcecr.testing.FakeAws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The doctor reads the managed policies attached to the role (customer and AWS managed) and
 * gives a definite PASS or FAIL when one of them decides, through the real SDK IAM client.
 */
class DoctorManagedPoliciesTest {
  static final String ROLE = "gitpod-ecr-pull";
  static final String READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";
  static FakeAws aws;
  static AwsClients clients;
  String roleArn;

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
  void roleWithoutInlinePolicy() {
    aws.reset();
    clients.ecr.createRepository(r -> r.repositoryName("acme/app"));
    roleArn = AwsSetup.builder().iamClient(clients.iam).ecrClient(clients.ecr)
        .accountId(aws.accountId()).issuerUrl(aws.issuer().issuer()).roleName(ROLE)
        .allowRepository("https://github.com/acme/app").repositories("acme/app")
        .build().apply().roleArn();
    for (String name : clients.iam.listRolePolicies(r -> r.roleName(ROLE)).policyNames()) {
      clients.iam.deleteRolePolicy(r -> r.roleName(ROLE).policyName(name));
    }
  }

  DoctorFinding permissionFinding() {
    String token = aws.issuer().token().repository("https://github.com/acme/app").mint();
    DoctorReport report = Doctor.builder().token(token).roleArn(roleArn)
        .image(aws.registryHost() + "/acme/app:latest").iamClient(clients.iam)
        .ecrClient(clients.ecr).build().run();
    return report.finding(Doctor.PERMISSION_POLICY).orElseThrow();
  }

  @Test
  void awsManagedReadOnlyAttached_passes() {
    clients.iam.attachRolePolicy(r -> r.roleName(ROLE).policyArn(READ_ONLY));

    DoctorFinding f = permissionFinding();

    assertThat(f.status()).as(f.reason()).isEqualTo(Status.PASS);
    assertThat(f.reason()).contains("AmazonEC2ContainerRegistryReadOnly", "ecr:BatchGetImage");
  }

  @Test
  void customerManagedPolicyWithoutPull_fails_andNamesTheMissingActions() {
    String arn = clients.iam.createPolicy(r -> r.policyName("describe-only").policyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":[\"ecr:GetAuthorizationToken\",\"ecr:DescribeRepositories\"],"
            + "\"Resource\":\"*\"}]}")).policy().arn();
    clients.iam.attachRolePolicy(r -> r.roleName(ROLE).policyArn(arn));

    DoctorFinding f = permissionFinding();

    assertThat(f.status()).as(f.reason()).isEqualTo(Status.FAIL);
    assertThat(f.reason()).contains("describe-only", "ecr:BatchGetImage")
        .doesNotContain("could not read");
    assertThat(f.fix()).isPresent();
  }

  @Test
  void newDefaultVersionOfAttachedPolicy_isTheOneRead() {
    String arn = clients.iam.createPolicy(r -> r.policyName("pull").policyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ecr:DescribeRepositories\",\"Resource\":\"*\"}]}")).policy().arn();
    clients.iam.attachRolePolicy(r -> r.roleName(ROLE).policyArn(arn));
    assertThat(permissionFinding().status()).isEqualTo(Status.FAIL);

    clients.iam.createPolicyVersion(r -> r.policyArn(arn).setAsDefault(true).policyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
            + "[\"ecr:GetAuthorizationToken\",\"ecr:BatchGetImage\","
            + "\"ecr:GetDownloadUrlForLayer\",\"ecr:BatchCheckLayerAvailability\"],"
            + "\"Resource\":\"*\"}]}"));

    assertThat(permissionFinding().status()).isEqualTo(Status.PASS);
  }
}
