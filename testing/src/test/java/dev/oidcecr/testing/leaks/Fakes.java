package dev.oidcecr.testing.leaks;

import dev.oidcecr.testing.FakeAws;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the sample classes saw: the fakes each sample group was given and every port they (and
 * their issuers) listened on. Filled while {@link ExtensionLeaksTest} runs the samples.
 */
final class Fakes {
  static final Set<Integer> PORTS = ConcurrentHashMap.newKeySet();
  static final Map<String, Set<FakeAws>> BY_GROUP = new ConcurrentHashMap<>();

  private Fakes() {}

  static void record(String group, FakeAws aws) {
    PORTS.add(aws.port());
    PORTS.add(aws.issuer().baseUrl().getPort());
    BY_GROUP.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(aws);
  }

  static void clear() {
    PORTS.clear();
    BY_GROUP.clear();
  }
}
