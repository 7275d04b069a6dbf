package dev.oidcecr.testing.leaks;

import dev.oidcecr.testing.FakeAws;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the sample classes saw: the fakes each sample group was given and every port they (and
 * their issuers) listened on. Filled while {@link ExtensionLeaksTest} runs the samples.
 */
final class Fakes {
  // A list, not a set: the system may hand a closed fake's port to a later one (port 0).
  static final List<Integer> PORTS = new CopyOnWriteArrayList<>();
  static final Map<String, Set<FakeAws>> BY_GROUP = new ConcurrentHashMap<>();

  private Fakes() {}

  private static final Set<FakeAws> SEEN =
      java.util.Collections.synchronizedSet(
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

  static void record(String group, FakeAws aws) {
    if (SEEN.add(aws)) {
      PORTS.add(aws.port());
      PORTS.add(aws.issuer().baseUrl().getPort());
      PORTS.add(aws.registryPort());
    }
    BY_GROUP.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(aws);
  }

  static void clear() {
    SEEN.clear();
    PORTS.clear();
    BY_GROUP.clear();
  }
}
