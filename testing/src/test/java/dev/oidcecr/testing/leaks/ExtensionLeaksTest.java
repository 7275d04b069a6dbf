package dev.oidcecr.testing.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the sample classes of this package through the JUnit Platform launcher, with parallel
 * execution enabled, and checks which fakes each got and that none is still listening after.
 */
class ExtensionLeaksTest {
  static TestExecutionSummary summary;
  static Map<String, Set<FakeAws>> fakes;
  static List<Integer> ports;

  @BeforeAll
  static void runSamples() {
    Fakes.clear();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(NestedSample.class), selectClass(ParameterizedSample.class),
            selectClass(PerTestSample.class), selectClass(ParallelSample.Declarative.class),
            selectClass(ParallelSample.Programmatic.class),
            selectClass(ParallelSample.SharedAndReset.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
        .build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(request, listener);
    summary = listener.getSummary();
    fakes = new TreeMap<>(Fakes.BY_GROUP);
    ports = List.copyOf(Fakes.PORTS);
  }

  @Test
  void samplesRan_onlyTheConcurrentSharedResetOneFailed_withTheFix() {
    List<String> failures = new ArrayList<>();
    summary.getFailures().forEach(f -> failures.add(f.getTestIdentifier().getDisplayName()
        + ": " + f.getException()));
    assertThat(failures).as("failures").hasSize(1);
    assertThat(failures.get(0)).startsWith("refused(FakeAws)")
        .contains("runs concurrently", "lifecycle = PER_TEST");
    // 4 nested, 3 parameterized, 4 per-test, 2 + 2 parallel, 1 refused.
    assertThat(summary.getTestsStartedCount()).isEqualTo(16);
  }

  @Test
  void nestedClassesShareTheOuterFake_unlessTheyCarryTheirOwnAnnotation() {
    assertThat(fakes.get("nested")).hasSize(1);
    assertThat(fakes.get("nested-own")).hasSize(1)
        .doesNotContainAnyElementsOf(fakes.get("nested"));
  }

  @Test
  void parameterizedInvocationsShareTheClassFake() {
    assertThat(fakes.get("parameterized")).hasSize(1);
  }

  @Test
  void perTestLifecycle_givesEveryTestAndInvocationItsOwnFake() {
    assertThat(fakes.get("per-test")).hasSize(4);
  }

  @Test
  void concurrentTests_eachGetTheirOwnFake() {
    assertThat(fakes.get("parallel")).hasSize(2);
    assertThat(fakes.get("parallel-programmatic")).hasSize(2);
    assertThat(fakes.get("shared-reset")).hasSize(1);
  }

  @Test
  void noPortIsStillListening() {
    // Every fake, its registry and its issuer: 1 + 1 + 1 + 4 + 2 + 2 + 1 fakes, three ports each.
    assertThat(ports).hasSize(36);
    List<Integer> open = new ArrayList<>();
    for (int port : ports) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        open.add(port);
      } catch (ConnectException expected) {
        // closed, as it should be
      } catch (IOException e) {
        open.add(port);
      }
    }
    assertThat(open).as("ports still accepting connections after the run").isEmpty();
  }
}
