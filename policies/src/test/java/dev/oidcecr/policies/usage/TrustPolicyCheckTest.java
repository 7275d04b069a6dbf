package dev.oidcecr.policies.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.policies.ConditionEvaluation;
import dev.oidcecr.policies.Decision;
import dev.oidcecr.policies.Evaluation;
import dev.oidcecr.policies.EvaluationRequest;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyEvaluator;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.StatementEvaluation;
import dev.oidcecr.policies.TrustPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks a Gitpod trust policy against decoded token claims using only the public API, and what
 * the explanation tells a person whose token is refused.
 */
class TrustPolicyCheckTest {

  private static final String ISSUER = "https://services.gitpod.example.com/idp";
  private static final String ACCOUNT = "123456789012";
  private static final String PROVIDER =
      "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp";
  private static final String SUB_KEY = "services.gitpod.example.com/idp:sub";
  private static final String AUD_KEY = "services.gitpod.example.com/idp:aud";

  private static final PolicyDocument TRUST = PolicyDocument.parse("""
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "GitpodWorkspaces",
            "Effect": "Allow",
            "Principal": {
              "Federated": "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
              "StringEquals": {
                "services.gitpod.example.com/idp:aud": "sts.amazonaws.com"
              },
              "StringLike": {
                "services.gitpod.example.com/idp:sub": [
                  "https://github.com/acme/app",
                  "https://github.com/acme/app/*",
                  "https://github.com/acme/lib/*"
                ]
              }
            }
          }
        ]
      }""");

  private static Map<String, Object> claims(String sub) {
    return Map.of(
        "iss", ISSUER,
        "aud", List.of("sts.amazonaws.com"),
        "azp", "sts.amazonaws.com",
        "sub", sub,
        "email", "dev@acme.example",
        "org_id", "0f8a7c1e");
  }

  @ParameterizedTest(name = "sub {0} -> {1}")
  @CsvSource({
      "https://github.com/acme/app, ALLOWED",
      "https://github.com/acme/app/pull/1, ALLOWED",
      "https://github.com/acme/app/tree/feature/x, ALLOWED",
      "https://github.com/acme/lib/tree/main, ALLOWED",
      "https://github.com/acme/app-evil, IMPLICIT_DENY",
      "https://github.com/acme/lib, IMPLICIT_DENY",
      "https://github.com/ACME/app, IMPLICIT_DENY",
      "no-context, IMPLICIT_DENY"})
  void checkWebIdentity_gitpodTrust(String sub, Decision expected) {
    Evaluation e = PolicyEvaluator.checkWebIdentity(TRUST, ISSUER, ACCOUNT, claims(sub));
    assertThat(e.decision()).as(e.explanation()).isEqualTo(expected);
  }

  @Test
  void evaluateWebIdentity_whenAudienceIsWrong_denies() {
    Map<String, Object> c = Map.of("aud", "other-client", "sub", "https://github.com/acme/app");
    Evaluation e = PolicyEvaluator.of(TRUST).evaluateWebIdentity(ISSUER, ACCOUNT, c);
    assertThat(e.isAllowed()).isFalse();
    assertThat(e.statements().get(0).failedConditions())
        .extracting(ConditionEvaluation::key).containsExactly(AUD_KEY);
  }

  @Test
  void evaluateWebIdentity_whenProviderIsInAnotherAccount_principalDoesNotMatch() {
    Evaluation e = PolicyEvaluator.of(TRUST)
        .evaluateWebIdentity(ISSUER, "210987654321", claims("https://github.com/acme/app"));
    assertThat(e.decision()).isEqualTo(Decision.IMPLICIT_DENY);
    StatementEvaluation s = e.statements().get(0);
    assertThat(s.principalMatched()).isFalse();
    assertThat(s.failedConditions()).isEmpty();
    assertThat(e.explanation()).contains("Principal Federated [\"" + PROVIDER + "\"]: NOT matched"
        + " (request federated provider arn:aws:iam::210987654321:oidc-provider/");
  }

