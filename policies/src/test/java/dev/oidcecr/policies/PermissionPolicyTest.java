package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PermissionPolicyTest {

  private static final String APP = "arn:aws:ecr:eu-west-1:123456789012:repository/acme/app";

  @Test
  void build_pullOnly_hasAuthorizationTokenOnStarAndPullOnTheRepository() {
    PolicyDocument doc = PermissionPolicy.builder()
        .repository("123456789012", "eu-west-1", "acme/app").build();

    assertThat(doc.statements()).extracting(s -> s.sid().orElseThrow())
        .containsExactly("GetAuthorizationToken", "PullImages");
    Statement auth = doc.statement("GetAuthorizationToken").orElseThrow();
    assertThat(auth.actions()).containsExactly("ecr:GetAuthorizationToken");
    assertThat(auth.resources()).containsExactly("*");
    Statement pull = doc.statement("PullImages").orElseThrow();
    assertThat(pull.actions()).containsExactly("ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability");
    assertThat(pull.resources()).containsExactly(APP);
  }

  @Test
  void allowPush_addsThePushActionsOnTheSameRepositories() {
    PolicyDocument doc = PermissionPolicy.builder().repositoryArn(APP).allowPush().build();

    Statement push = doc.statement("PushImages").orElseThrow();
    assertThat(push.resources()).containsExactly(APP);
    List<String> all = doc.statements().stream().flatMap(s -> s.actions().stream()).toList();
    assertThat(all).containsAll(PermissionPolicy.PUSH_ACTIONS).containsAll(
        PermissionPolicy.PULL_ACTIONS).doesNotHaveDuplicates();
    assertThat(PolicyLinter.create().lint(doc, PolicyKind.IDENTITY)).isEmpty();
  }

  @Test
  void partition_andSeveralRepositories_giveDeterministicArns() {
    PolicyDocument doc = PermissionPolicy.builder()
        .repository("123456789012", "cn-north-1", "acme/app")
        .partition("aws-cn")
        .repository("123456789012", "cn-north-1", "acme/*")
        .repositoryArn("arn:aws:ecr:eu-west-1:123456789012:repository/base")
        .build();

    assertThat(doc.statement("PullImages").orElseThrow().resources()).containsExactly(
        "arn:aws-cn:ecr:cn-north-1:123456789012:repository/acme/app",
        "arn:aws-cn:ecr:cn-north-1:123456789012:repository/acme/*",
        "arn:aws:ecr:eu-west-1:123456789012:repository/base");
    assertThat(doc).isEqualTo(PolicyDocument.parse(doc.toJson()));
  }

  @Test
  void repositoryNames_areValidated() {
    for (String ok : List.of("ab", "acme/app", "team/app.api", "a-b_c/d.e", "*", "acme/*",
        "acme/app-*")) {
      assertThat(PermissionPolicy.builder().repository("123456789012", "eu-west-1", ok).build())
          .as(ok).isNotNull();
    }
    for (String bad : List.of("a", "Acme/app", "acme//app", "acme/app/", "-app", "acme/a--b",
        "acme/*/x", "ac?me", "x".repeat(257))) {
      assertThatThrownBy(() -> PermissionPolicy.builder()
          .repository("123456789012", "eu-west-1", bad))
          .as(bad).isInstanceOf(PolicyException.class).hasMessageContaining("repository name");
    }
  }

  @Test
  void accountRegionAndArn_areValidated() {
    assertThatThrownBy(() -> PermissionPolicy.builder().repository("1234", "eu-west-1", "app1"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("12 digits");
    assertThatThrownBy(() -> PermissionPolicy.builder()
        .repository("123456789012", "Europe", "app1"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("eu-west-1");
    assertThatThrownBy(() -> PermissionPolicy.builder()
        .repositoryArn("arn:aws:ecr:eu-west-1:123456789012:acme/app"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("repository/<name>");
    assertThatThrownBy(() -> PermissionPolicy.builder()
        .repositoryArn("arn:aws:ecr:eu-west-1:123456789012:repository/Acme"))
        .isInstanceOf(PolicyException.class);
  }

  @Test
  void regionOutsideThePartition_isRejected() {
    assertThatThrownBy(() -> PermissionPolicy.builder().partition("aws-cn")
        .repository("123456789012", "eu-west-1", "acme/app").build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("partition aws");
    assertThatThrownBy(() -> PermissionPolicy.builder()
        .repositoryArn("arn:aws:ecr:us-gov-west-1:123456789012:repository/acme/app"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("aws-us-gov");
  }

  @Test
  void build_withoutRepository_isRejected() {
    assertThatThrownBy(() -> PermissionPolicy.builder().build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("repository(");
  }
}
