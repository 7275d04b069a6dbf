package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.policies.Finding.Severity;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One failing and one passing fixture per rule: the failing one must report the rule with its
 * severity at the given JSON pointer, the passing one must not report the rule at all.
 */
class PolicyLinterRulesTest {

  static final String PROVIDER =
      "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp";
  static final String SUB_AT =
      "/Statement/0/Condition/StringLike/services.gitpod.example.com~1idp:sub";

  /** A Gitpod trust policy with the given Condition element. */
  static String trust(String condition) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": %s}]}
        """.formatted(PROVIDER, condition);
  }

  /** A Gitpod trust policy with the default audience and the sub values under StringLike. */
  static String trustSubLike(String subValues) {
    return trust("""
        {"StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"},
         "StringLike": {"services.gitpod.example.com/idp:sub": %s}}
        """.formatted(subValues));
  }

  static final String GOOD_TRUST =
      trustSubLike("[\"https://github.com/acme/app\", \"https://github.com/acme/app/*\"]");

  static final String GH_SUB_AT =
      "/Statement/0/Condition/StringLike/token.actions.githubusercontent.com:sub";
  static final String ONA_ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String ONA_PRJ = "019527e4-75d5-704d-a5a4-a2b52cf56198";

  /** A GitHub Actions trust policy with the default audience and the sub under an operator. */
  static String github(String operator, String subValues) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated":
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {%s}}]}
        """.formatted(operator.equals("StringEquals")
            ? "\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\","
                + " \"token.actions.githubusercontent.com:sub\": " + subValues + "}"
            : "\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"},"
                + " \"" + operator + "\": {\"token.actions.githubusercontent.com:sub\": " + subValues
                + "}");
  }

  static final String GITHUB_NO_SUB = """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated":
          "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
          "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}
      """;

  /** An Ona trust policy with the default audience and the sub values under StringLike. */
  static String ona(String subValues) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/app.gitpod.io"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            "StringEquals": {"app.gitpod.io:aud": "sts.amazonaws.com"},
            "StringLike": {"app.gitpod.io:sub": %s}}}]}
        """.formatted(subValues);
  }

  static final String GOOD_IDENTITY = """
      {"Version": "2012-10-17", "Statement": [
        {"Sid": "GetAuthorizationToken", "Effect": "Allow",
         "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
      """;

  static final String GOOD_REPOSITORY = """
      {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowPull", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
      """;

  record Case(LintRule rule, Severity severity, PolicyKind kind, String location, String failing,
      String passing) {
    @Override
    public String toString() {
      return rule + " " + severity + " " + kind + " at " + location;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(LintRule.PARSE_ERROR, Severity.ERROR, PolicyKind.IDENTITY, "/Statement/0/Actions",
            """
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Actions": "ecr:BatchGetImage", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.VERSION_MISSING, Severity.WARNING, PolicyKind.IDENTITY, "",
            """
            {"Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
              "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.VERSION_INVALID, Severity.ERROR, PolicyKind.IDENTITY, "/Version",
            """
            {"Version": "2024-05-01", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.VERSION_LEGACY, Severity.SUGGESTION, PolicyKind.IDENTITY, "/Version",
            """
            {"Version": "2008-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.NO_STATEMENTS, Severity.ERROR, PolicyKind.IDENTITY, "/Statement",
            """
            {"Version": "2012-10-17", "Statement": []}
            """, GOOD_IDENTITY),
        new Case(LintRule.SID_INVALID, Severity.ERROR, PolicyKind.IDENTITY, "/Statement/0/Sid",
            """
            {"Version": "2012-10-17", "Statement": [{"Sid": "Get token", "Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.SID_DUPLICATE, Severity.ERROR, PolicyKind.IDENTITY, "/Statement/1/Sid",
            """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "Ecr", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
               "Resource": "*"},
              {"Sid": "Ecr", "Effect": "Allow", "Action": "ecr:BatchGetImage",
               "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/acme/app"}]}
            """, """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "Token", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
               "Resource": "*"},
              {"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage",
               "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/acme/app"}]}
            """),
        new Case(LintRule.PRINCIPAL_NOT_ALLOWED, Severity.ERROR, PolicyKind.IDENTITY,
            "/Statement/0/Principal", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.PRINCIPAL_NOT_ALLOWED, Severity.ERROR, PolicyKind.IDENTITY,
            "/Statement/0/NotPrincipal", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
              "NotPrincipal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.PRINCIPAL_MISSING, Severity.ERROR, PolicyKind.REPOSITORY,
            "/Statement/0", """
            {"Version": "2012-10-17", "Statement": [{"Sid": "AllowPull", "Effect": "Allow",
              "Action": "ecr:BatchGetImage"}]}
            """, GOOD_REPOSITORY),
        new Case(LintRule.PRINCIPAL_MISSING, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "sts:AssumeRoleWithWebIdentity"}]}
            """, GOOD_TRUST),
        new Case(LintRule.NOT_PRINCIPAL_WITH_ALLOW, Severity.WARNING, PolicyKind.REPOSITORY,
            "/Statement/0/NotPrincipal", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "NotPrincipal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "ecr:BatchGetImage"}]}
            """, GOOD_REPOSITORY),
        new Case(LintRule.RESOURCE_NOT_ALLOWED, Severity.ERROR, PolicyKind.REPOSITORY,
            "/Statement/0/Resource", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "ecr:BatchGetImage",
              "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/acme/app"}]}
            """, GOOD_REPOSITORY),
        new Case(LintRule.RESOURCE_NOT_ALLOWED, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/NotResource", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "sts:AssumeRole", "NotResource": "arn:aws:iam::*:role/admin"}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "sts:AssumeRole"}]}
            """),
        new Case(LintRule.RESOURCE_MISSING, Severity.ERROR, PolicyKind.IDENTITY, "/Statement/0",
            """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.ACTION_MISSING, Severity.ERROR, PolicyKind.IDENTITY, "/Statement/0",
            """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}
            """, GOOD_IDENTITY),
        new Case(LintRule.CONDITION_NO_VALUES, Severity.ERROR, PolicyKind.REPOSITORY,
            "/Statement/0/Condition/StringEquals/aws:PrincipalOrgID", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "ecr:BatchGetImage",
              "Condition": {"StringEquals": {"aws:PrincipalOrgID": []}}}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "ecr:BatchGetImage",
              "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
            """),
        new Case(LintRule.NULL_WITH_IF_EXISTS, Severity.ERROR, PolicyKind.IDENTITY,
            "/Statement/0/Condition/NullIfExists", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*",
              "Condition": {"NullIfExists": {"aws:MultiFactorAuthAge": "false"}}}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*",
              "Condition": {"Null": {"aws:MultiFactorAuthAge": "false"}}}]}
            """),
        new Case(LintRule.WILDCARD_WITHOUT_LIKE, Severity.WARNING, PolicyKind.IDENTITY,
            "/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "dev*"}}}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:GetAuthorizationToken", "Resource": "*",
              "Condition": {"StringLike": {"aws:PrincipalTag/team": "dev*"}}}]}
            """),
        new Case(LintRule.WILDCARD_WITHOUT_LIKE, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Condition/StringEquals/services.gitpod.example.com~1idp:sub/1",
            trust("""
                {"StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com",
                  "services.gitpod.example.com/idp:sub": ["https://github.com/acme/app",
                    "https://github.com/acme/app/*"]}}
                """), GOOD_TRUST),
        new Case(LintRule.FOR_ALL_VALUES_WITH_ALLOW, Severity.WARNING, PolicyKind.IDENTITY,
            "/Statement/0/Condition/ForAllValues:StringEquals/aws:TagKeys", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:TagResource", "Resource": "*",
              "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Action": "ecr:TagResource", "Resource": "*",
              "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
                            "Null": {"aws:TagKeys": "false"}}}]}
            """),
        new Case(LintRule.TRUST_PRINCIPAL_WILDCARD, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Principal", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {"StringLike": {"services.gitpod.example.com/idp:sub":
                "https://github.com/acme/app/*"}}}]}
            """, GOOD_TRUST),
        new Case(LintRule.TRUST_FEDERATED_NOT_OIDC_PROVIDER, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Principal/Federated", GOOD_TRUST.replace(PROVIDER,
                "arn:aws:iam::123456789012:saml-provider/gitpod"), GOOD_TRUST),
        new Case(LintRule.TRUST_FEDERATED_NOT_OIDC_PROVIDER, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Principal/Federated", GOOD_TRUST.replace("oidc-provider/",
                "oidc-provider/https://"), GOOD_TRUST),
        new Case(LintRule.TRUST_ACTION_MISMATCH, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Action", GOOD_TRUST.replace("sts:AssumeRoleWithWebIdentity",
                "sts:AssumeRole"), GOOD_TRUST),
        new Case(LintRule.TRUST_ACTION_MISMATCH, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Action", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "sts:AssumeRoleWithWebIdentity"}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
              "Action": "sts:AssumeRole"}]}
            """),
        new Case(LintRule.TRUST_NO_SUB_CONDITION, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0", trust("""
                {"StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"}}
                """), GOOD_TRUST),
        new Case(LintRule.TRUST_NO_SUB_CONDITION, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0", trust("""
                {"StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"},
                 "StringNotLike": {"services.gitpod.example.com/idp:sub":
                   "https://github.com/evil/*"}}
                """), GOOD_TRUST),
        new Case(LintRule.TRUST_NO_AUD_CONDITION, Severity.WARNING, PolicyKind.TRUST,
            "/Statement/0", trust("""
                {"StringLike": {"services.gitpod.example.com/idp:sub":
                  ["https://github.com/acme/app", "https://github.com/acme/app/*"]}}
                """), GOOD_TRUST),
        new Case(LintRule.TRUST_SUB_WILDCARD_ALL, Severity.ERROR, PolicyKind.TRUST, SUB_AT,
            trustSubLike("\"*\""), GOOD_TRUST),
        new Case(LintRule.TRUST_SUB_MATCHES_SIBLINGS, Severity.ERROR, PolicyKind.TRUST, SUB_AT,
            trustSubLike("\"https://github.com/acme/app*\""), GOOD_TRUST),
        new Case(LintRule.TRUST_SUB_MATCHES_SIBLINGS, Severity.ERROR, PolicyKind.TRUST,
            SUB_AT + "/1",
            trustSubLike("[\"https://github.com/acme/app\", \"https://github.com/acme/ap?\"]"),
            trustSubLike("[\"https://github.com/acme/app\", \"https://github.com/acme/app/?*\"]")),
        new Case(LintRule.TRUST_SUB_TOO_BROAD, Severity.ERROR, PolicyKind.TRUST, SUB_AT,
            trustSubLike("\"https://github.com/*\""),
            trustSubLike("\"https://github.com/acme/*\"")),
        new Case(LintRule.TRUST_SUB_TOO_BROAD, Severity.ERROR, PolicyKind.TRUST, SUB_AT,
            trustSubLike("\"https://*/acme/app\""), GOOD_TRUST),
        new Case(LintRule.TRUST_SUB_NEVER_MATCHES, Severity.ERROR, PolicyKind.TRUST, SUB_AT,
            trustSubLike("\"repo:acme/app:*\""), GOOD_TRUST),
        new Case(LintRule.TRUST_SUB_NEVER_MATCHES, Severity.ERROR, PolicyKind.TRUST,
            SUB_AT + "/0",
            trustSubLike("[\"http://github.com/acme/app\", \"no-context\"]"),
            trustSubLike("[\"https://github.com/acme/app\", \"no-context\"]")),
        new Case(LintRule.TRUST_SUB_NEVER_MATCHES, Severity.ERROR, PolicyKind.TRUST,
            GH_SUB_AT, github("StringLike", "\"https://github.com/acme/app/*\""),
            github("StringLike", "\"repo:acme/app:*\"")),
        new Case(LintRule.TRUST_SUB_MATCHES_SIBLINGS, Severity.ERROR, PolicyKind.TRUST,
            GH_SUB_AT, github("StringLike", "\"repo:acme/app*\""),
            github("StringLike", "\"repo:acme/app:*\"")),
        new Case(LintRule.TRUST_SUB_ORG_WIDE, Severity.WARNING, PolicyKind.TRUST,
            GH_SUB_AT, github("StringLike", "\"repo:acme/*\""),
            github("StringLike", "\"repo:acme/app:*\"")),
        new Case(LintRule.TRUST_SUB_OTHER_TOKEN_VERSION, Severity.WARNING, PolicyKind.TRUST,
            "/Statement/0/Condition/StringLike/app.gitpod.io:sub",
            ona("\"org:" + ONA_ORG + "/prj:" + ONA_PRJ + "/*\""),
            ona("\"organization_id:" + ONA_ORG + ":project_id:" + ONA_PRJ + "*\"")),
        new Case(LintRule.TRUST_SUB_CASE_SENSITIVE, Severity.SUGGESTION, PolicyKind.TRUST,
            "/Statement/0/Condition/StringEquals/token.actions.githubusercontent.com:sub",
            github("StringEquals", "\"repo:Acme/App:ref:refs/heads/main\""),
            github("StringEquals", "\"repo:acme/app:ref:refs/heads/main\"")),
        new Case(LintRule.TRUST_NO_SUB_CONDITION, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0", GITHUB_NO_SUB, github("StringLike", "\"repo:acme/app:*\"")),
        new Case(LintRule.TRUST_FOR_ALL_VALUES_ON_CLAIM, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Condition/ForAllValues:StringLike/token.actions.githubusercontent.com:sub",
            github("ForAllValues:StringLike", "\"repo:acme/app:*\""),
            github("StringLike", "\"repo:acme/app:*\"")),
        new Case(LintRule.TRUST_CONDITION_KEY_OTHER_PROVIDER, Severity.ERROR, PolicyKind.TRUST,
            "/Statement/0/Condition/StringLike/token.actions.githubusercontent.com:sub",
            trust("""
                {"StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"},
                 "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}
                """), GOOD_TRUST),
        new Case(LintRule.REPOSITORY_PUBLIC, Severity.ERROR, PolicyKind.REPOSITORY,
            "/Statement/0/Principal", """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "ecr:BatchGetImage"}]}
            """, """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "ecr:BatchGetImage",
              "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failingFixture_reportsTheRuleAtTheLocation(Case c) {
    List<Finding> findings = PolicyLinter.create().lint(c.failing(), c.kind());

    assertThat(findings)
        .filteredOn(f -> f.id().equals(c.rule().id()))
        .as("findings: %s", findings)
        .anySatisfy(f -> {
          assertThat(f.severity()).isEqualTo(c.severity());
          assertThat(f.location()).isEqualTo(c.location());
          assertThat(f.message()).isNotBlank();
          assertThat(f.fix()).isNotBlank();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void passingFixture_doesNotReportTheRule(Case c) {
    List<Finding> findings = PolicyLinter.create().lint(c.passing(), c.kind());

    assertThat(findings).extracting(Finding::id).doesNotContain(c.rule().id());
  }

  @Test
  void everyRule_hasAFailingFixture() {
    Set<LintRule> covered = cases().map(Case::rule).collect(Collectors.toSet());
    Set<LintRule> missing = EnumSet.allOf(LintRule.class);
    missing.removeAll(covered);
    missing.remove(LintRule.POLICY_TOO_LARGE);  // PolicyLinterTest covers it with builders
    assertThat(missing).isEmpty();
  }
}