  @Test
  void explanation_whenSubDoesNotMatch_namesTheSubConditionExpectedAndActual() {
    Evaluation e = PolicyEvaluator.checkWebIdentity(TRUST, ISSUER, ACCOUNT,
        claims("https://github.com/acme/app-evil"));

    String text = e.explanation();
    assertThat(text).startsWith("Decision: IMPLICIT_DENY");
    assertThat(text).contains("Statement[0] \"GitpodWorkspaces\" (Allow): does not apply");
    assertThat(text).contains("Condition StringLike \"" + SUB_KEY + "\": expected any of"
        + " [\"https://github.com/acme/app\", \"https://github.com/acme/app/*\","
        + " \"https://github.com/acme/lib/*\"], actual [\"https://github.com/acme/app-evil\"]:"
        + " NOT matched");
    assertThat(text).contains("Condition StringEquals \"" + AUD_KEY + "\": expected any of"
        + " [\"sts.amazonaws.com\"], actual [\"sts.amazonaws.com\"]: matched");
    assertThat(text).contains("Action [\"sts:AssumeRoleWithWebIdentity\"]: matched");
    assertThat(e.toString()).isEqualTo(text);

    ConditionEvaluation failed = e.statements().get(0).failedConditions().get(0);
    assertThat(failed.key()).isEqualTo(SUB_KEY);
    assertThat(failed.operator().jsonName()).isEqualTo("StringLike");
    assertThat(failed.expected()).hasSize(3);
    assertThat(failed.actual()).containsExactly("https://github.com/acme/app-evil");
    assertThat(failed.matched()).isFalse();
  }

  @Test
  void explanation_whenSubClaimIsMissing_saysMissing() {
    Evaluation e = PolicyEvaluator.checkWebIdentity(TRUST, ISSUER, ACCOUNT,
        Map.of("aud", "sts.amazonaws.com"));
    assertThat(e.explanation()).contains("Condition StringLike \"" + SUB_KEY + "\"")
        .contains("actual missing: NOT matched (the request has no such key)");
    assertThat(e.statements().get(0).failedConditions().get(0).keyPresent()).isFalse();
  }

  @Test
  void explanation_whenAllowed_namesTheDecidingStatementAndEveryConditionMatched() {
    Evaluation e = PolicyEvaluator.checkWebIdentity(TRUST, ISSUER, ACCOUNT,
        claims("https://github.com/acme/app/pull/7"));
    assertThat(e.explanation())
        .startsWith("Decision: ALLOWED by Statement[0] \"GitpodWorkspaces\"")
        .contains("actual [\"https://github.com/acme/app/pull/7\"]: matched")
        .doesNotContain("NOT matched");
  }

  @Test
  void explanation_namesStatementsWithoutSidByIndex_andTheExplicitDeny() {
    PolicyDocument p = PolicyDocument.builder()
        .addStatement(s -> s.allow().addActions("ecr:*").addResources("*"))
        .addStatement(s -> s.deny().addActions("ecr:*").addResources("*")
            .addCondition(dev.oidcecr.policies.ConditionOperator.NOT_IP_ADDRESS,
                "aws:SourceIp", "10.0.0.0/8"))
        .build();
    Evaluation e = PolicyEvaluator.of(p).evaluate(EvaluationRequest.builder()
        .action("ecr:BatchGetImage").putContext("aws:SourceIp", "203.0.113.9").build());
    assertThat(e.decision()).isEqualTo(Decision.EXPLICIT_DENY);
    assertThat(e.explanation())
        .startsWith("Decision: EXPLICIT_DENY by Statement[1]\n")
        .contains("Statement[0] (Allow): applies")
        .contains("Statement[1] (Deny): applies")
        .contains("Condition NotIpAddress \"aws:SourceIp\": expected none of [\"10.0.0.0/8\"],"
            + " actual [\"203.0.113.9\"]: matched");
  }

