package dev.oidcecr.policies;

import static dev.oidcecr.policies.PolicyLinterRulesTest.GOOD_TRUST;
import static dev.oidcecr.policies.PolicyLinterRulesTest.PROVIDER;
import static dev.oidcecr.policies.PolicyLinterRulesTest.trust;
import static dev.oidcecr.policies.PolicyLinterRulesTest.trustSubLike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcecr.policies.Finding.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyLinterTest {

  private final PolicyLinter linter = PolicyLinter.create();

  private static TrustPolicy.Builder gitpod() {
    return TrustPolicy.builder().issuer("https://services.gitpod.example.com/idp")
        .account("123456789012");
  }

  private static PolicyDocument trustWithRepositories(int count) {
    TrustPolicy.Builder b = gitpod();
    for (int i = 0; i < count; i++) {
      b.repository("https://github.com/acme/service-" + i);
    }
    return b.build();
  }

  private List<String> ids(String json, PolicyKind kind) {
    return linter.lint(json, kind).stream().map(Finding::id).toList();
  }

  @Test
  void lint_trustPolicyOverDefaultQuota_isAnErrorUnlessTheQuotaIsRaised() {
    PolicyDocument big = trustWithRepositories(40);
    assertThat(big.quotaSize()).isGreaterThan(2048).isLessThan(4096);

    assertThat(linter.lint(big, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("POLICY_TOO_LARGE");
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.location()).isEmpty();
      assertThat(f.message()).contains(Integer.toString(big.quotaSize())).contains("2048");
    });
    assertThat(PolicyLinter.builder().trustPolicyQuota(4096).build().lint(big, PolicyKind.TRUST))
        .isEmpty();
  }

  @Test
  void lint_size_doesNotCountWhitespace() {
    int n = 1;
    while (trustWithRepositories(n + 1).quotaSize() <= 2048) {
      n++;
    }
    PolicyDocument justUnder = trustWithRepositories(n);
    String pretty = justUnder.toPrettyJson();
    assertThat(pretty.length()).as("pretty length").isGreaterThan(2048);

    assertThat(linter.lint(pretty, PolicyKind.TRUST)).isEmpty();
    assertThat(linter.lint(trustWithRepositories(n + 1), PolicyKind.TRUST))
        .extracting(Finding::id).containsExactly("POLICY_TOO_LARGE");
  }

  @Test
  void lint_identityAndRepositoryPolicies_useTheirOwnQuotas() {
    PermissionPolicy.Builder permissions = PermissionPolicy.builder();
    RepositoryPolicy.Builder repository = RepositoryPolicy.builder();
    for (int i = 0; i < 200; i++) {
      permissions.repository("123456789012", "eu-west-1", "acme/service-" + i);
      repository.allowRole("arn:aws:iam::123456789012:role/workspace-role-" + i);
    }
    PolicyDocument identity = permissions.build();
    PolicyDocument repo = repository.build();
    assertThat(identity.quotaSize()).isGreaterThan(10240);
    assertThat(repo.quotaSize()).isGreaterThan(10240);

    assertThat(linter.lint(identity, PolicyKind.IDENTITY)).extracting(Finding::id)
        .containsExactly("POLICY_TOO_LARGE");
    assertThat(linter.lint(repo, PolicyKind.REPOSITORY)).extracting(Finding::id)
        .containsExactly("POLICY_TOO_LARGE");
    PolicyLinter roomy = PolicyLinter.builder().identityPolicyQuota(100_000)
        .repositoryPolicyQuota(100_000).build();
    assertThat(roomy.lint(identity, PolicyKind.IDENTITY)).isEmpty();
    assertThat(roomy.lint(repo, PolicyKind.REPOSITORY)).isEmpty();
  }

  @Test
  void lint_json_thatDoesNotParse_isOneErrorWithThePointer() {
    List<Finding> findings = linter.lint("""
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ecr:*",
          "Resource": "*", "Effect": "Deny"}}
        """, PolicyKind.IDENTITY);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo(LintRule.PARSE_ERROR.id());
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.location()).isEqualTo("/Statement/Effect");
      assertThat(f.message()).contains("/Statement/Effect");
    });
    assertThat(linter.lint("not json", PolicyKind.TRUST)).extracting(Finding::id)
        .containsExactly("PARSE_ERROR");
  }

  @Test
  void lint_document_andItsJson_giveTheSameFindings() {
    PolicyDocument doc = PolicyDocument.parse(trustSubLike("\"https://github.com/acme/app*\""));

    assertThat(linter.lint(doc, PolicyKind.TRUST))
        .isEqualTo(linter.lint(doc.toJson(), PolicyKind.TRUST))
        .extracting(Finding::id).containsExactly("TRUST_SUB_MATCHES_SIBLINGS");
  }

  @Test
  void siblingFinding_namesAnExampleSiblingAndTheSafePair() {
    Finding f = linter.lint(trustSubLike("\"https://github.com/acme/app*\""), PolicyKind.TRUST)
        .get(0);

    assertThat(f.message()).contains("https://github.com/acme/app-evil");
    assertThat(f.fix())
        .contains("[\"https://github.com/acme/app\", \"https://github.com/acme/app/*\"]");
  }

  @Test
  void wildcardInsideANameBelowTheRepository_isOnlyAWarning() {
    List<Finding> findings = linter.lint(trustSubLike(
        "[\"https://github.com/acme/app\", \"https://github.com/acme/app/pull/1*\"]"),
        PolicyKind.TRUST);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_SUB_MATCHES_SIBLINGS");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
    });
  }

  @Test
  void gitpodSubjectRules_skipProvidersWhoseSubjectsAreNotUrls() {
    String githubActions = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated":
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}}]}
        """;

    assertThat(linter.lint(githubActions, PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void neverMatchingSubject_ofAnUnknownProvider_isAWarning() {
    String custom = GOOD_TRUST.replace("services.gitpod.example.com/idp", "oidc.example.com")
        .replace("https://github.com/acme/app/*", "project:acme/app");

    assertThat(linter.lint(custom, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_SUB_NEVER_MATCHES");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
    });
  }

  @Test
  void subjectPattern_tooShortForAnyGitpodSubject_neverMatchesButIsNotMatchAll() {
    assertThat(ids(trustSubLike("\"?\""), PolicyKind.TRUST))
        .containsExactly("TRUST_SUB_NEVER_MATCHES");
    assertThat(ids(trustSubLike("\"?*\""), PolicyKind.TRUST))
        .containsExactly("TRUST_SUB_WILDCARD_ALL");
  }

  @Test
  void subjectPattern_thatCanMatchHttpsOrNoContext_isAccepted() {
    assertThat(ids(trustSubLike("[\"https://github.com/acme/app/*\", \"no-cont?xt\"]"),
        PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void tagSessionBesideWebIdentity_isNotAMismatch() {
    String json = GOOD_TRUST.replace("\"Action\": \"sts:AssumeRoleWithWebIdentity\"",
        "\"Action\": [\"sts:AssumeRoleWithWebIdentity\", \"sts:TagSession\"]");

    assertThat(ids(json, PolicyKind.TRUST)).isEmpty();
    assertThat(ids(json.replace("sts:TagSession", "sts:AssumeRoleWithSAML"), PolicyKind.TRUST))
        .containsExactly("TRUST_ACTION_MISMATCH");
  }

  @Test
  void secondFederatedValue_isLocatedByIndex() {
    String json = GOOD_TRUST.replace("\"Federated\": \"" + PROVIDER + "\"",
        "\"Federated\": [\"" + PROVIDER + "\", \"accounts.google.com\"]");

    assertThat(linter.lint(json, PolicyKind.TRUST)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("TRUST_FEDERATED_NOT_OIDC_PROVIDER");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.location()).isEqualTo("/Statement/0/Principal/Federated/1");
    });
  }

  @Test
  void awsWildcardAmongOtherPrincipals_isLocatedByIndex() {
    String json = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": ["arn:aws:iam::210987654321:root", "*"]},
          "Action": "ecr:BatchGetImage"}]}
        """;

    assertThat(linter.lint(json, PolicyKind.REPOSITORY)).singleElement().satisfies(f -> {
      assertThat(f.id()).isEqualTo("REPOSITORY_PUBLIC");
      assertThat(f.location()).isEqualTo("/Statement/0/Principal/AWS/1");
    });
  }

  @Test
  void conditionKeys_matchTheProviderCaseInsensitively() {
    String json = trust("""
        {"StringEquals": {"Services.Gitpod.Example.com/idp:AUD": "sts.amazonaws.com"},
         "StringLike": {"services.gitpod.example.com/idp:Sub": "https://github.com/acme/*"}}
        """);

    assertThat(ids(json, PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void denyStatementsInATrustPolicy_needNoSubCondition() {
    String json = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Federated": "%1$s"},
           "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {
             "StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"},
             "StringLike": {"services.gitpod.example.com/idp:sub": "https://github.com/acme/*"}}},
          {"Effect": "Deny", "Principal": {"Federated": "%1$s"},
           "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {"StringLike": {"services.gitpod.example.com/idp:sub":
             "https://github.com/acme/secrets/*"}}}]}
        """.formatted(PROVIDER);

    assertThat(ids(json, PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void trustPoliciesForOtherPrincipals_areNotHeldToTheOidcRules() {
    String service = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        """;
    String account = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
          "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
        """;
    String saml = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/okta"},
          "Action": "sts:AssumeRoleWithSAML",
          "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
        """;
    String isoPartition = GOOD_TRUST.replace("arn:aws:iam::", "arn:aws-iso:iam::");

    assertThat(ids(service, PolicyKind.TRUST)).isEmpty();
    assertThat(ids(account, PolicyKind.TRUST)).isEmpty();
    assertThat(ids(saml, PolicyKind.TRUST)).isEmpty();
    assertThat(ids(isoPartition, PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void suppress_removesTheRulesFindings() {
    PolicyLinter quiet = PolicyLinter.builder().suppress(LintRule.TRUST_NO_AUD_CONDITION).build();
    String noAud = trust("""
        {"StringLike": {"services.gitpod.example.com/idp:sub": "https://github.com/acme/*"}}
        """);

    assertThat(ids(noAud, PolicyKind.TRUST)).containsExactly("TRUST_NO_AUD_CONDITION");
    assertThat(quiet.lint(noAud, PolicyKind.TRUST)).isEmpty();
  }

  @Test
  void builder_rejectsNonPositiveQuotas() {
    assertThatThrownBy(() -> PolicyLinter.builder().trustPolicyQuota(0))
        .isInstanceOf(PolicyException.class).hasMessageContaining("positive");
  }

  @Test
  void finding_toStringShowsSeverityIdLocationMessageAndFix() {
    Finding f = Finding.of(LintRule.TRUST_NO_SUB_CONDITION, "/Statement/0", "No sub.",
        "Add one.");

    assertThat(f.toString())
        .isEqualTo("ERROR TRUST_NO_SUB_CONDITION at /Statement/0: No sub. Fix: Add one.");
    assertThat(Finding.of(LintRule.VERSION_MISSING, "", "m", "f").toString())
        .contains("at (document)");
  }

  @Test
  void hasErrors_isTrueOnlyWhenAFindingIsAnError() {
    Finding warning = Finding.of(LintRule.TRUST_NO_AUD_CONDITION, "/Statement/0", "m", "f");
    Finding error = Finding.of(LintRule.TRUST_NO_SUB_CONDITION, "/Statement/0", "m", "f");

    assertThat(Finding.hasErrors(List.of())).isFalse();
    assertThat(Finding.hasErrors(List.of(warning))).isFalse();
    assertThat(Finding.hasErrors(List.of(warning, error))).isTrue();
    assertThat(error.isError()).isTrue();
  }

  @Test
  void ruleIds_areUpperSnakeCaseAndStable() {
    for (LintRule rule : LintRule.values()) {
      assertThat(rule.id()).matches("[A-Z]+(_[A-Z]+)*").isEqualTo(rule.name());
      assertThat(rule.summary()).isNotBlank();
    }
  }
}
