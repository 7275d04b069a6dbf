package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Runs the whole chain and its failures with the fake's loggers at debug and proves that no
 * token, secret key, session token or ECR password reaches the log or an error message.
 */
class SecretsNotLoggedTest {

  @Test
  void fullChainAndFailures_logNoSecret() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> secrets = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (FakeAws fake = FakeAws.builder().build().start(); Clients clients = new Clients(fake)) {
      secrets.add(fake.secretAccessKey());
      Fixtures.providerAndRole(fake, clients.iam, 3600);
      clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
          .policyDocument(Fixtures.pullPolicy(fake, "app")));
      fake.seedImage("app", "latest");

      String token = fake.issuer().mint(Fixtures.APP);
      secrets.add(token);
      Credentials session = clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
          .roleArn(fake.roleArn("ci")).roleSessionName("ws-1").webIdentityToken(token))
          .credentials();
      secrets.add(session.secretAccessKey());
      secrets.add(session.sessionToken());
      AuthorizationData login;
      try (EcrClient ecr = clients.ecr(Clients.session(session))) {
        login = ecr.getAuthorizationToken().authorizationData().get(0);
        messages.add(catchThrowable(() -> ecr.describeRepositories(
            r -> r.repositoryNames("other"))).getMessage());
      }
      secrets.add(login.authorizationToken());
      String password = new String(Base64.getDecoder().decode(login.authorizationToken()),
          StandardCharsets.UTF_8).substring(4);
      secrets.add(password);
      HttpResponse<String> pull = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              fake.endpoint().resolve("/v2/app/manifests/latest"))
          .header("Authorization", "Basic " + login.authorizationToken())
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(pull.statusCode()).isEqualTo(200);

      // Failures whose requests carry secrets.
      String badSig = fake.issuer().token().badSignature().mint();
      String otherRepo = fake.issuer().mint("https://github.com/acme/other");
      String expired = fake.issuer().token().expired().mint();
      secrets.add(badSig);
      secrets.add(otherRepo);
      secrets.add(expired);
      for (String t : List.of(badSig, otherRepo, expired)) {
        messages.add(catchThrowable(() -> clients.anonymousSts.assumeRoleWithWebIdentity(r -> r
            .roleArn(fake.roleArn("ci")).roleSessionName("ws-1").webIdentityToken(t)))
            .getMessage());
      }
      try (EcrClient forged = clients.ecr(software.amazon.awssdk.auth.credentials
          .StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials
              .AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(),
                  "forged-" + session.sessionToken())))) {
        messages.add(catchThrowable(forged::getAuthorizationToken).getMessage());
      }
      HttpResponse<String> forgedPull = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(fake.endpoint() + "/v2/"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              ("AWS:" + password + "x").getBytes(StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      messages.add(forgedPull.body());
      messages.add(fake.lastDenial().orElseThrow().toString());
      messages.add(fake.toString());
      messages.add(fake.requests().toString());
    } finally {
      System.setErr(original);
    }

    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).as("the capture must hold the fake's debug log")
        .contains("AssumeRoleWithWebIdentity").contains("Denied");
    for (String secret : secrets) {
      assertThat(log).doesNotContain(secret);
      for (String message : messages) {
        assertThat(message).doesNotContain(secret);
      }
    }
  }
}