  @Test
  void webIdentity_buildsTheRequestStsEvaluates() {
    EvaluationRequest r = EvaluationRequest.webIdentity(PROVIDER, Map.of(
        "aud", List.of("sts.amazonaws.com", "other"),
        "sub", "https://github.com/acme/app",
        "azp", "sts.amazonaws.com",
        "amr", List.of("pwd", "mfa"),
        "email", "dev@acme.example",
        "org_id", "0f8a7c1e",
        "exp", 1_700_000_000L));

    assertThat(r.action()).isEqualTo("sts:AssumeRoleWithWebIdentity");
    assertThat(r.federatedProvider()).contains(PROVIDER);
    assertThat(r.principalArn()).isEmpty();
    assertThat(r.resource()).isEmpty();
    assertThat(r.context()).containsOnlyKeys(AUD_KEY, SUB_KEY,
        "services.gitpod.example.com/idp:azp", "services.gitpod.example.com/idp:amr",
        "services.gitpod.example.com/idp:email", "aws:federatedprovider");
    assertThat(r.contextValues(AUD_KEY)).containsExactly("sts.amazonaws.com", "other");
    assertThat(r.contextValues("services.gitpod.example.com/idp:amr"))
        .containsExactly("pwd", "mfa");
    assertThat(r.contextValues("AWS:FederatedProvider")).containsExactly(PROVIDER);
  }

  @Test
  void webIdentity_whenAudIsAString_andOptionalClaimsAbsent_putsOnlyWhatIsThere() {
    EvaluationRequest r = EvaluationRequest.webIdentity(PROVIDER,
        Map.of("aud", "sts.amazonaws.com", "sub", "no-context"));
    assertThat(r.context()).containsOnlyKeys(AUD_KEY, SUB_KEY, "aws:federatedprovider");
    assertThat(r.contextValues(AUD_KEY)).containsExactly("sts.amazonaws.com");
  }

  @ParameterizedTest
  @CsvSource({
      "https://services.gitpod.example.com/idp, "
          + "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp",
      "https://services.gitpod.example.com/idp/, "
          + "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp",
      "https://api.gitpod.io/idp, arn:aws:iam::123456789012:oidc-provider/api.gitpod.io/idp"})
  void oidcProviderArn_fromIssuerUrlAndAccount(String issuer, String arn) {
    assertThat(EvaluationRequest.oidcProviderArn(issuer, ACCOUNT)).isEqualTo(arn);
    assertThat(EvaluationRequest.issuerKeyPrefix(arn)).isEqualTo(issuer
        .substring("https://".length()).replaceAll("/$", ""));
  }

  @Test
  void oidcProviderArn_namesTheProviderTrustPolicyNames_evenForAMixedCaseHost() {
    String issuer = "https://Services.Gitpod.Example.com/idp/";
    PolicyDocument trust = TrustPolicy.builder().issuer(issuer).account(ACCOUNT)
        .repository("https://github.com/acme/app").build();
    String principal = trust.statements().get(0).principal().orElseThrow().federated().get(0);
    assertThat(EvaluationRequest.oidcProviderArn(issuer, ACCOUNT)).isEqualTo(principal);
    assertThatThrownBy(() -> EvaluationRequest.oidcProviderArn(
        "https://services.gitpod.example.com:8443/idp", ACCOUNT))
        .isInstanceOf(PolicyException.class).hasMessageContaining("port");
  }

  @Test
  void oidcProviderArn_whenUrlIsNotHttps_throwsWithFix() {
    assertThatThrownBy(() -> EvaluationRequest.oidcProviderArn("http://x.example/idp", ACCOUNT))
        .isInstanceOf(PolicyException.class).hasMessageContaining("must start with https://");
    assertThatThrownBy(() -> EvaluationRequest.oidcProviderArn(ISSUER, "12345"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("12 digits");
  }

  @Test
  void webIdentity_whenArnIsNotAnOidcProvider_throwsWithExample() {
    assertThatThrownBy(() -> EvaluationRequest.webIdentity(
        "arn:aws:iam::123456789012:role/ci", Map.of("sub", "x")))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("arn:aws:iam::123456789012:role/ci")
        .hasMessageContaining("oidc-provider/");
  }

  @Test
  void builder_whenActionMissing_throwsSayingWhatToCall() {
    assertThatThrownBy(() -> EvaluationRequest.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("action(");
  }

  @Test
  void builder_contextKeysAreCaseInsensitive_andLaterPutReplaces() {
    EvaluationRequest r = EvaluationRequest.builder().action("s3:GetObject")
        .putContext("AWS:SourceIp", "1.2.3.4").putContext("aws:sourceip", "5.6.7.8").build();
    assertThat(r.context()).containsOnlyKeys("aws:sourceip");
    assertThat(r.contextValues("Aws:SourceIP")).containsExactly("5.6.7.8");
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }
}
