package dev.oidcecr.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.StsClient;

class LeanAwsTest {
  private static final URI FAKE = URI.create("http://127.0.0.1:4566");
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path home;

  /** Stops a call just before it is sent, keeping the request the SDK client built. */
  private static final class Stop extends RuntimeException {
    Stop() {
      super("stopped before sending", null, false, false);
    }
  }

  private static ExecutionInterceptor capture(AtomicReference<SdkHttpRequest> into) {
    return new ExecutionInterceptor() {
      @Override
      public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
          ExecutionAttributes attributes) {
        into.set(context.httpRequest());
        throw new Stop();
      }
    };
  }

  /** The scheme and host the SDK client was about to call, on HTTPS's default port. */
  private static URI origin(SdkHttpRequest r) {
    assertThat(r.port()).isIn(-1, 443);
    assertThat(r.encodedPath()).isIn("", "/");
    return URI.create(r.protocol() + "://" + r.host());
  }

  @Test
  void defaultEndpoints_areTheOnesTheSdkClientsCall() {
    for (String region : List.of("us-east-1", "eu-west-1", "ap-southeast-2", "il-central-1",
        "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1")) {
      AtomicReference<SdkHttpRequest> sts = new AtomicReference<>();
      try (StsClient c = StsClient.builder().region(Region.of(region))
          .credentialsProvider(AnonymousCredentialsProvider.create())
          .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())
              .addExecutionInterceptor(capture(sts)))
          .build()) {
        try {
          c.assumeRoleWithWebIdentity(r -> r.roleArn("arn:aws:iam::123456789012:role/r")
              .roleSessionName("s").webIdentityToken("t"));
        } catch (Stop expected) {
          // stopped before sending
        } catch (RuntimeException e) {
          assertThat(e).hasRootCauseInstanceOf(Stop.class);
        }
      }
      AtomicReference<SdkHttpRequest> ecr = new AtomicReference<>();
      try (EcrClient c = EcrClient.builder().region(Region.of(region))
          .credentialsProvider(AnonymousCredentialsProvider.create())
          .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())
              .addExecutionInterceptor(capture(ecr)))
          .build()) {
        try {
          c.getAuthorizationToken(r -> r.registryIds("123456789012"));
        } catch (Stop expected) {
          // stopped before sending
        } catch (RuntimeException e) {
          assertThat(e).hasRootCauseInstanceOf(Stop.class);
        }
      }
      assertThat(LeanAws.defaultEndpoint("sts", region)).as(region).isEqualTo(origin(sts.get()));
      assertThat(LeanAws.defaultEndpoint("ecr", region)).as(region).isEqualTo(origin(ecr.get()));
    }
    assertThat(LeanAws.defaultEndpoint("sts", "us-iso-east-1")).isNull();
    assertThat(LeanAws.defaultEndpoint("ecr", "eusc-de-east-1")).isNull();
  }

  private boolean usable(URI sts, URI ecr, Map<String, String> env, Properties props) {
    return LeanAws.create(sts, ecr, DEADLINE, env, props, home).isPresent();
  }

  @Test
  void usedOnlyWhereItUnderstandsTheConfiguration() throws Exception {
    Properties none = new Properties();
    assertThat(usable(FAKE, FAKE, Map.of(), none)).isTrue();
    assertThat(usable(null, null, Map.of(), none)).isTrue();
    assertThat(usable(URI.create("https://sts.example.com/base/"), FAKE, Map.of(), none)).isTrue();
    // Proxies: the SDK path honours them.
    for (String v : List.of("HTTPS_PROXY", "http_proxy", "NO_PROXY")) {
      assertThat(usable(FAKE, FAKE, Map.of(v, "http://proxy:3128"), none)).as(v).isFalse();
    }
    Properties proxy = new Properties();
    proxy.setProperty("https.proxyHost", "proxy");
    assertThat(usable(FAKE, FAKE, Map.of(), proxy)).isFalse();
    Properties systemProxies = new Properties();
    systemProxies.setProperty("java.net.useSystemProxies", "true");
    assertThat(usable(FAKE, FAKE, Map.of(), systemProxies)).isFalse();
    // Endpoints it cannot sign or call as the SDK would.
    for (String u : List.of("http://u:p@127.0.0.1:1", "http://127.0.0.1:1/?a=b",
        "http://127.0.0.1:1/a%20b", "ftp://127.0.0.1/", "http://127.0.0.1:1/../x")) {
      assertThat(usable(URI.create(u), FAKE, Map.of(), none)).as(u).isFalse();
    }
    // What makes the SDK pick another default endpoint; an override wins over all of it.
    for (String v : List.of("AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
        "AWS_ENDPOINT_URL_ECR", "AWS_STS_REGIONAL_ENDPOINTS")) {
      assertThat(usable(null, null, Map.of(v, "true"), none)).as(v).isFalse();
      assertThat(usable(FAKE, FAKE, Map.of(v, "true"), none)).as(v).isTrue();
    }
    Properties fips = new Properties();
    fips.setProperty("aws.useFipsEndpoint", "true");
    assertThat(usable(null, null, Map.of(), fips)).isFalse();
    Files.createDirectories(home.resolve(".aws"));
    Files.writeString(home.resolve(".aws/config"), "[default]\nregion = eu-west-1\n");
    assertThat(usable(null, null, Map.of(), none)).isTrue();
    Files.writeString(home.resolve(".aws/config"), "[default]\nuse_fips_endpoint = true\n");
    assertThat(usable(null, null, Map.of(), none)).isFalse();
    Path other = Files.writeString(home.resolve("other"), "[profile x]\nendpoint_url = http://x\n");
    assertThat(usable(null, null, Map.of("AWS_CONFIG_FILE", other.toString()), none)).isFalse();
  }

  @Test
  void formEncoding_asTheQueryProtocolSendsIt() {
    assertThat(LeanAws.formEncode("arn:aws:iam::1:role/a b+c*~é"))
        .isEqualTo("arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc%2A~%C3%A9")
        .isEqualTo(software.amazon.awssdk.utils.http.SdkHttpUtils.urlEncode(
            "arn:aws:iam::1:role/a b+c*~é"));
    assertThat(LeanAws.hostHeader(URI.create("https://api.ecr.eu-west-1.amazonaws.com")))
        .isEqualTo("api.ecr.eu-west-1.amazonaws.com");
    assertThat(LeanAws.hostHeader(URI.create("https://h:443/"))).isEqualTo("h");
    assertThat(LeanAws.hostHeader(URI.create("http://127.0.0.1:4566"))).isEqualTo("127.0.0.1:4566");
  }
}
