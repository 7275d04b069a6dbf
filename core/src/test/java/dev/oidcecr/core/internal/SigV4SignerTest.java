package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

class SigV4SignerTest {
  private static final byte[] BODY =
      "{\"registryIds\":[\"123456789012\"]}".getBytes(StandardCharsets.UTF_8);
  private static FakeAws fake;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @Test
  void sameAuthorizationAsTheSdksSigner_forTheSameRequestAndTime() {
    Instant at = Instant.parse("2026-12-01T23:59:58Z");
    for (String host : List.of("api.ecr.eu-west-1.amazonaws.com", "127.0.0.1:4566")) {
      SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
          .uri(URI.create("https://" + host + "/"))
          .putHeader("Content-Type", "application/x-amz-json-1.1")
          .putHeader("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")
          .build();
      SignedRequest sdk = AwsV4HttpSigner.create().sign(r -> r
          .identity(AwsSessionCredentialsIdentity.create("ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG",
              "session  token"))
          .request(request)
          .payload(ContentStreamProvider.fromByteArrayUnsafe(BODY))
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ecr")
          .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
          .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
      Map<String, String> headers = new LinkedHashMap<>();
      sdk.request().headers().forEach((k, v) -> {
        String name = k.toLowerCase(java.util.Locale.ROOT);
        if (!name.equals("authorization") && !name.equals("x-amz-date")
            && !name.equals("x-amz-security-token")) {
          headers.put(k, v.get(0));
        }
      });
      headers.putIfAbsent("Host", host);
      Map<String, String> ours = SigV4Signer.sign("POST", "/", headers, BODY, "ASIAEXAMPLE",
          "wJalrXUtnFEMI/K7MDENG", "session  token", "eu-west-1", "ecr", at);
      assertThat(ours.get("authorization"))
          .isEqualTo(sdk.request().firstMatchingHeader("Authorization").orElseThrow());
      assertThat(ours.get("x-amz-date")).isEqualTo("20261201T235958Z");
    }
  }

  /** Sends an ECR call signed with the fake's admin key and returns the HTTP status. */
  private static int send(Map<String, String> headers, String service, boolean signHost)
      throws IOException {
    URI endpoint = fake.endpoint();
    Map<String, String> toSign = new LinkedHashMap<>(headers);
    if (signHost) {
      toSign.put("Host", LeanAws.hostHeader(endpoint));
    }
    Map<String, String> signed = SigV4Signer.sign("POST", "/", toSign, BODY,
        fake.accessKeyId(), fake.secretAccessKey(), null, fake.region(), service, Instant.now());
    signed.remove("host");
    HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    signed.forEach(c::setRequestProperty);
    c.getOutputStream().write(BODY);
    int status = c.getResponseCode();
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
      in.readAllBytes();
    }
    return status;
  }

  @Test
  void theFakeAcceptsOurSignature_andRejectsOnesAwsWouldReject() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
    assertThat(send(headers, "ecr", true)).isEqualTo(200);
    // Host not signed, or a scope for another service: AWS answers InvalidSignatureException.
    assertThat(send(headers, "ecr", false)).isEqualTo(400);
    assertThat(send(headers, "sts", true)).isEqualTo(400);
    assertThat(fake.requests().stream().map(r -> r.errorCode().orElse("")).toList())
        .containsSubsequence("InvalidSignatureException", "InvalidSignatureException");
  }

  @Test
  void foldsInnerSpacesAndTrims_asTheCanonicalHeaderWants() {
    assertThat(SigV4Signer.foldSpaces("  a   b\tc ")).isEqualTo("a b c");
    assertThat(SigV4Signer.foldSpaces("plain")).isEqualTo("plain");
  }
}
