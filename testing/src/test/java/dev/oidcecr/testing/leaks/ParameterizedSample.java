package dev.oidcecr.testing.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.WithFakeAws;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Run by {@link ExtensionLeaksTest} only: invocations share the class's fake, reset between. */
@WithFakeAws
class ParameterizedSample {
  @ParameterizedTest
  @ValueSource(strings = {"app", "web", "api"})
  void invocation(String repository, FakeAws aws) throws Exception {
    // The previous invocation's call was forgotten by the reset before this one.
    assertThat(aws.requests()).isEmpty();
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(aws.registryEndpoint()).build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(aws.requests()).hasSize(1);
    Fakes.record("parameterized", aws);
  }
}
