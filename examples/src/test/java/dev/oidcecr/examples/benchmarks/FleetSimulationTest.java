package dev.oidcecr.examples.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small fleet (20 workspaces, one simulated day) through the real helper, disk caches and
 * authenticators against the in-process fake: the counts come from the fake's journal, and the
 * caches expire on the simulated clock.
 */
class FleetSimulationTest {
  static final int WORKSPACES = 20;
  static FleetSimulation.Result result;
  static List<FleetSimulation.Pull> schedule;

  @BeforeAll
  static void runTheDay() throws Exception {
    schedule = FleetSimulation.schedule(WORKSPACES, 7);
    result = FleetSimulation.run(new FleetSimulation.Config(WORKSPACES, 7, true));
  }

  @Test
  void everyPullGotCredentialsTheFakeRegistryAccepted() {
    assertThat(result.pulls()).isEqualTo(schedule.size()).isGreaterThan(WORKSPACES * 3);
    // Counted from the journal: the registry's manifest GETs answered 200, one per pull.
    assertThat(result.registryAccepted()).isEqualTo(result.pulls());
  }

  @Test
  void cachedFlowMakesFewerCallsThanTheNaiveFlow() {
    assertThat(result.stsCalls()).isPositive().isLessThan(result.pulls() / 3);
    assertThat(result.ecrCalls()).isEqualTo(result.stsCalls());
    assertThat(result.peakStsPerSecond()).isLessThanOrEqualTo(result.naivePeakPerSecond());
    // Every workspace logged in at least once, under its own session name.
    assertThat(result.stsCallsByWorkspace()).hasSize(WORKSPACES)
        .containsKey("acme-app-5eed0000").containsKey("acme-app-5eed0013");
  }

  @Test
  void cachedLoginsAreServedForHalfTheTokensLifeThenFetchedAgain() {
    // ECR passwords live 12 hours and the disk cache serves them for the first 6: a workspace's
    // logins are at least 6 simulated hours apart, and long-lived workspaces log in again.
    int again = 0;
    for (Map.Entry<String, List<Instant>> e : result.stsCallsByWorkspace().entrySet()) {
      List<Instant> times = e.getValue();
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i)))
            .as("logins of %s", e.getKey()).isGreaterThanOrEqualTo(Duration.ofHours(6));
        again++;
      }
    }
    assertThat(again).as("workspaces that logged in again after 6 hours").isPositive();
    // A workspace pulling after its entry's half-life must log in again: count them from the
    // schedule and compare with the journal.
    assertThat(result.stsCalls()).isEqualTo(expectedLogins());
  }

  @Test
  void hourlyCountsAddUpAndTheScheduleIsRepeatable() {
    assertThat(FleetSimulation.schedule(WORKSPACES, 7)).isEqualTo(schedule);
    int pulls = 0;
    for (int h = 0; h < 24; h++) {
      pulls += result.pullsPerHour()[h];
    }
    assertThat(pulls).isEqualTo(result.pulls());
    assertThat(FleetSimulation.table(result)).contains("| **day** | **" + result.pulls())
        .contains("600/s").contains("500/s");
  }

  /** Logins the cache rules imply: a pull at or after the last login's half-life logs in. */
  private static int expectedLogins() {
    Map<Integer, Long> lastLogin = new java.util.HashMap<>();
    int logins = 0;
    for (FleetSimulation.Pull p : schedule) {
      Long last = lastLogin.get(p.workspace());
      if (last == null || p.second() - last >= 6 * 3600) {
        lastLogin.put(p.workspace(), p.second());
        logins++;
      }
    }
    return logins;
  }
}
