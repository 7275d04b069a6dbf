package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;

/**
 * IAM's identity-provider controls for shared OIDC issuers, through the real SDK IAM client: a
 * trust policy for GitHub's (or GitLab.com's, Buildkite's, ...) issuer must check {@code sub},
 * and one for Cognito's (or Vercel's, ...) must check {@code aud}, with StringEquals, StringLike
 * or StringEqualsIgnoreCase and not only {@code *}; issuers of one customer are not affected.
 */
class SharedIssuerRuleTest extends SharedFakeTest {
  static final String GITHUB = "token.actions.githubusercontent.com";

  private static String trust(String principal, String conditions) {
    return """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "%s"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {%s}
          }]
        }""".formatted(principal, conditions);
  }

  private String provider(String hostAndPath) {
    return "arn:aws:iam::" + fake.accountId() + ":oidc-provider/" + hostAndPath;
  }

  private static String audOnly(String prefix) {
    return "\"StringEquals\": {\"" + prefix + ":aud\": \"sts.amazonaws.com\"}";
  }

  private void assertRefused(Throwable t, String principal, String key) {
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Trust policy with trusted principal " + principal + " must evaluate, using "
            + "StringEquals, StringLike or StringEqualsIgnoreCase, " + key
            + " which is not scoped to all.");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "token.actions.githubusercontent.com, sub",
      "token.actions.githubusercontent.com/acme-enterprise, sub",
      "gitlab.com, sub",
      "agent.buildkite.com, sub",
      "app.terraform.io, sub",
      "oidc.vercel.com, aud",
      "api.pulumi.com/oidc, aud"})
  void createRole_sharedIssuerWithoutRequiredClaim_isRefused(String issuer, String claim) {
    String principal = provider(issuer);
    String other = claim.equals("sub") ? "aud" : "sub";
    String policy = trust(principal, "\"StringEquals\": {\"" + issuer + ":" + other
        + "\": \"some-value\"}");
    Throwable t = catchThrowable(() -> clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(policy)));
    assertRefused(t, principal, issuer + ":" + claim);
  }

  @Test
  void createRole_cognitoWithoutAud_isRefused() {
    String policy = trust("cognito-identity.amazonaws.com", "\"ForAnyValue:StringLike\": "
        + "{\"cognito-identity.amazonaws.com:amr\": \"authenticated\"}");
    Throwable t = catchThrowable(() -> clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(policy)));
    assertRefused(t, "cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud");
  }

  @Test
  void createRole_githubSubOnlyStar_isRefused() {
    String principal = provider(GITHUB);
    String policy = trust(principal, audOnly(GITHUB) + ", \"StringLike\": {\"" + GITHUB
        + ":sub\": \"*\"}");
    Throwable t = catchThrowable(() -> clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(policy)));
    assertRefused(t, principal, GITHUB + ":sub");
  }

  @Test
  void createRole_githubSubWithNotEquals_isRefused() {
    String principal = provider(GITHUB);
    String policy = trust(principal, audOnly(GITHUB) + ", \"StringNotEquals\": {\"" + GITHUB
        + ":sub\": \"repo:evil/app:ref:refs/heads/main\"}");
    Throwable t = catchThrowable(() -> clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(policy)));
    assertRefused(t, principal, GITHUB + ":sub");
  }

  @Test
  void updateAssumeRolePolicy_droppingSub_isRefusedAndKeepsTheOldPolicy() {
    String principal = provider(GITHUB);
    String good = trust(principal, audOnly(GITHUB) + ", \"StringLike\": {\"" + GITHUB
        + ":sub\": \"repo:acme/app:*\"}");
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(good));

    Throwable t = catchThrowable(() -> clients.iam.updateAssumeRolePolicy(r -> r.roleName("ci")
        .policyDocument(trust(principal, audOnly(GITHUB)))));
    assertRefused(t, principal, GITHUB + ":sub");
    String kept = clients.iam.getRole(r -> r.roleName("ci")).role().assumeRolePolicyDocument();
    assertThat(URLDecoder.decode(kept, StandardCharsets.UTF_8)).isEqualTo(good);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "StringEquals|\"repo:acme/app:ref:refs/heads/main\"",
      "StringLike|[\"repo:acme/app:*\", \"*\"]",
      "StringEqualsIgnoreCase|\"repo:acme/app:environment:prod\"",
      "ForAnyValue:StringLike|\"repo:acme/*\""})
  void createRole_githubWithSubCheck_isAccepted(String operator, String values) {
    String principal = provider(GITHUB);
    String sub = "\"" + GITHUB + ":sub\": " + values;
    String policy = trust(principal, operator.equals("StringEquals")
        ? "\"StringEquals\": {\"" + GITHUB + ":aud\": \"sts.amazonaws.com\", " + sub + "}"
        : audOnly(GITHUB) + ", \"" + operator + "\": {" + sub + "}");
    String arn = clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(policy))
        .role().arn();
    assertThat(arn).isEqualTo(fake.roleArn("ci"));
  }

  @Test
  void createRole_issuerOfOneCustomer_needsNoSubCheck() {
    // CircleCI's issuer is per organization, EKS's per cluster: AWS lists neither as shared.
    String circle = "oidc.circleci.com/org/6b376885-8f20-45b2-ba2f-c27c0919bc6d";
    String policy = trust(provider(circle), "\"StringEquals\": {\"" + circle
        + ":aud\": \"6b376885-8f20-45b2-ba2f-c27c0919bc6d\"}");
    assertThat(clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(policy))
        .role().roleName()).isEqualTo("ci");
  }

  @Test
  void createOpenIdConnectProvider_withoutThumbprint_isAcceptedAsAwsNowDoes() {
    String arn = clients.iam.createOpenIDConnectProvider(r -> r
        .url("https://token.actions.githubusercontent.com").clientIDList("sts.amazonaws.com"))
        .openIDConnectProviderArn();
    assertThat(arn).isEqualTo(provider(GITHUB));
    GetOpenIdConnectProviderResponse got =
        clients.iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
    assertThat(got.url()).isEqualTo(GITHUB);
    assertThat(got.clientIDList()).containsExactly("sts.amazonaws.com");
    assertThat(got.thumbprintList()).isEmpty();
  }
}
