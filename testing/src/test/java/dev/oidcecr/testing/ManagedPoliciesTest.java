package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.oidcecr.policies.PolicyDocument;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.LimitExceededException;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Policy;
import software.amazon.awssdk.services.iam.model.PolicyScopeType;
import software.amazon.awssdk.services.iam.model.PolicyVersion;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Managed policies through the SDK's IAM client, and their effect on ECR decisions. */
class ManagedPoliciesTest extends SharedFakeTest {
  static final String READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";
  static final String POWER_USER = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser";

  @BeforeEach
  void providerRoleRepository() {
    Fixtures.providerAndRole(fake, clients.iam, 3600);
    clients.adminEcr.createRepository(r -> r.repositoryName("acme/app"));
  }

  private EcrClient roleEcr() {
    Credentials c = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("ci")).roleSessionName("ws-1")
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    return clients.ecr(Clients.session(c));
  }

  private static String decoded(String document) {
    return URLDecoder.decode(document, StandardCharsets.UTF_8);
  }

  @Test
  void customerPolicy_createGetVersionsDefaultSwitchDelete() {
    Policy created = clients.iam.createPolicy(r -> r.policyName("pull").path("/ecr/")
        .description("pull acme/app")
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app"))).policy();
    assertThat(created.arn()).isEqualTo("arn:aws:iam::123456789012:policy/ecr/pull");
    assertThat(created.policyId()).startsWith("ANPA");
    assertThat(created.defaultVersionId()).isEqualTo("v1");
    assertThat(created.attachmentCount()).isZero();
    assertThat(created.isAttachable()).isTrue();
    assertThat(created.createDate()).isNotNull();

    Policy got = clients.iam.getPolicy(r -> r.policyArn(created.arn())).policy();
    assertThat(got.policyName()).isEqualTo("pull");
    assertThat(got.description()).isEqualTo("pull acme/app");

    PolicyVersion v1 = clients.iam.getPolicyVersion(r -> r.policyArn(created.arn())
        .versionId("v1")).policyVersion();
    assertThat(v1.isDefaultVersion()).isTrue();
    assertThat(PolicyDocument.parse(decoded(v1.document())))
        .isEqualTo(PolicyDocument.parse(Fixtures.pullPolicy(fake, "acme/app")));

    PolicyVersion v2 = clients.iam.createPolicyVersion(r -> r.policyArn(created.arn())
        .policyDocument(Fixtures.pullPolicy(fake, "acme/other"))).policyVersion();
    assertThat(v2.versionId()).isEqualTo("v2");
    assertThat(v2.isDefaultVersion()).isFalse();
    assertThat(clients.iam.getPolicy(r -> r.policyArn(created.arn())).policy()
        .defaultVersionId()).isEqualTo("v1");

    PolicyVersion v3 = clients.iam.createPolicyVersion(r -> r.policyArn(created.arn())
        .policyDocument(Fixtures.pullPolicy(fake, "acme/third")).setAsDefault(true))
        .policyVersion();
    assertThat(v3.isDefaultVersion()).isTrue();
    assertThat(clients.iam.getPolicy(r -> r.policyArn(created.arn())).policy()
        .defaultVersionId()).isEqualTo("v3");
    assertThat(clients.iam.listPolicyVersions(r -> r.policyArn(created.arn())).versions())
        .extracting(PolicyVersion::versionId).containsExactly("v3", "v2", "v1");

    Throwable conflict = catchThrowable(() ->
        clients.iam.deletePolicy(r -> r.policyArn(created.arn())));
    assertAws(conflict, DeleteConflictException.class, "DeleteConflict", 409,
        "more than one version");
    clients.iam.deletePolicyVersion(r -> r.policyArn(created.arn()).versionId("v1"));
    clients.iam.deletePolicyVersion(r -> r.policyArn(created.arn()).versionId("v2"));
    clients.iam.deletePolicy(r -> r.policyArn(created.arn()));
    Throwable gone = catchThrowable(() ->
        clients.iam.getPolicy(r -> r.policyArn(created.arn())));
    assertAws(gone, NoSuchEntityException.class, "NoSuchEntity", 404, "does not exist");
  }

  @Test
  void createPolicy_errors_asIam() {
    clients.iam.createPolicy(r -> r.policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app")));
    assertAws(catchThrowable(() -> clients.iam.createPolicy(r -> r.policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app")))),
        EntityAlreadyExistsException.class, "EntityAlreadyExists", 409, "already exists");
    assertAws(catchThrowable(() -> clients.iam.createPolicy(r -> r.policyName("broken")
        .policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}"))),
        MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400, "");
    String arn = "arn:aws:iam::" + fake.accountId() + ":policy/pull";
    for (int i = 2; i <= 5; i++) {
      clients.iam.createPolicyVersion(r -> r.policyArn(arn)
          .policyDocument(Fixtures.pullPolicy(fake, "acme/app")));
    }
    assertAws(catchThrowable(() -> clients.iam.createPolicyVersion(r -> r.policyArn(arn)
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app")))),
        LimitExceededException.class, "LimitExceeded", 409, "up to 5 versions");
    assertAws(catchThrowable(() -> clients.iam.deletePolicyVersion(r -> r.policyArn(arn)
        .versionId("v1"))), DeleteConflictException.class, "DeleteConflict", 409,
        "default version");
  }

  @Test
  void awsManaged_readable_listedByScope_andNotChangeable() {
    Policy p = clients.iam.getPolicy(r -> r.policyArn(READ_ONLY)).policy();
    assertThat(p.defaultVersionId()).isEqualTo("v3");
    String doc = decoded(clients.iam.getPolicyVersion(r -> r.policyArn(READ_ONLY)
        .versionId("v3")).policyVersion().document());
    assertThat(doc).contains("ecr:GetAuthorizationToken", "ecr:BatchGetImage")
        .doesNotContain("ecr:PutImage");
    assertThat(decoded(clients.iam.getPolicyVersion(r -> r.policyArn(POWER_USER)
        .versionId("v3")).policyVersion().document())).contains("ecr:PutImage");

    clients.iam.createPolicy(r -> r.policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app")));
    assertThat(clients.iam.listPolicies(r -> r.scope(PolicyScopeType.LOCAL)).policies())
        .extracting(Policy::policyName).containsExactly("pull");
    assertThat(clients.iam.listPolicies(r -> r.scope(PolicyScopeType.AWS)).policies())
        .extracting(Policy::arn).contains(READ_ONLY, POWER_USER).hasSize(2);
    assertThat(clients.iam.listPolicies(r -> r.onlyAttached(true)).policies()).isEmpty();

    assertThat(catchThrowable(() -> clients.iam.deletePolicy(r -> r.policyArn(READ_ONLY))))
        .hasMessageContaining("AWS managed policy");
  }

  @Test
  void attachDetachList_andAttachedPolicyDecides() {
    EcrClient ecr = roleEcr();
    Throwable before = catchThrowable(ecr::getAuthorizationToken);
    assertThat(before).isInstanceOf(EcrException.class);
    assertThat(((EcrException) before).awsErrorDetails().errorCode())
        .isEqualTo("AccessDeniedException");

    clients.iam.attachRolePolicy(r -> r.roleName("ci").policyArn(READ_ONLY));
    assertThat(clients.iam.listAttachedRolePolicies(r -> r.roleName("ci")).attachedPolicies())
        .extracting(a -> a.policyName() + " " + a.policyArn())
        .containsExactly("AmazonEC2ContainerRegistryReadOnly " + READ_ONLY);
    assertThat(clients.iam.listPolicies(r -> r.onlyAttached(true)).policies())
        .extracting(Policy::arn).containsExactly(READ_ONLY);
    assertThat(ecr.getAuthorizationToken().authorizationData()).hasSize(1);
    assertThat(ecr.describeRepositories().repositories()).hasSize(1);

    // ReadOnly does not allow a delete; the denial says which policies were read.
    Throwable delete = catchThrowable(() -> ecr.deleteRepository(r -> r.repositoryName("acme/app")));
    assertThat(((EcrException) delete).awsErrorDetails().errorCode())
        .isEqualTo("AccessDeniedException");
    assertThat(fake.lastDenial()).hasValueSatisfying(d ->
        assertThat(d.action()).isEqualTo("ecr:DeleteRepository"));

    Throwable deleteRole = catchThrowable(() -> clients.iam.deleteRole(r -> r.roleName("ci")));
    assertAws(deleteRole, DeleteConflictException.class, "DeleteConflict", 409, "detach");

    clients.iam.detachRolePolicy(r -> r.roleName("ci").policyArn(READ_ONLY));
    assertThat(clients.iam.listAttachedRolePolicies(r -> r.roleName("ci")).attachedPolicies())
        .isEmpty();
    assertThat(catchThrowable(ecr::getAuthorizationToken)).isInstanceOf(EcrException.class);
    assertAws(catchThrowable(() -> clients.iam.detachRolePolicy(r -> r.roleName("ci")
        .policyArn(READ_ONLY))), NoSuchEntityException.class, "NoSuchEntity", 404, "not found");
    assertAws(catchThrowable(() -> clients.iam.attachRolePolicy(r -> r.roleName("ci")
        .policyArn("arn:aws:iam::123456789012:policy/none"))), NoSuchEntityException.class,
        "NoSuchEntity", 404, "does not exist or is not attachable");
  }

  @Test
  void newDefaultVersion_changesDecision_andAttachedPolicyCannotBeDeleted() {
    String arn = clients.iam.createPolicy(r -> r.policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "acme/app"))).policy().arn();
    clients.iam.attachRolePolicy(r -> r.roleName("ci").policyArn(arn));
    EcrClient ecr = roleEcr();
    assertThat(ecr.getAuthorizationToken().authorizationData()).hasSize(1);
    assertThat(clients.iam.getPolicy(r -> r.policyArn(arn)).policy().attachmentCount())
        .isEqualTo(1);

    clients.iam.createPolicyVersion(r -> r.policyArn(arn).setAsDefault(true).policyDocument(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ecr:DescribeRepositories\",\"Resource\":\"*\"}]}"));
    assertThat(catchThrowable(ecr::getAuthorizationToken)).isInstanceOf(EcrException.class);
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.action())
        .isEqualTo("ecr:GetAuthorizationToken"));

    assertAws(catchThrowable(() -> clients.iam.deletePolicy(r -> r.policyArn(arn))),
        DeleteConflictException.class, "DeleteConflict", 409, "attached");
  }
}
