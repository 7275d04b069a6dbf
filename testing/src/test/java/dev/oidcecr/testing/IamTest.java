package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.oidcecr.policies.PolicyDocument;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.GetRoleResponse;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.InvalidInputException;
import software.amazon.awssdk.services.iam.model.LimitExceededException;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Tag;

class IamTest extends SharedFakeTest {
  static final String ISSUER = FakeOidcIssuer.DEFAULT_ISSUER;

  @Test
  void provider_createGetListAddDelete_roundTrips() {
    String arn = clients.iam.createOpenIDConnectProvider(r -> r.url(ISSUER)
        .clientIDList("sts.amazonaws.com")
        .thumbprintList("0123456789012345678901234567890123456789")).openIDConnectProviderArn();
    assertThat(arn).isEqualTo(
        "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp");

    clients.iam.addClientIDToOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn)
        .clientID("other"));
    GetOpenIdConnectProviderResponse got =
        clients.iam.getOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
    assertThat(got.url()).isEqualTo("services.gitpod.example.com/idp");
    assertThat(got.clientIDList()).containsExactly("sts.amazonaws.com", "other");
    assertThat(got.thumbprintList()).containsExactly("0123456789012345678901234567890123456789");
    assertThat(got.createDate()).isNotNull();
    assertThat(clients.iam.listOpenIDConnectProviders().openIDConnectProviderList())
        .extracting(p -> p.arn()).containsExactly(arn);

    clients.iam.deleteOpenIDConnectProvider(r -> r.openIDConnectProviderArn(arn));
    assertThat(clients.iam.listOpenIDConnectProviders().openIDConnectProviderList()).isEmpty();
  }

  @Test
  void provider_duplicate_entityAlreadyExists() {
    clients.iam.createOpenIDConnectProvider(r -> r.url(ISSUER).clientIDList("sts.amazonaws.com"));
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(
        r -> r.url(ISSUER).clientIDList("sts.amazonaws.com")));
    assertAws(t, EntityAlreadyExistsException.class, "EntityAlreadyExists", 409,
        "already exists");
  }

  @Test
  void provider_missing_noSuchEntity() {
    Throwable t = catchThrowable(() -> clients.iam.getOpenIDConnectProvider(
        r -> r.openIDConnectProviderArn(fake.providerArn())));
    assertAws(t, NoSuchEntityException.class, "NoSuchEntity", 404, "not found");
  }

  @Test
  void provider_sixThumbprints_invalidInput() {
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(r -> r.url(ISSUER)
        .clientIDList("sts.amazonaws.com").thumbprintList("a".repeat(40), "b".repeat(40),
            "c".repeat(40), "d".repeat(40), "e".repeat(40), "f".repeat(40))));
    assertAws(t, InvalidInputException.class, "InvalidInput", 400, "at most 5");
  }

  @Test
  void provider_badThumbprint_invalidInput() {
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(r -> r.url(ISSUER)
        .clientIDList("sts.amazonaws.com").thumbprintList("xyz")));
    assertAws(t, InvalidInputException.class, "InvalidInput", 400, "40 hexadecimal");
  }

  @Test
  void provider_httpUrl_invalidInput() {
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(
        r -> r.url("http://services.gitpod.example.com/idp").clientIDList("sts.amazonaws.com")));
    assertAws(t, InvalidInputException.class, "InvalidInput", 400, "https://");
  }

  @Test
  void provider_urlWithPort_invalidInput() {
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(
        r -> r.url("https://services.gitpod.example.com:8443/idp")
            .clientIDList("sts.amazonaws.com")));
    assertAws(t, InvalidInputException.class, "InvalidInput", 400, "no port");
  }

  @Test
  void provider_101ClientIds_limitExceeded() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      ids.add("client-" + i);
    }
    Throwable t = catchThrowable(() -> clients.iam.createOpenIDConnectProvider(
        r -> r.url(ISSUER).clientIDList(ids)));
    assertAws(t, LimitExceededException.class, "LimitExceeded", 409,
        "ClientIdsPerOpenIdConnectProvider: 100");
  }

  @Test
  void role_createGet_returnsUrlEncodedTrustPolicy() {
    String trust = Fixtures.trustPolicy(fake);
    clients.iam.createRole(r -> r.roleName("ci").path("/gitpod/")
        .assumeRolePolicyDocument(trust).maxSessionDuration(7200).description("pulls")
        .tags(Tag.builder().key("team").value("platform").build()));

    GetRoleResponse got = clients.iam.getRole(r -> r.roleName("ci"));
    assertThat(got.role().arn()).isEqualTo("arn:aws:iam::123456789012:role/gitpod/ci");
    assertThat(got.role().roleId()).startsWith("AROA");
    assertThat(got.role().maxSessionDuration()).isEqualTo(7200);
    assertThat(got.role().description()).isEqualTo("pulls");
    assertThat(got.role().tags()).extracting(Tag::key).containsExactly("team");
    String encoded = got.role().assumeRolePolicyDocument();
    assertThat(encoded).startsWith("%7B").doesNotContain("\"");
    assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(trust);
    assertThat(PolicyDocument.parse(encoded)).isEqualTo(PolicyDocument.parse(trust));
  }

  @Test
  void role_updateTrustAndRole_changesThem() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    String other = Fixtures.trustPolicy(fake).replace("acme/app", "acme/web");
    clients.iam.updateAssumeRolePolicy(r -> r.roleName("ci").policyDocument(other));
    clients.iam.updateRole(r -> r.roleName("ci").maxSessionDuration(43200));

    GetRoleResponse got = clients.iam.getRole(r -> r.roleName("ci"));
    assertThat(URLDecoder.decode(got.role().assumeRolePolicyDocument(), StandardCharsets.UTF_8))
        .contains("acme/web");
    assertThat(got.role().maxSessionDuration()).isEqualTo(43200);
  }

  @Test
  void role_missing_noSuchEntity() {
    Throwable t = catchThrowable(() -> clients.iam.getRole(r -> r.roleName("missing")));
    assertAws(t, NoSuchEntityException.class, "NoSuchEntity", 404,
        "The role with name missing cannot be found.");
  }

  @Test
  void role_duplicate_entityAlreadyExists() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake))));
    assertAws(t, EntityAlreadyExistsException.class, "EntityAlreadyExists", 409,
        "Role with name ci already exists.");
  }

  @Test
  void role_trustPolicyNotJson_malformedPolicyDocument() {
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument("{\"Version\": ")));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Syntax errors in policy");
  }

  @Test
  void role_trustPolicyOverQuota_limitExceeded() {
    StringBuilder subs = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      subs.append(i == 0 ? "" : ",").append("\"https://github.com/acme/repository-").append(i)
          .append("\"");
    }
    String big = Fixtures.trustPolicy(fake).replace(
        "[\"https://github.com/acme/app\", \"https://github.com/acme/app/*\"]", "[" + subs + "]");
    assertThat(PolicyDocument.parse(big).quotaSize()).isGreaterThan(2048);
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument(big)));
    assertAws(t, LimitExceededException.class, "LimitExceeded", 409,
        "Cannot exceed quota for ACLSizePerRole: 2048");
  }

  @Test
  void role_badName_validationError() {
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("bad name").assumeRolePolicyDocument(Fixtures.trustPolicy(fake))));
    assertAws(t, IamException.class, "ValidationError", 400, "roleName");
  }

  @Test
  void role_maxSessionTooLong_validationError() {
    Throwable t = catchThrowable(() -> clients.iam.createRole(r -> r.roleName("ci")
        .assumeRolePolicyDocument(Fixtures.trustPolicy(fake)).maxSessionDuration(50000)));
    assertAws(t, IamException.class, "ValidationError", 400, "maxSessionDuration");
  }

  @Test
  void inlinePolicy_putGetListDelete_roundTrips() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    String policy = Fixtures.pullPolicy(fake, "app");
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull").policyDocument(policy));

    assertThat(clients.iam.listRolePolicies(r -> r.roleName("ci")).policyNames())
        .containsExactly("pull");
    String encoded = clients.iam.getRolePolicy(r -> r.roleName("ci").policyName("pull"))
        .policyDocument();
    assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(policy);

    Throwable t = catchThrowable(() -> clients.iam.deleteRole(r -> r.roleName("ci")));
    assertAws(t, DeleteConflictException.class, "DeleteConflict", 409,
        "must delete policies first");

    clients.iam.deleteRolePolicy(r -> r.roleName("ci").policyName("pull"));
    clients.iam.deleteRole(r -> r.roleName("ci"));
    assertThat(catchThrowable(() -> clients.iam.getRole(r -> r.roleName("ci"))))
        .isInstanceOf(NoSuchEntityException.class);
  }

  @Test
  void inlinePolicy_missing_noSuchEntity() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    Throwable t = catchThrowable(() -> clients.iam.getRolePolicy(
        r -> r.roleName("ci").policyName("nope")));
    assertAws(t, NoSuchEntityException.class, "NoSuchEntity", 404, "nope");
  }

  @Test
  void inlinePolicy_notJson_malformedPolicyDocument() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    Throwable t = catchThrowable(() -> clients.iam.putRolePolicy(
        r -> r.roleName("ci").policyName("p").policyDocument("[]")));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Syntax errors in policy");
  }

  @Test
  void inlinePolicy_withPrincipal_malformedPolicyDocument() {
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(Fixtures.trustPolicy(fake)));
    String withPrincipal = Fixtures.pullPolicy(fake, "app").replace("\"Sid\": \"Login\",",
        "\"Sid\": \"Login\", \"Principal\": {\"AWS\": \"*\"},");
    Throwable t = catchThrowable(() -> clients.iam.putRolePolicy(
        r -> r.roleName("ci").policyName("p").policyDocument(withPrincipal)));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Principal");
  }

  @Test
  void role_trustPolicyWithResource_malformedPolicyDocument() {
    String withResource = Fixtures.trustPolicy(fake).replace("\"Action\":",
        "\"Resource\": \"*\", \"Action\":");
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument(withResource)));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Resource");
  }

  @Test
  void role_trustPolicyWithoutSub_acceptedAsIamDoes() {
    // IAM stores a trust policy that lets every workspace in; the linter warns, AWS does not.
    String noSub = Fixtures.trustPolicy(fake).replaceAll(
        ",\\s*\"StringLike\": \\{[^}]*\\}", "");
    assertThat(noSub).doesNotContain(":sub");
    clients.iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(noSub));
    assertThat(clients.iam.getRole(r -> r.roleName("ci")).role().roleName()).isEqualTo("ci");
  }

  @Test
  void role_trustPolicyWithBadPrincipal_invalidPrincipal() {
    String bad = Fixtures.trustPolicy(fake).replace(fake.providerArn(), "not a provider");
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument(bad)));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Invalid principal in policy");
  }

  @Test
  void role_trustPolicyNamingMissingRole_invalidPrincipal() {
    String trust = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
          "Principal":{"AWS":"arn:aws:iam::123456789012:role/ghost"},"Action":"sts:AssumeRole"}]}
        """;
    Throwable t = catchThrowable(() -> clients.iam.createRole(
        r -> r.roleName("ci").assumeRolePolicyDocument(trust)));
    assertAws(t, MalformedPolicyDocumentException.class, "MalformedPolicyDocument", 400,
        "Invalid principal in policy");
  }
}
