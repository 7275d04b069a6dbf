package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * AssumeRole with role chaining, GetCallerIdentity for every kind of caller, session tags,
 * source identity and session policies, through the real SDK STS and ECR clients.
 */
class StsBreadthTest extends SharedFakeTest {
  static final String LOGIN = """
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:DescribeRepositories"],
         "Resource": "*"}]}""";

  @BeforeEach
  void providerAndRoles() {
    Fixtures.providerAndRole(fake, clients.iam, 3600);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("login").policyDocument(LOGIN));
    clients.iam.createRole(r -> r.roleName("deployer").maxSessionDuration(43200)
        .assumeRolePolicyDocument(trustForAws(fake.roleArn("ci"), "sts:AssumeRole")));
    clients.iam.putRolePolicy(r -> r.roleName("deployer").policyName("login")
        .policyDocument(LOGIN));
  }

  static String trustForAws(String principal, String... actions) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": "%s"}, "Action": %s}]}"""
        .formatted(principal, json(List.of(actions)));
  }

  static String json(List<String> values) {
    return "[" + String.join(",", values.stream().map(v -> "\"" + v + "\"").toList()) + "]";
  }

  String webTrust(String... extraActions) {
    String prefix = fake.issuer().conditionKeyPrefix();
    List<String> actions = new java.util.ArrayList<>(List.of("sts:AssumeRoleWithWebIdentity"));
    actions.addAll(List.of(extraActions));
    return """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "%s"}, "Action": %s,
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com"}}}]}"""
        .formatted(fake.providerArn(), json(actions), prefix);
  }

  Credentials webIdentity(String token) {
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
        .roleSessionName("ws-1").webIdentityToken(token)).credentials();
  }

  StsClient sts(Credentials c) {
    return clients.sts(Clients.session(c));
  }

  @Test
  void assumeRole_chainedFromAWebIdentitySession_cappedAtOneHour() {
    StsClient ci = sts(webIdentity(fake.issuer().mint(Fixtures.APP)));

    AssumeRoleResponse chained = ci.assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("deploy-1").durationSeconds(3600));
    assertThat(chained.assumedRoleUser().arn())
        .isEqualTo("arn:aws:sts::123456789012:assumed-role/deployer/deploy-1");
    assertThat(chained.credentials().accessKeyId()).startsWith("ASIA");
    assertThat(sts(chained.credentials()).getCallerIdentity().arn())
        .isEqualTo(chained.assumedRoleUser().arn());

    Throwable t = catchThrowable(() -> ci.assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("deploy-2").durationSeconds(7200)));
    assertAws(t, StsException.class, "ValidationError", 400, "1 hour session limit");

    // The admin user is no role session: the role's maximum (12 hours) applies.
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("deployer").policyDocument(
        trustForAws("arn:aws:iam::" + fake.accountId() + ":root", "sts:AssumeRole")));
    assertThat(clients.adminSts.assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("admin").durationSeconds(7200)).credentials()).isNotNull();
  }

  @Test
  void assumeRole_trustNotNamingTheCaller_refusedWithTheTrustPolicyExplained() {
    StsClient deployer = sts(sts(webIdentity(fake.issuer().mint(Fixtures.APP))).assumeRole(r -> r
        .roleArn(fake.roleArn("deployer")).roleSessionName("d1")).credentials());

    Throwable t = catchThrowable(() -> deployer.assumeRole(r -> r
        .roleArn(fake.roleArn("deployer")).roleSessionName("again")));

    assertAws(t, StsException.class, "AccessDenied", 403, "sts:AssumeRole");
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("Trust policy of " + fake.roleArn("deployer")));
  }

  @Test
  void assumeRole_trustNamingTheAccount_needsTheCallersIdentityPolicyToo() {
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("deployer").policyDocument(
        trustForAws("arn:aws:iam::" + fake.accountId() + ":root", "sts:AssumeRole")));
    StsClient ci = sts(webIdentity(fake.issuer().mint(Fixtures.APP)));

    Throwable t = catchThrowable(() -> ci.assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("d1")));
    assertAws(t, StsException.class, "AccessDenied", 403, "sts:AssumeRole");
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("identity policies must allow sts:AssumeRole"));

    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("chain").policyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Resource": "%s"}]}""".formatted(fake.roleArn("deployer"))));
    assertThat(ci.assumeRole(r -> r.roleArn(fake.roleArn("deployer")).roleSessionName("d1"))
        .credentials()).isNotNull();
  }

  @Test
  void getCallerIdentity_forAdminWebIdentityAndChainedSessions() {
    GetCallerIdentityResponse admin = clients.adminSts.getCallerIdentity();
    assertThat(admin.arn()).isEqualTo("arn:aws:iam::123456789012:user/fake-admin");
    assertThat(admin.account()).isEqualTo(fake.accountId());

    Credentials web = webIdentity(fake.issuer().mint(Fixtures.APP));
    GetCallerIdentityResponse session = sts(web).getCallerIdentity();
    assertThat(session.arn()).isEqualTo("arn:aws:sts::123456789012:assumed-role/ci/ws-1");
    assertThat(session.userId()).startsWith("AROA").endsWith(":ws-1");

    Credentials chained = sts(web).assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("deploy")).credentials();
    assertThat(sts(chained).getCallerIdentity().arn())
        .isEqualTo("arn:aws:sts::123456789012:assumed-role/deployer/deploy");
  }

  @Test
  void webIdentitySessionTags_needTagSession_andBecomePrincipalTags() {
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("login").policyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Action": "ecr:GetAuthorizationToken", "Resource": "*",
          "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}}}]}"""));
    String platform = fake.issuer().token().repository(Fixtures.APP).claim(
        "https://aws.amazon.com/tags", Map.of("principal_tags", Map.of("team", List.of("platform")),
            "transitive_tag_keys", List.of("team"))).mint();

    Throwable noTagSession = catchThrowable(() -> webIdentity(platform));
    assertAws(noTagSession, StsException.class, "AccessDenied", 403, "sts:TagSession");
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("session tags [team]"));

    clients.iam.updateAssumeRolePolicy(r -> r.roleName("ci")
        .policyDocument(webTrust("sts:TagSession")));
    AssumeRoleWithWebIdentityResponse tagged = clients.anonymousSts.assumeRoleWithWebIdentity(
        r -> r.roleArn(fake.roleArn("ci")).roleSessionName("ws-1").webIdentityToken(platform));
    assertThat(tagged.packedPolicySize()).isPositive();
    EcrClient ecr = clients.ecr(Clients.session(tagged.credentials()));
    assertThat(ecr.getAuthorizationToken().authorizationData()).hasSize(1);

    String other = fake.issuer().token().repository(Fixtures.APP).claim(
        "https://aws.amazon.com/tags", Map.of("principal_tags", Map.of("team",
            List.of("other")))).mint();
    EcrClient otherEcr = clients.ecr(Clients.session(webIdentity(other)));
    assertThat(catchThrowable(otherEcr::getAuthorizationToken)).isInstanceOf(EcrException.class);
  }

  @Test
  void requestTagsAndTagKeys_areInTheTrustPolicysContext() {
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("ci").policyDocument("""
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"Federated": "%s"},
           "Action": "sts:AssumeRoleWithWebIdentity"},
          {"Effect": "Allow", "Principal": {"Federated": "%s"}, "Action": "sts:TagSession",
           "Condition": {"StringEquals": {"aws:RequestTag/team": "platform"},
                         "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]}"""
        .formatted(fake.providerArn(), fake.providerArn())));
    String ok = fake.issuer().token().repository(Fixtures.APP).claim("https://aws.amazon.com/tags",
        Map.of("principal_tags", Map.of("team", List.of("platform")))).mint();
    String extraKey = fake.issuer().token().repository(Fixtures.APP).claim(
        "https://aws.amazon.com/tags", Map.of("principal_tags", Map.of("team",
            List.of("platform"), "cost", List.of("1")))).mint();

    assertThat(webIdentity(ok)).isNotNull();
    assertAws(catchThrowable(() -> webIdentity(extraKey)), StsException.class, "AccessDenied",
        403, "sts:TagSession");
  }

  @Test
  void sourceIdentity_needsSetSourceIdentity_andStaysInTheChain() {
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("deployer").policyDocument(trustForAws(
        "arn:aws:iam::" + fake.accountId() + ":root", "sts:AssumeRole")));
    Throwable t = catchThrowable(() -> clients.adminSts.assumeRole(r -> r
        .roleArn(fake.roleArn("deployer")).roleSessionName("s1").sourceIdentity("alice")));
    assertAws(t, StsException.class, "AccessDenied", 403, "sts:SetSourceIdentity");

    clients.iam.updateAssumeRolePolicy(r -> r.roleName("deployer").policyDocument(trustForAws(
        "arn:aws:iam::" + fake.accountId() + ":root", "sts:AssumeRole",
        "sts:SetSourceIdentity")));
    AssumeRoleResponse first = clients.adminSts.assumeRole(r -> r
        .roleArn(fake.roleArn("deployer")).roleSessionName("s1").sourceIdentity("alice"));
    assertThat(first.sourceIdentity()).isEqualTo("alice");

    clients.iam.updateAssumeRolePolicy(r -> r.roleName("ci").policyDocument(
        trustForAws(fake.roleArn("deployer"), "sts:AssumeRole")));
    AssumeRoleResponse chained = sts(first.credentials()).assumeRole(r -> r
        .roleArn(fake.roleArn("ci")).roleSessionName("next"));
    assertThat(chained.sourceIdentity()).isEqualTo("alice");
  }

  @Test
  void sessionPolicies_intersectWithTheRolesPolicies() {
    String describeOnly = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Action": "ecr:DescribeRepositories", "Resource": "*"}]}""";
    Credentials narrowed = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("ci")).roleSessionName("ws-1").policy(describeOnly)
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    EcrClient ecr = clients.ecr(Clients.session(narrowed));

    assertThat(ecr.describeRepositories().repositories()).isEmpty();
    assertThat(catchThrowable(ecr::getAuthorizationToken)).isInstanceOf(EcrException.class);
    assertThat(fake.lastDenial()).hasValueSatisfying(d -> assertThat(d.explanation())
        .contains("Session policy of"));

    Credentials byArn = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
        .roleArn(fake.roleArn("ci")).roleSessionName("ws-2")
        .policyArns(p -> p.arn("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"))
        .webIdentityToken(fake.issuer().mint(Fixtures.APP))).credentials();
    assertThat(clients.ecr(Clients.session(byArn)).getAuthorizationToken().authorizationData())
        .hasSize(1);

    // A session policy never grants what the role lacks.
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("deployer").policyDocument(
        trustForAws("arn:aws:iam::" + fake.accountId() + ":root", "sts:AssumeRole")));
    Credentials wide = clients.adminSts.assumeRole(r -> r.roleArn(fake.roleArn("deployer"))
        .roleSessionName("wide").policy("""
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*",
              "Resource": "*"}]}""")).credentials();
    assertThat(catchThrowable(() -> clients.ecr(Clients.session(wide))
        .createRepository(r -> r.repositoryName("new/repo")))).isInstanceOf(EcrException.class);
  }
}
