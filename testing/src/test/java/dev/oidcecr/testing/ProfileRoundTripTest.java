package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Every issuer profile end to end: a token minted by the fake issuer, an OIDC provider (without
 * a thumbprint) and a role created with the real SDK IAM client, then AssumeRoleWithWebIdentity
 * with the real SDK STS client: the right subject is allowed, a sibling's is refused with
 * AccessDenied, a wrong audience or issuer with InvalidIdentityToken.
 */
class ProfileRoundTripTest extends SharedFakeTest {
  static final String ORG = "0191e223-1c3c-7607-badf-303c98b52d2f";
  static final String PRJ = "019527e4-75d5-704d-a5a4-a2b52cf56198";
  static final String PRJ2 = "019527e4-75d5-704d-a5a4-a2b52cf56199";
  static final String ENV = "019527e4-75d5-704d-a5a4-a2b52cf56196";
  static final String CIRCLE_ORG = "6b376885-8f20-45b2-ba2f-c27c0919bc6d";
  static final String CIRCLE_PRJ = "2a7d1b9c-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
  static final String CIRCLE_USER = "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c";
  static final String WS = "8a1fdada-cbc0-452c-81ce-07534945e18b";
  static final String REPO = "437da666-7aab-4b60-a947-ec542536ca0d";
  static final String STEP = "9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
  static final String SHA = "9f3182061f1e2cca4702c368cbc039b7dc9d4485";
  static final String CLUSTER = "5E5D7BAA84911ACC36EE4D978F209DD7";

