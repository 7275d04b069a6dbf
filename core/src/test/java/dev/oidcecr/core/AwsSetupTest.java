package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.RecordedCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

class AwsSetupTest {
  static final String GITPOD_ACCOUNT = "210987654321";
  static FakeAws aws;
  static AwsClients clients;
  SteppingClock clock;

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
  void emptyAccount() {
    aws.reset();
    clients.ecr.createRepository(r -> r.repositoryName("acme/app"));
    clock = new SteppingClock(Instant.parse("2026-11-26T12:00:00Z"));
  }

  AwsSetup.Builder setup() {
    // tag::setup[]
    AwsSetup.Builder builder = AwsSetup.builder()
        .iamClient(clients.iam)                       // SDK clients with admin credentials
        .ecrClient(clients.ecr)
        .accountId(aws.accountId())                   // the account of the role and registry
        .issuerUrl(aws.issuer().issuer())             // or gitpodDomain("gitpod.example.com")
        .roleName("gitpod-ecr-pull")
        .allowRepository("https://github.com/acme/app")  // who may assume the role
        .repositories("acme/app")                     // what the role may pull
        .gitpodAccountId(GITPOD_ACCOUNT);             // lets workspace starts pull too
    // end::setup[]
    return builder.clock(clock).sleeper(clock);       // retries advance a fake clock
  }

  AwsSetup.Builder trusting(PolicyDocument trustPolicy) {
    return AwsSetup.builder().iamClient(clients.iam).ecrClient(clients.ecr)
        .accountId(aws.accountId()).issuerUrl(aws.issuer().issuer()).roleName("gitpod-ecr-pull")
        .trustPolicy(trustPolicy).repositories("acme/app").clock(clock).sleeper(clock);
  }

  @Test
  void apply_fromEmptyState_createsEverythingAndAWorkspaceCanLogIn() {
    AwsSetup setup = setup().build();

    // tag::apply[]
    SetupPlan plan = setup.plan();
    SetupResult result = setup.apply();
    // end::apply[]

    assertThat(plan.changes()).extracting(SetupChange::kind).containsExactly(
        SetupChange.Kind.CREATE_PROVIDER, SetupChange.Kind.CREATE_ROLE,
        SetupChange.Kind.PUT_INLINE_POLICY, SetupChange.Kind.SET_REPOSITORY_POLICY);
    assertThat(plan.findings()).noneMatch(f -> f.severity() == Finding.Severity.ERROR);
    assertThat(plan.render()).contains("4 changes", "1. CREATE_PROVIDER", "+ ");
    assertThat(result.changes()).isEqualTo(plan.changes());
    assertThat(result.render()).contains("Applied 4 changes", result.roleArn(), "Next steps");
    assertThat(result.roleArn()).isEqualTo(aws.roleArn("gitpod-ecr-pull"));
    assertThat(result.providerArn()).isEqualTo(aws.providerArn());
    assertThat(result.nextSteps()).anySatisfy(s ->
        assertThat(s).contains("IDP_AWS_ROLE_ARN=" + result.roleArn()));
    assertThat(result.nextSteps()).anySatisfy(s ->
        assertThat(s).contains("oidc-ecr login").contains(aws.registryHost()));

    assertThat(clients.iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(
        aws.providerArn())).clientIDList()).containsExactly("sts.amazonaws.com");
    assertThat(PolicyDocument.parse(clients.iam.getRole(r -> r.roleName("gitpod-ecr-pull"))
        .role().assumeRolePolicyDocument())).isEqualTo(setup.trustPolicy());
    assertThat(PolicyDocument.parse(clients.iam.getRolePolicy(r -> r.roleName("gitpod-ecr-pull")
        .policyName(AwsSetup.DEFAULT_INLINE_POLICY_NAME)).policyDocument()))
        .isEqualTo(setup.permissionPolicy());
    PolicyDocument repositoryPolicy = PolicyDocument.parse(clients.ecr.getRepositoryPolicy(
        r -> r.repositoryName("acme/app")).policyText());
    assertThat(repositoryPolicy.statement("OidcEcrAllowPull")).hasValueSatisfying(s ->
        assertThat(s.principal().orElseThrow().aws())
            .containsExactly("arn:aws:iam::" + GITPOD_ACCOUNT + ":root"));

