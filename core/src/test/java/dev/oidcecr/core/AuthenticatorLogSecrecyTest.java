package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Runs logins, a refused login and a credentials provider with the library's debug logs on, and
 * checks that neither the logs nor any exception message holds a token, a secret key, a session
 * token or an ECR password.
 */
class AuthenticatorLogSecrecyTest {

  @Test
  void loginStory_debugLogsAndErrorsHoldNoSecret() {
    List<String> secrets = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (FakeAws fake = FakeAws.builder().build().start();
        AwsFixture aws = new AwsFixture(fake).setUp()) {
      String token = aws.allowedToken();
      secrets.add(token);
      try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder()
          .roleArn(aws.roleArn()).registry(aws.registry()).tokenSource(TokenSource.of(token))
          .endpoint(fake.endpoint()).environment(Map.of()).build()) {
        DockerAuth auth = a.authenticate();
        secrets.add(auth.password());
        secrets.add(auth.encodedAuth());
        messages.add(auth.toString());
        messages.add(a.toString());
        try (var provider = a.credentialsProvider()) {
          AwsSessionCredentials session = (AwsSessionCredentials) provider.resolveCredentials();
          secrets.add(session.secretAccessKey());
          secrets.add(session.sessionToken());
        }
      }
      String refused = fake.issuer().mint("https://github.com/acme/other");
      secrets.add(refused);
      try (OidcEcrAuthenticator a = OidcEcrAuthenticator.builder()
          .roleArn(aws.roleArn()).registry(aws.registry()).tokenSource(TokenSource.of(refused))
          .endpoint(fake.endpoint()).environment(Map.of()).build()) {
        Throwable t = catchThrowable(a::authenticate);
        assertThat(t).isInstanceOf(StsAuthenticationException.class);
        for (Throwable c = t; c != null; c = c.getCause()) {
          messages.add(String.valueOf(c.getMessage()));
        }
      }
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("Assuming role").contains("Cache miss").contains("expires at");
    String everything = log + String.join("\n", messages);
    for (String secret : secrets) {
      assertThat(everything).doesNotContain(secret);
      if (secret.contains(".")) {
        // A JWT: no part of it either (the payload alone would leak the claims' signature base).
        for (String part : secret.split("\\.")) {
          assertThat(everything).doesNotContain(part);
        }
      }
    }
  }
}
