package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.core.InvalidRoleArnException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RoleArnsAndSessionNamesTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_900_000_000L), ZoneOffset.UTC);

  @Test
  void parse_roleArns() {
    RoleArns.Parsed p = RoleArns.parse(" arn:aws:iam::123456789012:role/ecr-pull ");
    assertThat(p.partition).isEqualTo("aws");
    assertThat(p.accountId).isEqualTo("123456789012");
    assertThat(p.path).isEqualTo("/");
    assertThat(p.name).isEqualTo("ecr-pull");
    RoleArns.Parsed withPath = RoleArns.parse("arn:aws-us-gov:iam::123456789012:role/ci/gitpod/Pull_Role+1");
    assertThat(withPath.path).isEqualTo("/ci/gitpod/");
    assertThat(withPath.name).isEqualTo("Pull_Role+1");
    assertThat(RoleArns.parse("arn:aws-cn:iam::123456789012:role/r").partition).isEqualTo("aws-cn");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|empty",
        "ecr-pull|not an ARN",
        "arn:aws:iam::123456789012:user/ada|names an IAM user, not a role",
        "arn:aws:sts::123456789012:assumed-role/ecr-pull/ws-1|pass the role ARN arn:aws:iam::123456789012:role/ecr-pull",
        "arn:aws:iam:us-east-1:123456789012:role/r|IAM ARNs have no region",
        "arn:aws:iam::12345:role/r|not 12 digits",
        "arn:aws:ecr:us-east-1:123456789012:repository/app|service ecr",
        "arn:azure:iam::123456789012:role/r|not an AWS partition",
        "arn:aws:iam::123456789012:role/bad name|role name must be",
        "arn:aws:iam::123456789012:role/|role name must be",
      })
  void parse_mistakes_explained(String arn, String expected) {
    assertThatThrownBy(() -> RoleArns.parse(arn))
        .isInstanceOf(InvalidRoleArnException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void fromEnvironment_followsPrecedence() {
    assertThat(RoleArns.fromEnvironment(Map.of())).isEmpty();
    assertThat(RoleArns.fromEnvironment(Map.of("AWS_ROLE_ARN", "c", "IDP_AWS_ROLE_ARN", "b")))
        .contains(Map.entry("IDP_AWS_ROLE_ARN", "b"));
    assertThat(
            RoleArns.fromEnvironment(
                Map.of("AWS_ROLE_ARN", "c", "IDP_AWS_ROLE_ARN", "b", "OIDC_ECR_ROLE_ARN", " a ")))
        .contains(Map.entry("OIDC_ECR_ROLE_ARN", "a"));
    assertThat(RoleArns.fromEnvironment(Map.of("OIDC_ECR_ROLE_ARN", " ", "AWS_ROLE_ARN", "c")))
        .contains(Map.entry("AWS_ROLE_ARN", "c"));
  }

  @Test
  void derive_usesWorkspaceIdLikeGp() {
    assertThat(SessionNames.derive(Map.of("GITPOD_WORKSPACE_ID", "acme-app-abc123"), CLOCK))
        .isEqualTo("acme-app-abc123-1900000000");
    assertThat(SessionNames.derive(Map.of(), CLOCK)).isEqualTo("oidc-ecr-1900000000");
    String longId = "w".repeat(80) + "/x y";
    String name = SessionNames.derive(Map.of("GITPOD_WORKSPACE_ID", longId), CLOCK);
    assertThat(name).hasSize(64).endsWith("-1900000000");
    assertThat(SessionNames.isValid(name)).isTrue();
  }

  @Test
  void sanitize_makesAnyTextValid() {
    assertThat(SessionNames.sanitize("ada lovelace/ws#1")).isEqualTo("ada-lovelace-ws-1");
    assertThat(SessionNames.sanitize("x")).isEqualTo("oidc-ecr-x");
    assertThat(SessionNames.sanitize("é".repeat(100))).hasSize(64);
    for (String s : new String[] {"", "a", "a b", "x".repeat(200), "ü@=,.+-_"}) {
      assertThat(SessionNames.isValid(SessionNames.sanitize(s))).as(s).isTrue();
    }
    assertThat(SessionNames.isValid("a")).isFalse();
    assertThat(SessionNames.isValid("a b")).isFalse();
  }
}