    String token = aws.issuer().token().repository("https://github.com/acme/app/pull/7").mint();
    assertThat(clients.login(result.roleArn(), token))
        .isEqualTo("https://" + aws.registryHost());
  }

  @Test
  void apply_twice_secondApplyChangesNothing() {
    setup().build().apply();
    int before = aws.requests().size();

    SetupPlan plan = setup().build().plan();
    SetupResult second = setup().build().apply();

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.render()).contains("No changes");
    assertThat(second.changes()).isEmpty();
    Set<String> writes = Set.of("CreateOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
        "CreateRole", "UpdateAssumeRolePolicy", "UpdateRole", "PutRolePolicy",
        "SetRepositoryPolicy");
    List<RecordedCall> after = aws.requests().subList(before, aws.requests().size());
    assertThat(after).isNotEmpty().noneMatch(c -> writes.contains(c.operation()));
  }

  @Test
  void plan_afterSomeoneEditedTheTrustPolicy_showsTheDriftAndApplyRepairsIt() {
    AwsSetup setup = setup().build();
    setup.apply();
    PolicyDocument drifted = TrustPolicy.builder().issuer(aws.issuer().issuer())
        .account(aws.accountId()).organization("https://github.com/acme").build();
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("gitpod-ecr-pull")
        .policyDocument(drifted.toJson()));

    SetupPlan plan = setup.plan();
    System.out.println(plan.render());

    assertThat(plan.changes()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(SetupChange.Kind.UPDATE_TRUST_POLICY);
      assertThat(c.before()).contains(drifted);
      assertThat(c.after()).contains(setup.trustPolicy());
    });
    assertThat(plan.render())
        .contains("- ", "\"https://github.com/acme/*\"")
        .contains("+ ", "\"https://github.com/acme/app/*\"");

    setup.apply();
    assertThat(PolicyDocument.parse(clients.iam.getRole(r -> r.roleName("gitpod-ecr-pull"))
        .role().assumeRolePolicyDocument())).isEqualTo(setup.trustPolicy());
    assertThat(setup.plan().isEmpty()).isTrue();
  }

  @Test
  void plan_afterSomeoneChangedMaxSessionDurationAndInlinePolicy_plansBothBack() {
    AwsSetup setup = setup().build();
    setup.apply();
    clients.iam.updateRole(r -> r.roleName("gitpod-ecr-pull").maxSessionDuration(7200));
    clients.iam.deleteRolePolicy(r -> r.roleName("gitpod-ecr-pull")
        .policyName(AwsSetup.DEFAULT_INLINE_POLICY_NAME));

    assertThat(setup.plan().changes()).extracting(SetupChange::kind).containsExactly(
        SetupChange.Kind.UPDATE_MAX_SESSION_DURATION, SetupChange.Kind.PUT_INLINE_POLICY);
    setup.apply();
    assertThat(clients.iam.getRole(r -> r.roleName("gitpod-ecr-pull")).role()
        .maxSessionDuration()).isEqualTo(3600);
    assertThat(setup.plan().isEmpty()).isTrue();
  }

  @Test
  void apply_withExistingRepositoryPolicy_mergesBySidAndKeepsForeignStatements() {
    String foreign = """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"CiPush","Effect":"Allow",
           "Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},
           "Action":["ecr:PutImage","ecr:InitiateLayerUpload"]},
          {"Sid":"OidcEcrAllowPull","Effect":"Allow",
           "Principal":{"AWS":"arn:aws:iam::444455556666:root"},
           "Action":"ecr:BatchGetImage"}]}
        """;
    clients.ecr.setRepositoryPolicy(r -> r.repositoryName("acme/app").policyText(foreign));
    AwsSetup setup = setup().build();

    SetupPlan plan = setup.plan();
    setup.apply();

    assertThat(plan.changes()).filteredOn(c -> c.resourceArn().contains(":repository/"))
        .singleElement().extracting(SetupChange::kind)
        .isEqualTo(SetupChange.Kind.MERGE_REPOSITORY_POLICY);
    PolicyDocument merged = PolicyDocument.parse(clients.ecr.getRepositoryPolicy(
        r -> r.repositoryName("acme/app")).policyText());
    assertThat(merged.statements()).extracting(s -> s.sid().orElseThrow())
        .containsExactly("CiPush", "OidcEcrAllowPull");
    assertThat(merged.statement("CiPush")).isEqualTo(PolicyDocument.parse(foreign)
        .statement("CiPush"));
    assertThat(merged.statement("OidcEcrAllowPull").orElseThrow().principal().orElseThrow()
        .aws()).containsExactly("arn:aws:iam::" + GITPOD_ACCOUNT + ":root");
    assertThat(setup.plan().isEmpty()).isTrue();
  }

  @Test
  void apply_whenEcrDoesNotSeeTheNewRoleYet_retriesWithBackoff() {
    aws.failNext("SetRepositoryPolicy", 3, "InvalidParameterException", 400);

    SetupResult result = setup().build().apply();

    assertThat(result.changes()).extracting(SetupChange::kind)
        .contains(SetupChange.Kind.SET_REPOSITORY_POLICY);
    assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4));
    assertThat(clients.ecr.getRepositoryPolicy(r -> r.repositoryName("acme/app")).policyText())
        .contains("OidcEcrAllowPull");
  }

  @Test
  void apply_whenEcrNeverSeesTheRole_givesUpAfterTheConsistencyTimeout() {
    aws.failNext("SetRepositoryPolicy", 1000, "InvalidParameterException", 400);
    AwsSetup setup = setup().consistencyTimeout(Duration.ofSeconds(30)).build();

    assertThatThrownBy(setup::apply)
        .isInstanceOfSatisfying(AwsSetupException.class, e -> {
          assertThat(e.awsErrorCode()).contains("InvalidParameterException");
          assertThat(e.getMessage()).contains("SetRepositoryPolicy", "acme/app",
              "eventual consistency", "apply again");
        });
    Duration waited = clock.sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    assertThat(waited).isLessThanOrEqualTo(Duration.ofSeconds(30)).isPositive();
  }

  @Test
  void apply_whenRoleExistedAndEcrRejectsThePolicy_doesNotRetry() {
    setup().build().apply();
    clients.ecr.deleteRepositoryPolicy(r -> r.repositoryName("acme/app"));
    aws.failNext("SetRepositoryPolicy", 1, "InvalidParameterException", 400);

    assertThatThrownBy(() -> setup().build().apply())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("InvalidParameterException");
    assertThat(clock.sleeps).isEmpty();
  }

  @Test
  void apply_withSiblingMatchingTrustPolicy_isRefusedAndSaysWhichFinding() {
    PolicyDocument risky = TrustPolicy.builder().issuer(aws.issuer().issuer())
        .account(aws.accountId()).subjectPattern("https://github.com/acme/app*").build();
    List<Finding> errors = PolicyLinter.create().lint(risky, PolicyKind.TRUST).stream()
        .filter(f -> f.severity() == Finding.Severity.ERROR).toList();
    assertThat(errors).isNotEmpty();
    AwsSetup setup = trusting(risky).build();

    assertThatThrownBy(setup::apply)
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("Refusing to apply")
        .hasMessageContaining(errors.get(0).id())
        .hasMessageContaining("allowLintErrors(true)");
    assertThatThrownBy(() -> clients.iam.getRole(r -> r.roleName("gitpod-ecr-pull")))
        .isInstanceOf(NoSuchEntityException.class);
    assertThat(aws.requests()).noneMatch(c -> c.operation().equals("CreateRole"));

    // The override lets the request reach IAM (whatever IAM then answers: the fake, stricter
    // than AWS, refuses the same pattern with MalformedPolicyDocument).
    catchThrowable(() -> trusting(risky).allowLintErrors(true).build().apply());
    assertThat(aws.requests()).anyMatch(c -> c.operation().equals("CreateRole"));
  }

  @Test
  void plan_whenRepositoryIsMissing_namesItAndTheFix() {
    AwsSetup setup = setup().repositories("acme/missing").build();

    assertThatThrownBy(setup::plan)
        .isInstanceOfSatisfying(AwsSetupException.class, e -> {
          assertThat(e.getMessage()).contains("acme/missing", aws.accountId(), aws.region(),
              "create-repository");
          assertThat(e.awsErrorCode()).contains("RepositoryNotFoundException");
        });
  }

  @Test
  void plan_whenProviderExistsWithoutTheAudience_addsTheClientId() {
    clients.iam.createOpenIDConnectProvider(r -> r.url(aws.issuer().issuer())
        .clientIDList("another-client"));

    SetupPlan plan = setup().build().plan();

    assertThat(plan.changes().get(0).kind()).isEqualTo(SetupChange.Kind.ADD_CLIENT_ID);
    setup().build().apply();
    assertThat(clients.iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(
        aws.providerArn())).clientIDList()).contains("another-client", "sts.amazonaws.com");
  }

  @Test
  void build_withoutWhoMayAssume_saysWhatToCall() {
    assertThatThrownBy(() -> AwsSetup.builder().iamClient(clients.iam).ecrClient(clients.ecr)
        .accountId(aws.accountId()).gitpodDomain("gitpod.example.com").roleName("r")
        .repositories("acme/app").build())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("allowRepository");
  }

  @Test
  void build_withTrustPolicyAndAllowRules_refusesTheAmbiguity() {
    PolicyDocument trust = TrustPolicy.builder().issuer(aws.issuer().issuer())
        .account(aws.accountId()).repository("https://github.com/acme/app").build();

    assertThatThrownBy(() -> setup().trustPolicy(trust).build())
        .isInstanceOf(AwsSetupException.class)
        .hasMessageContaining("give one of them");
  }

  @Test
  void build_withStsClient_discoversTheAccount() {
    try (var sts = software.amazon.awssdk.services.sts.StsClient.builder()
        .endpointOverride(aws.endpoint())
        .region(software.amazon.awssdk.regions.Region.of(aws.region()))
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .credentialsProvider(clients.admin()).build()) {
      AwsSetup setup = AwsSetup.builder().iamClient(clients.iam).ecrClient(clients.ecr)
          .stsClient(sts).gitpodDomain("gitpod.example.com").roleName("r")
          .allowRepository("https://github.com/acme/app").repositories("acme/app").build();
      assertThat(setup.roleArn()).isEqualTo("arn:aws:iam::" + aws.accountId() + ":role/r");
      assertThat(setup.issuerUrl()).isEqualTo("https://services.gitpod.example.com/idp");
    }
  }

  @Test
  void build_withEndpointRegionAndCredentials_buildsItsOwnClientsAndFindsTheAccount() {
    AwsSetup setup = AwsSetup.builder()
        .endpoint(aws.endpoint())
        .region(aws.region())
        .credentialsProvider(clients.admin())
        .gitpodDomain("gitpod.example.com")
        .roleName("gitpod-ecr-pull")
        .allowOrganization("https://github.com/acme")
        .repositories("acme/app")
        .build();

    SetupPlan plan = setup.plan();

    assertThat(plan.roleArn()).isEqualTo(aws.roleArn("gitpod-ecr-pull"));
    assertThat(plan.changes()).extracting(SetupChange::kind).containsExactly(
        SetupChange.Kind.CREATE_PROVIDER, SetupChange.Kind.CREATE_ROLE,
        SetupChange.Kind.PUT_INLINE_POLICY);
    assertThat(setup.registryHost()).isEqualTo(aws.registryHost());
  }

  @Test
  void requiredPermissions_isAValidIdentityPolicyWithoutLintErrors() {
    PolicyDocument permissions = AwsSetup.requiredPermissions();

    assertThat(PolicyLinter.create().lint(permissions, PolicyKind.IDENTITY))
        .noneMatch(f -> f.severity() == Finding.Severity.ERROR);
    assertThat(permissions.statements()).flatExtracting(s -> s.actions()).contains(
        "iam:CreateOpenIDConnectProvider", "iam:CreateRole", "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy", "ecr:SetRepositoryPolicy", "ecr:DescribeRepositories")
        .allMatch(a -> a.startsWith("iam:") || a.startsWith("ecr:"));
    assertThat(PolicyDocument.parse(permissions.toJson())).isEqualTo(permissions);
  }

  @Test
  void mergeBySid_replacesSameSidInPlaceAndAppendsNewOnes() {
    PolicyDocument current = PolicyDocument.parse("""
        {"Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"ecr:X"},
                      {"Sid":"Mine","Effect":"Allow","Principal":"*","Action":"ecr:Old"},
                      {"Effect":"Deny","Principal":"*","Action":"ecr:Y"}]}""");
    PolicyDocument wanted = PolicyDocument.parse("""
        {"Statement":[{"Sid":"Mine","Effect":"Allow","Principal":"*","Action":"ecr:New"},
                      {"Sid":"Other","Effect":"Allow","Principal":"*","Action":"ecr:Z"}]}""");

    PolicyDocument merged = AwsSetup.mergeBySid(current, wanted);

    assertThat(merged.statements()).extracting(s -> s.actions().get(0))
        .containsExactly("ecr:X", "ecr:New", "ecr:Y", "ecr:Z");
  }
}
