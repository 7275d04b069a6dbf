package dev.oidcecr.testing;

import static dev.oidcecr.testing.FakeOidcIssuerTest.get;
import static dev.oidcecr.testing.FakeOidcIssuerTest.part;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shape of each profile's tokens (issuer, subject grammar, audience form, extra claims), the
 * discovery documents served per issuer URL, and {@code POST /_fake/tokens} with a profile.
 */
class ProfileTokensTest extends SharedFakeTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode payload(ProfileToken<?> t) throws Exception {
    String jwt = t.mint();
    assertThat(part(jwt, 0).path("alg").asText()).isEqualTo("RS256");
    return part(jwt, 1);
  }

  @Test
  void githubActions_hasGithubsClaims() throws Exception {
    JsonNode c = payload(fake.issuer().githubActions().repository("octo-org/octo-repo")
        .branch("main").actor("octocat").enterprise("octo-enterprise"));
    assertThat(c.path("iss").asText()).isEqualTo("https://token.actions.githubusercontent.com");
    assertThat(c.path("sub").asText()).isEqualTo("repo:octo-org/octo-repo:ref:refs/heads/main");
    assertThat(c.path("aud").isTextual()).isTrue();
    assertThat(c.path("aud").asText()).isEqualTo("sts.amazonaws.com");
    assertThat(c.path("repository").asText()).isEqualTo("octo-org/octo-repo");
    assertThat(c.path("repository_owner").asText()).isEqualTo("octo-org");
    // GitHub sends ids as strings.
    assertThat(c.path("repository_id").isTextual()).isTrue();
    assertThat(c.path("repository_owner_id").isTextual()).isTrue();
    assertThat(c.path("actor_id").isTextual()).isTrue();
    assertThat(c.path("ref").asText()).isEqualTo("refs/heads/main");
    assertThat(c.path("ref_type").asText()).isEqualTo("branch");
    assertThat(c.path("sha").asText()).hasSize(40);
    assertThat(c.path("job_workflow_ref").asText())
        .isEqualTo("octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main");
    assertThat(c.path("event_name").asText()).isEqualTo("push");
    assertThat(c.path("runner_environment").asText()).isEqualTo("github-hosted");
    assertThat(c.path("enterprise").asText()).isEqualTo("octo-enterprise");
    for (String claim : List.of("jti", "nbf", "iat", "exp", "workflow", "actor", "run_id",
        "enterprise_id", "workflow_ref", "repository_visibility")) {
      assertThat(c.has(claim)).as(claim).isTrue();
    }
    assertThat(c.has("environment")).isFalse();
  }

  @Test
  void githubActions_subjectForms() throws Exception {
    FakeOidcIssuer i = fake.issuer();
    assertThat(payload(i.githubActions().repository("acme/app").environment("prod"))
        .path("sub").asText()).isEqualTo("repo:acme/app:environment:prod");
    JsonNode pr = payload(i.githubActions().repository("acme/app").pullRequest(7, "fix", "main"));
    assertThat(pr.path("sub").asText()).isEqualTo("repo:acme/app:pull_request");
    assertThat(pr.path("ref").asText()).isEqualTo("refs/pull/7/merge");
    assertThat(pr.path("head_ref").asText()).isEqualTo("fix");
    assertThat(payload(i.githubActions().repository("acme/app").tag("v1")).path("sub").asText())
        .isEqualTo("repo:acme/app:ref:refs/tags/v1");
    JsonNode immutable = payload(i.githubActions().repository("acme/app").immutableIds(42, 4242)
        .environment("prod"));
    assertThat(immutable.path("sub").asText()).isEqualTo("repo:acme@42/app@4242:environment:prod");
    assertThat(immutable.path("repository_id").asText()).isEqualTo("4242");
    // The subject follows an overridden claim; an explicit subject wins.
    assertThat(payload(i.githubActions().claim("repository", "acme/other")).path("sub").asText())
        .isEqualTo("repo:acme/other:ref:refs/heads/main");
    assertThat(payload(i.githubActions().subject("repo:x/y:job_workflow_ref:z")).path("sub")
        .asText()).isEqualTo("repo:x/y:job_workflow_ref:z");
    assertThatThrownBy(() -> i.githubActions().repository("https://github.com/acme/app"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OWNER/REPO");
  }

  @Test
  void ona_v3AndV2() throws Exception {
    JsonNode v3 = payload(fake.issuer().ona().organization("o-1").project("p-1")
        .environment("e-1"));
    assertThat(v3.path("iss").asText()).isEqualTo("https://app.gitpod.io");
    assertThat(v3.path("sub").asText()).isEqualTo("organization_id:o-1:project_id:p-1");
    assertThat(v3.path("aud").isArray()).isTrue();
    assertThat(v3.path("aud").get(0).asText()).isEqualTo("sts.amazonaws.com");
    assertThat(v3.path("organization_id").asText()).isEqualTo("o-1");
    assertThat(v3.path("environment_id").asText()).isEqualTo("e-1");
    assertThat(v3.path("environment_initializers").get(0).path("context_url").asText())
        .isEqualTo("https://github.com/acme/app");
    assertThat(payload(fake.issuer().ona().organization("o-1").project("p-1").environment("e-1")
        .subjectField("environment_id")).path("sub").asText())
        .isEqualTo("organization_id:o-1:project_id:p-1:environment_id:e-1");

    JsonNode v2 = payload(fake.issuer().ona().v2().organization("o-1").project("p-1")
        .environment("e-1"));
    assertThat(v2.path("sub").asText()).isEqualTo("org:o-1/prj:p-1/env:e-1");
    assertThat(v2.path("org").asText()).isEqualTo("o-1");
    assertThat(payload(fake.issuer().ona().v2().organization("o-1").withoutProject()
        .environment("e-2")).path("sub").asText()).isEqualTo("org:o-1/env:e-2");
    assertThat(payload(fake.issuer().ona().v2().organization("o-1").userPrincipal("u-1"))
        .path("sub").asText()).isEqualTo("org:o-1/user:u-1");
    assertThat(payload(fake.issuer().ona().v2().organization("o-1").runnerPrincipal("r-1"))
        .path("sub").asText()).isEqualTo("org:o-1/rnr:r-1");
    // One audience takes the version's form, whichever order the calls come in.
    assertThat(payload(fake.issuer().ona().audience("x").v2()).path("aud").asText())
        .isEqualTo("x");
    assertThat(payload(fake.issuer().ona().audience("x")).path("aud").get(0).asText())
        .isEqualTo("x");
  }

  @Test
  void gitlab_circleci_bitbucket_buildkite_eks() throws Exception {
    FakeOidcIssuer i = fake.issuer();
    JsonNode gl = payload(i.gitlab().instance("https://gitlab.acme.example/").project("g/sub/app")
        .tag("v3").audience("https://vault.acme.example"));
    assertThat(gl.path("iss").asText()).isEqualTo("https://gitlab.acme.example");
    assertThat(gl.path("sub").asText()).isEqualTo("project_path:g/sub/app:ref_type:tag:ref:v3");
    assertThat(gl.path("namespace_path").asText()).isEqualTo("g/sub");
    assertThat(gl.path("ref_path").asText()).isEqualTo("refs/tags/v3");
    assertThat(gl.path("aud").asText()).isEqualTo("https://vault.acme.example");
    for (String claim : List.of("project_id", "namespace_id", "user_login", "pipeline_source",
        "pipeline_id", "job_id", "sha", "runner_environment", "jti", "nbf")) {
      assertThat(gl.has(claim)).as(claim).isTrue();
    }

    JsonNode cc = payload(i.circleci().organization("org-1").project("prj-1").user("usr-1")
        .vcsSubject());
    assertThat(cc.path("iss").asText()).isEqualTo("https://oidc.circleci.com/org/org-1");
    assertThat(cc.path("aud").asText()).isEqualTo("org-1");
    assertThat(cc.path("sub").asText()).isEqualTo("org/org-1/project/prj-1/user/usr-1"
        + "/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main");
    assertThat(cc.path("oidc.circleci.com/project-id").asText()).isEqualTo("prj-1");
    assertThat(cc.path("oidc.circleci.com/context-ids").isArray()).isTrue();

    JsonNode bb = payload(i.bitbucket().workspace("acme", "{w-1}").repository("r-1").step("s-1")
        .deploymentEnvironment("d-1"));
    assertThat(bb.path("iss").asText())
        .isEqualTo("https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc");
    assertThat(bb.path("aud").asText()).isEqualTo("ari:cloud:bitbucket::workspace/w-1");
    assertThat(bb.path("sub").asText()).isEqualTo("{r-1}:{d-1}:{s-1}");
    assertThat(bb.path("repositoryUuid").asText()).isEqualTo("{r-1}");

    JsonNode bk = payload(i.buildkite().organization("acme").pipeline("deploy").tag("v1")
        .commit("abc").step("push").buildNumber(7));
    assertThat(bk.path("iss").asText()).isEqualTo("https://agent.buildkite.com");
    assertThat(bk.path("sub").asText())
        .isEqualTo("organization:acme:pipeline:deploy:ref:refs/tags/v1:commit:abc:step:push");
    assertThat(bk.path("build_number").asInt()).isEqualTo(7);
    assertThat(bk.path("organization_slug").asText()).isEqualTo("acme");

    JsonNode eks = payload(i.eks().cluster("us-east-2", "ABCDEF0123456789ABCDEF0123456789")
        .serviceAccount("ci", "puller").pod("puller-1"));
    assertThat(eks.path("iss").asText())
        .isEqualTo("https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789");
    assertThat(eks.path("sub").asText()).isEqualTo("system:serviceaccount:ci:puller");
    assertThat(eks.path("aud").isArray()).isTrue();
    assertThat(eks.path("kubernetes.io").path("serviceaccount").path("name").asText())
        .isEqualTo("puller");
    assertThat(eks.path("kubernetes.io").path("pod").path("name").asText()).isEqualTo("puller-1");
    assertThat(eks.path("exp").asLong() - eks.path("iat").asLong()).isEqualTo(86400);
  }

  @Test
  void eachIssuerUrl_servesItsOwnDiscoveryAndTheSharedKey() throws Exception {
    FakeOidcIssuer i = fake.issuer();
    String iss = i.gitlab().instance("https://gitlab.served.example").issuer();
    assertThatThrownBy(() -> i.baseUrl(iss)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mint a token for it first");
    i.gitlab().instance("https://gitlab.served.example").mint();

    URI base = i.baseUrl(iss);
    assertThat(base.toString()).startsWith("http://127.0.0.1:").endsWith("/gitlab.served.example");
    JsonNode d = get(URI.create(base + "/.well-known/openid-configuration"));
    assertThat(d.path("issuer").asText()).isEqualTo("https://gitlab.served.example");
    assertThat(d.path("jwks_uri").asText())
        .isEqualTo("https://gitlab.served.example/oauth/discovery/keys");
    JsonNode jwks = get(URI.create(base + "/oauth/discovery/keys"));
    assertThat(jwks.path("keys").get(0).path("kid").asText()).isEqualTo(i.keyId());

    i.githubActions().mint();
    JsonNode gh = get(URI.create(i.baseUrl(ProfileTokens.GitHubActions.ISSUER)
        + "/.well-known/openid-configuration"));
    assertThat(gh.path("jwks_uri").asText())
        .isEqualTo("https://token.actions.githubusercontent.com/.well-known/jwks");
  }

  @Test
  void unknownProfile_namesTheKnownOnes() {
    assertThatThrownBy(() -> fake.issuer().profile("jenkins"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown issuer profile 'jenkins'")
        .hasMessageContaining("github-actions");
  }

  private static HttpResponse<String> postTokens(String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            fake.endpoint().resolve("/_fake/tokens")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminTokens_withProfile_mintsThatShapeAndStsAcceptsIt() throws Exception {
    HttpResponse<String> r = postTokens("""
        {"profile": "github-actions", "repository": "acme/app", "environment": "prod",
         "immutable": true, "repository_owner_id": "11", "repository_id": "22"}""");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String jwt = JSON.readTree(r.body()).path("token").asText();
    JsonNode c = part(jwt, 1);
    assertThat(c.path("iss").asText()).isEqualTo("https://token.actions.githubusercontent.com");
    assertThat(c.path("sub").asText()).isEqualTo("repo:acme@11/app@22:environment:prod");
    assertThat(c.has("immutable")).isFalse();

    String prefix = "token.actions.githubusercontent.com";
    clients.iam.createOpenIDConnectProvider(q -> q.url("https://" + prefix)
        .clientIDList("sts.amazonaws.com"));
    clients.iam.createRole(q -> q.roleName("ci").assumeRolePolicyDocument("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s"},
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com",
                                         "%s:sub": "repo:acme@11/app@22:environment:prod"}}}]}
        """.formatted(fake.accountId(), prefix, prefix, prefix)));
    assertThat(clients.anonymousSts.assumeRoleWithWebIdentity(q -> q.roleArn(fake.roleArn("ci"))
        .roleSessionName("job").webIdentityToken(jwt)).subjectFromWebIdentityToken())
        .isEqualTo("repo:acme@11/app@22:environment:prod");
  }

  @Test
  void adminTokens_issAndAudOverrides_andOnaV2Option() throws Exception {
    JsonNode gl = part(JSON.readTree(postTokens("""
        {"profile": "gitlab", "iss": "https://gitlab.acme.example", "aud": ["a", "b"],
         "project_path": "acme/app", "ref": "release"}""").body()).path("token").asText(), 1);
    assertThat(gl.path("iss").asText()).isEqualTo("https://gitlab.acme.example");
    assertThat(gl.path("aud").get(1).asText()).isEqualTo("b");
    assertThat(gl.path("sub").asText())
        .isEqualTo("project_path:acme/app:ref_type:branch:ref:release");

    JsonNode ona = part(JSON.readTree(postTokens("""
        {"profile": "ona", "version": "v2", "org": "o-9"}""").body()).path("token").asText(), 1);
    assertThat(ona.path("sub").asText()).startsWith("org:o-9/prj:");
    assertThat(ona.has("version")).isFalse();

    // Without a profile: today's Gitpod shape.
    JsonNode gitpod = part(JSON.readTree(postTokens("""
        {"repository": "https://github.com/acme/app"}""").body()).path("token").asText(), 1);
    assertThat(gitpod.path("iss").asText()).isEqualTo(fake.issuer().issuer());
    assertThat(gitpod.path("sub").asText()).isEqualTo("https://github.com/acme/app");
  }

  @Test
  void adminTokens_unknownProfile_is400WithTheKnownIds() throws Exception {
    HttpResponse<String> r = postTokens("{\"profile\": \"jenkins\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).path("message").asText())
        .contains("Unknown issuer profile 'jenkins'").contains("ona, github-actions, gitlab");
  }
}