  /** One profile: the token, the sub it must carry, the sub condition, and a sibling's token. */
  record Case(String name, Function<FakeOidcIssuer, ProfileToken<?>> token, String expectedSub,
      String operator, String subPattern, Function<FakeOidcIssuer, ProfileToken<?>> sibling) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("ona V3 project (Ona's documented policy)",
            i -> i.ona().organization(ORG).project(PRJ),
            "organization_id:" + ORG + ":project_id:" + PRJ,
            "StringLike", "organization_id:" + ORG + ":project_id:" + PRJ + "*",
            i -> i.ona().organization(ORG).project(PRJ2)),
        new Case("ona V3 environment without a project",
            i -> i.ona().organization(ORG).withoutProject().environment(ENV),
            "organization_id:" + ORG + ":environment_id:" + ENV,
            "StringEquals", "organization_id:" + ORG + ":environment_id:" + ENV,
            i -> i.ona().organization(ORG).project(PRJ)),
        new Case("ona V2",
            i -> i.ona().v2().organization(ORG).project(PRJ).environment(ENV),
            "org:" + ORG + "/prj:" + PRJ + "/env:" + ENV,
            "StringLike", "org:" + ORG + "/prj:" + PRJ + "/*",
            i -> i.ona().v2().organization(ORG).project(PRJ2).environment(ENV)),
        new Case("github-actions branch",
            i -> i.githubActions().repository("acme/app").branch("main"),
            "repo:acme/app:ref:refs/heads/main",
            "StringEquals", "repo:acme/app:ref:refs/heads/main",
            i -> i.githubActions().repository("acme/app-fork").branch("main")),
        new Case("github-actions environment wins over ref",
            i -> i.githubActions().repository("acme/app").branch("release").environment("prod"),
            "repo:acme/app:environment:prod",
            "StringLike", "repo:acme/app:*",
            i -> i.githubActions().repository("acme/app2").environment("prod")),
        new Case("github-actions pull request",
            i -> i.githubActions().repository("acme/app").pullRequest(),
            "repo:acme/app:pull_request",
            "StringEquals", "repo:acme/app:pull_request",
            i -> i.githubActions().repository("acme/app").branch("main")),
        new Case("github-actions tag",
            i -> i.githubActions().repository("acme/app").tag("v1.2.0"),
            "repo:acme/app:ref:refs/tags/v1.2.0",
            "StringLike", "repo:acme/app:ref:refs/tags/v*",
            i -> i.githubActions().repository("acme/app").branch("v1")),
        new Case("github-actions immutable sub",
            i -> i.githubActions().repository("acme/app").immutableIds(1234567, 890123456)
                .branch("main"),
            "repo:acme@1234567/app@890123456:ref:refs/heads/main",
            "StringEquals", "repo:acme@1234567/app@890123456:ref:refs/heads/main",
            // Same names, a re-created repository: another id.
            i -> i.githubActions().repository("acme/app").immutableIds(1234567, 999999999)
                .branch("main")),
        new Case("gitlab.com",
            i -> i.gitlab().project("acme/app").branch("main"),
            "project_path:acme/app:ref_type:branch:ref:main",
            "StringEquals", "project_path:acme/app:ref_type:branch:ref:main",
            i -> i.gitlab().project("acme/app-legacy").branch("main")),
        new Case("gitlab self-managed",
            i -> i.gitlab().instance("https://gitlab.acme.example").project("platform/app")
                .tag("v2"),
            "project_path:platform/app:ref_type:tag:ref:v2",
            "StringLike", "project_path:platform/app:ref_type:tag:ref:*",
            i -> i.gitlab().instance("https://gitlab.acme.example").project("platform/app")
                .branch("v2")),
        new Case("circleci",
            i -> i.circleci().organization(CIRCLE_ORG).project(CIRCLE_PRJ).user(CIRCLE_USER),
            "org/" + CIRCLE_ORG + "/project/" + CIRCLE_PRJ + "/user/" + CIRCLE_USER,
            "StringLike", "org/" + CIRCLE_ORG + "/project/" + CIRCLE_PRJ + "/user/*",
            i -> i.circleci().organization(CIRCLE_ORG).project(PRJ).user(CIRCLE_USER)),
        new Case("bitbucket",
            i -> i.bitbucket().workspace("acme", WS).repository(REPO).step(STEP),
            "{" + REPO + "}:{" + STEP + "}",
            "StringLike", "{" + REPO + "}:*",
            i -> i.bitbucket().workspace("acme", WS).repository(PRJ).step(STEP)),
        new Case("buildkite",
            i -> i.buildkite().organization("acme").pipeline("app").branch("main").commit(SHA)
                .step("build"),
            "organization:acme:pipeline:app:ref:refs/heads/main:commit:" + SHA + ":step:build",
            "StringLike", "organization:acme:pipeline:app:ref:refs/heads/main:*",
            i -> i.buildkite().organization("acme").pipeline("app-other").branch("main")),
        new Case("eks",
            i -> i.eks().cluster("eu-west-1", CLUSTER).serviceAccount("prod", "puller"),
            "system:serviceaccount:prod:puller",
            "StringEquals", "system:serviceaccount:prod:puller",
            i -> i.eks().cluster("eu-west-1", CLUSTER).serviceAccount("prod", "other")));
  }

  private static String firstAudience(Map<String, Object> claims) {
    Object aud = claims.get("aud");
    return aud instanceof List<?> l ? String.valueOf(l.get(0)) : String.valueOf(aud);
  }

  private static String trust(String providerArn, String prefix, String aud, String operator,
      String subPattern) {
    String sub = "\"%s:sub\": \"%s\"".formatted(prefix, subPattern);
    String audience = "\"%s:aud\": \"%s\"".formatted(prefix, aud);
    String conditions = operator.equals("StringEquals")
        ? "\"StringEquals\": {%s, %s}".formatted(audience, sub)
        : "\"StringEquals\": {%s}, \"%s\": {%s}".formatted(audience, operator, sub);
    return """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "%s"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {%s}
          }]
        }""".formatted(providerArn, conditions);
  }

  private AssumeRoleWithWebIdentityResponse assume(String token) {
    return clients.anonymousSts.assumeRoleWithWebIdentity(r -> r.roleArn(fake.roleArn("ci"))
        .roleSessionName("job-1").webIdentityToken(token));
  }

  /** Registers the token's issuer without a thumbprint and a role trusting the case's subject. */
  private String setUp(Case c, ProfileToken<?> token) {
    String iss = token.issuer();
    String prefix = iss.replaceFirst("^https://", "");
    String aud = firstAudience(token.claims());
    String providerArn = clients.iam.createOpenIDConnectProvider(r -> r.url(iss)
        .clientIDList(aud)).openIDConnectProviderArn();
    assertThat(providerArn).isEqualTo("arn:aws:iam::" + fake.accountId() + ":oidc-provider/"
        + prefix);
    clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(trust(providerArn, prefix, aud, c.operator(), c.subPattern())));
    return providerArn;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void mintedToken_isAllowed_siblingRefused(Case c) {
    ProfileToken<?> token = c.token().apply(fake.issuer());
    String providerArn = setUp(c, token);

    AssumeRoleWithWebIdentityResponse r = assume(token.mint());
    assertThat(r.subjectFromWebIdentityToken()).isEqualTo(c.expectedSub());
    assertThat(r.provider()).isEqualTo(providerArn);
    assertThat(r.credentials().accessKeyId()).startsWith("ASIA");

    Throwable sibling = catchThrowable(() -> assume(c.sibling().apply(fake.issuer()).mint()));
    assertAws(sibling, StsException.class, "AccessDenied", 403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void wrongAudienceOrIssuer_isInvalidIdentityToken(Case c) {
    ProfileToken<?> token = c.token().apply(fake.issuer());
    setUp(c, token);

    Throwable aud = catchThrowable(() -> assume(c.token().apply(fake.issuer()).wrongAudience()
        .mint()));
    assertAws(aud, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "Incorrect token audience");

    String other = "https://issuer.other.example/" + c.name().replaceAll("[^a-z]", "");
    Throwable iss = catchThrowable(() -> assume(c.token().apply(fake.issuer()).issuer(other)
        .mint()));
    assertAws(iss, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "No OpenIDConnect provider found in your account for " + other);
  }

  // One profile is enough: signing is shared, and each bad signature costs a fresh RSA key.
  @Test
  void badSignatureOrUnknownKey_onAProfileToken_isRefused() {
    Case c = cases().filter(x -> x.name().equals("github-actions branch")).findFirst()
        .orElseThrow();
    setUp(c, c.token().apply(fake.issuer()));
    Throwable bad = catchThrowable(() -> assume(c.token().apply(fake.issuer()).badSignature()
        .mint()));
    assertAws(bad, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "could not be validated");
    Throwable kid = catchThrowable(() -> assume(c.token().apply(fake.issuer()).unknownKid()
        .mint()));
    assertAws(kid, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
        "Couldn't retrieve verification key");
  }

  @Test
  void expiredProfileToken_isExpiredTokenException() {
    Case c = cases().filter(x -> x.name().equals("eks")).findFirst().orElseThrow();
    setUp(c, c.token().apply(fake.issuer()));
    Throwable t = catchThrowable(() -> assume(c.token().apply(fake.issuer()).expired().mint()));
    assertAws(t, software.amazon.awssdk.services.sts.model.ExpiredTokenException.class,
        "ExpiredTokenException", 400, "Token expired");
  }

  @Test
  void rotatedKey_oldProfileTokenRefused_newOneAllowed() {
    Case c = cases().filter(x -> x.name().equals("gitlab.com")).findFirst().orElseThrow();
    setUp(c, c.token().apply(fake.issuer()));
    String old = c.token().apply(fake.issuer()).mint();
    assertThat(assume(old).subjectFromWebIdentityToken()).isEqualTo(c.expectedSub());
    fake.issuer().rotateKey();
    try {
      Throwable t = catchThrowable(() -> assume(old));
      assertAws(t, InvalidIdentityTokenException.class, "InvalidIdentityToken", 400,
          "Couldn't retrieve verification key");
      assertThat(assume(c.token().apply(fake.issuer()).mint()).subjectFromWebIdentityToken())
          .isEqualTo(c.expectedSub());
    } finally {
      fake.issuer().rotateKey();
    }
  }
}
