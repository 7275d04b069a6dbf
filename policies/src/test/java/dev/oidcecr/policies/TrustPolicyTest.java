package dev.oidcecr.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustPolicyTest {

  private static final String ISSUER = "https://services.gitpod.example.com/idp";
  private static final String PROVIDER =
      "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp";
  private static final String SUB = "services.gitpod.example.com/idp:sub";
  private static final String AUD = "services.gitpod.example.com/idp:aud";

  private static TrustPolicy.Builder gitpod() {
    return TrustPolicy.builder().issuer(ISSUER).account("123456789012");
  }

  private static Statement only(PolicyDocument doc) {
    assertThat(doc.statements()).hasSize(1);
    return doc.statements().get(0);
  }

  private static Condition condition(Statement s, String key) {
    return s.conditions().stream().filter(c -> c.key().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void build_withIssuerAndAccount_derivesProviderArnAndKeys() {
    Statement s = only(gitpod().repository("https://github.com/acme/app").build());

    assertThat(s.effect()).isEqualTo(Effect.ALLOW);
    assertThat(s.principal()).contains(Principal.federated(PROVIDER));
    assertThat(s.actions()).containsExactly("sts:AssumeRoleWithWebIdentity");
    assertThat(condition(s, AUD))
        .isEqualTo(Condition.of(ConditionOperator.STRING_EQUALS, AUD, "sts.amazonaws.com"));
    assertThat(s.resources()).isEmpty();
  }

  @Test
  void repository_allowsTheRepositoryAndItsSubPathsOnly() {
    Statement s = only(gitpod().repository("https://github.com/acme/app").build());

    assertThat(condition(s, SUB)).isEqualTo(Condition.of(ConditionOperator.STRING_LIKE, SUB,
        "https://github.com/acme/app", "https://github.com/acme/app/*"));
  }

  @Test
  void repository_stripsTrailingSlashAndDotGit() {
    Statement a = only(gitpod().repository("https://github.com/acme/app.git").build());
    Statement b = only(gitpod().repository("https://github.com/acme/app/").build());

    assertThat(condition(a, SUB).values())
        .containsExactly("https://github.com/acme/app", "https://github.com/acme/app/*");
    assertThat(condition(b, SUB)).isEqualTo(condition(a, SUB));
  }

  @Test
  void contextUrl_aloneGivesStringEquals() {
    Statement s = only(gitpod().contextUrl("https://github.com/acme/app/pull/42").build());

    assertThat(condition(s, SUB)).isEqualTo(Condition.of(ConditionOperator.STRING_EQUALS, SUB,
        "https://github.com/acme/app/pull/42"));
  }

  @Test
  void organization_givesOnePatternUnderTheOrganization() {
    Statement s = only(gitpod().organization("https://gitlab.com/acme/").build());

    assertThat(condition(s, SUB))
        .isEqualTo(Condition.of(ConditionOperator.STRING_LIKE, SUB, "https://gitlab.com/acme/*"));
  }

  @Test
  void severalRules_areOredInOneStringLikeCondition() {
    Statement s = only(gitpod()
        .contextUrl("https://github.com/acme/web/pull/1")
        .repository("https://github.com/acme/app")
        .subjectPattern("no-context")
        .build());

    assertThat(s.conditions()).hasSize(2);
    assertThat(condition(s, SUB)).isEqualTo(Condition.of(ConditionOperator.STRING_LIKE, SUB,
        "https://github.com/acme/web/pull/1", "https://github.com/acme/app",
        "https://github.com/acme/app/*", "no-context"));
  }

  @Test
  void duplicateRules_areWrittenOnce() {
    Statement s = only(gitpod().repository("https://github.com/acme/app")
        .repository("https://github.com/acme/app.git").build());

    assertThat(condition(s, SUB).values()).hasSize(2);
  }

  @Test
  void audience_replacesTheDefaultAndAcceptsSeveral() {
    Statement s = only(gitpod().audience("sts.amazonaws.com", "my-client")
        .repository("https://github.com/acme/app").build());

    assertThat(condition(s, AUD).values()).containsExactly("sts.amazonaws.com", "my-client");
  }

  @Test
  void providerArn_isUsedAsIsWithItsPartition() {
    String arn = "arn:aws-cn:iam::123456789012:oidc-provider/services.gitpod.example.cn/idp";
    Statement s = only(TrustPolicy.builder().providerArn(arn)
        .repository("https://github.com/acme/app").build());

    assertThat(s.principal().orElseThrow().federated()).containsExactly(arn);
    assertThat(s.conditions()).extracting(Condition::key)
        .containsExactly("services.gitpod.example.cn/idp:aud", "services.gitpod.example.cn/idp:sub");
  }

  @Test
  void partition_appliesToTheDerivedProviderArn() {
    Statement s = only(gitpod().partition("aws-us-gov")
        .repository("https://github.com/acme/app").build());

    assertThat(s.principal().orElseThrow().federated()).containsExactly(
        "arn:aws-us-gov:iam::123456789012:oidc-provider/services.gitpod.example.com/idp");
  }

  @Test
  void gitpodDomain_isTheServicesIdpIssuer() {
    assertThat(TrustPolicy.builder().gitpodDomain("gitpod.example.com").account("123456789012")
        .repository("https://github.com/acme/app").build())
        .isEqualTo(gitpod().repository("https://github.com/acme/app").build());
  }

  @Test
  void issuer_withTrailingSlashAndUpperCaseHost_isNormalized() {
    PolicyDocument doc = TrustPolicy.builder()
        .issuer("https://Services.Gitpod.Example.com/idp/").account("123456789012")
        .repository("https://github.com/acme/app").build();

    assertThat(doc).isEqualTo(gitpod().repository("https://github.com/acme/app").build());
  }

  @Test
  void issuer_inConditionKeyFormWithoutScheme_isReadAsHttps() {
    assertThat(TrustPolicy.builder().issuer("services.gitpod.example.com/idp")
        .account("123456789012").repository("https://github.com/acme/app").build())
        .isEqualTo(gitpod().repository("https://github.com/acme/app").build());
  }

  @Test
  void issuer_thatIsNotHttpsOrHasPortOrQuery_isRejectedWithTheFix() {
    for (String bad : List.of("http://services.gitpod.example.com/idp",
        "ftp://services.gitpod.example.com/idp", "https://services.gitpod.example.com:8443/idp",
        "https://services.gitpod.example.com/idp?x=1", "https://user@gitpod.example.com/idp")) {
      assertThatThrownBy(() -> TrustPolicy.builder().issuer(bad))
          .as(bad).isInstanceOf(PolicyException.class).hasMessageContaining(bad);
    }
  }

  @Test
  void build_withoutSubjectRule_isRejectedUnlessAnySubjectIsExplicit() {
    assertThatThrownBy(() -> gitpod().build())
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("any workspace of any user")
        .hasMessageContaining("anySubject()");

    Statement s = only(gitpod().anySubject().build());
    assertThat(s.conditions()).extracting(Condition::key).containsExactly(AUD);
  }

  @Test
  void anySubject_withSubjectRules_isRejected() {
    assertThatThrownBy(() -> gitpod().anySubject().repository("https://github.com/acme/app")
        .build()).isInstanceOf(PolicyException.class).hasMessageContaining("anySubject()");
  }

  @Test
  void build_withoutProviderOrAccount_namesWhatIsMissing() {
    assertThatThrownBy(() -> TrustPolicy.builder().repository("https://github.com/acme/app")
        .build()).isInstanceOf(PolicyException.class).hasMessageContaining("issuer(url)");
    assertThatThrownBy(() -> TrustPolicy.builder().issuer(ISSUER)
        .repository("https://github.com/acme/app").build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("account(id)");
  }

  @Test
  void providerArn_contradictingIssuerOrAccount_isRejected() {
    assertThatThrownBy(() -> TrustPolicy.builder().providerArn(PROVIDER)
        .issuer("https://api.gitpod.io/idp").repository("https://github.com/acme/app").build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("does not match");
    assertThatThrownBy(() -> TrustPolicy.builder().providerArn(PROVIDER).account("210987654321")
        .repository("https://github.com/acme/app").build())
        .isInstanceOf(PolicyException.class).hasMessageContaining("123456789012");
  }

  @Test
  void invalidProviderArnAccountOrPartition_isRejected() {
    assertThatThrownBy(() -> TrustPolicy.builder()
        .providerArn("arn:aws:iam::123456789012:saml-provider/gitpod"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("oidc-provider/");
    assertThatThrownBy(() -> TrustPolicy.builder()
        .providerArn("arn:aws:iam::123456789012:oidc-provider/https://gitpod.example.com/idp"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("issuer host and path");
    assertThatThrownBy(() -> TrustPolicy.builder().account("12345"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("12 digits");
    assertThatThrownBy(() -> TrustPolicy.builder().partition("aws-iso-x"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("aws-us-gov");
  }

  @Test
  void subjectUrls_withWildcardsOrNotHttpsOrTooShort_areRejected() {
    assertThatThrownBy(() -> gitpod().repository("https://github.com/acme/app*"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("subjectPattern");
    assertThatThrownBy(() -> gitpod().repository("git@github.com:acme/app.git"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("https://");
    assertThatThrownBy(() -> gitpod().repository("https://github.com/acme"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("2 path segments");
    assertThatThrownBy(() -> gitpod().organization("https://github.com/"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("1 path segment");
    assertThatThrownBy(() -> gitpod().contextUrl("https://github.com/acme/app?tab=1"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("query");
    assertThatThrownBy(() -> gitpod().repository("https://github.com/acme/ap?"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("query");
  }

  @Test
  void subjectPattern_withWildcard_switchesToStringLike() {
    Statement s = only(gitpod().subjectPattern("https://github.com/acme/app/tree/*").build());

    assertThat(condition(s, SUB).operator()).isEqualTo(ConditionOperator.STRING_LIKE);
  }

  @Test
  void sid_isWrittenWhenGivenAndValidated() {
    Statement s = only(gitpod().sid("GitpodWorkspaces").repository("https://github.com/acme/app")
        .build());

    assertThat(s.sid()).contains("GitpodWorkspaces");
    assertThatThrownBy(() -> gitpod().sid("Gitpod workspaces"))
        .isInstanceOf(PolicyException.class);
  }

  @Test
  void builtPolicies_areLintClean() {
    PolicyLinter linter = PolicyLinter.create();
    List<PolicyDocument> docs = List.of(
        gitpod().repository("https://github.com/acme/app").build(),
        gitpod().contextUrl("https://github.com/acme/app/pull/42").build(),
        gitpod().organization("https://github.com/acme").build(),
        gitpod().audience("sts.amazonaws.com", "other").subjectPattern("no-context")
            .repository("https://gitlab.com/acme/group/app").build(),
        TrustPolicy.builder().providerArn(
            "arn:aws-cn:iam::123456789012:oidc-provider/services.gitpod.example.cn/idp")
            .sid("Gitpod").repository("https://github.com/acme/app").build());

    for (PolicyDocument doc : docs) {
      assertThat(linter.lint(doc, PolicyKind.TRUST)).as(doc.toJson()).isEmpty();
      assertThat(PolicyDocument.parse(doc.toJson())).isEqualTo(doc);
    }
  }

  @Test
  void anySubject_isFlaggedByTheLinter() {
    assertThat(PolicyLinter.create().lint(gitpod().anySubject().build(), PolicyKind.TRUST))
        .extracting(Finding::id).containsExactly("TRUST_NO_SUB_CONDITION");
  }
}
