package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RepositoryPolicyTest {

  @Test
  void accountsAndRoles_shareOnePullStatementWithoutResource() {
    PolicyDocument doc = RepositoryPolicy.builder()
        .allowAccount("210987654321")
        .allowRole("arn:aws:iam::123456789012:role/ci/gitpod-pull")
        .build();

    Statement s = doc.statements().get(0);
    assertThat(doc.statements()).hasSize(1);
    assertThat(s.sid()).contains("AllowPull");
    assertThat(s.principal().orElseThrow().aws()).containsExactly(
        "arn:aws:iam::210987654321:root", "arn:aws:iam::123456789012:role/ci/gitpod-pull");
    assertThat(s.actions()).containsExactlyElementsOf(PermissionPolicy.PULL_ACTIONS);
    assertThat(s.resources()).isEmpty();
    assertThat(s.notResources()).isEmpty();
  }

  @Test
  void organization_isEveryoneRestrictedByPrincipalOrgId() {
    PolicyDocument doc = RepositoryPolicy.builder().allowOrganization("o-a1b2c3d4e5").build();

    Statement s = doc.statement("AllowPullFromOrganization").orElseThrow();
    assertThat(s.principal()).contains(Principal.all());
    assertThat(s.conditions()).containsExactly(Condition.of(ConditionOperator.STRING_EQUALS,
        "aws:PrincipalOrgID", "o-a1b2c3d4e5"));
    assertThat(PolicyLinter.create().lint(doc, PolicyKind.REPOSITORY)).isEmpty();
  }

  @Test
  void allowPush_grantsPushActionsUnderPushSids() {
    PolicyDocument doc = RepositoryPolicy.builder().allowAccount("210987654321")
        .allowOrganization("o-a1b2c3d4e5").allowPush().build();

    assertThat(doc.statements()).extracting(s -> s.sid().orElseThrow())
        .containsExactly("AllowPullAndPush", "AllowPullAndPushFromOrganization");
    assertThat(doc.statements().get(0).actions()).containsAll(PermissionPolicy.PUSH_ACTIONS)
        .doesNotHaveDuplicates();
    assertThat(PolicyLinter.create().lint(doc, PolicyKind.REPOSITORY)).isEmpty();
  }

  @Test
  void partition_appliesToAccountRoots() {
    PolicyDocument doc = RepositoryPolicy.builder().partition("aws-cn")
        .allowAccount("210987654321").build();

    assertThat(doc.statements().get(0).principal().orElseThrow().aws())
        .containsExactly("arn:aws-cn:iam::210987654321:root");
  }

  @Test
  void invalidInputs_areRejectedWithTheExpectedForm() {
    assertThatThrownBy(() -> RepositoryPolicy.builder().allowAccount("21098765432"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("12 digits");
    assertThatThrownBy(() -> RepositoryPolicy.builder()
        .allowRole("arn:aws:iam::210987654321:user/bob"))
        .isInstanceOf(PolicyException.class).hasMessageContaining(":role/");
    assertThatThrownBy(() -> RepositoryPolicy.builder().allowOrganization("r-abcd"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("o-");
    assertThatThrownBy(() -> RepositoryPolicy.builder().build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("allowAccount");
  }
}
