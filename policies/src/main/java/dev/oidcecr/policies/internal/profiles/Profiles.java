package dev.oidcecr.policies.internal.profiles;

import dev.oidcecr.policies.IssuerProfile;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The registry: every issuer profile, most specific first, {@code generic} last. */
public final class Profiles {

  // Adding an issuer: one new class in this package and one line here.
  private static final List<IssuerProfile> ALL = List.of(
      new GitpodProfile(),
      new OnaProfile(),
      new GithubActionsProfile(),
      new GitlabProfile(),
      new CircleciProfile(),
      new BitbucketProfile(),
      new BuildkiteProfile(),
      new EksProfile(),
      new GenericProfile());

  private static final Map<String, IssuerProfile> CACHE = new ConcurrentHashMap<>();

  private Profiles() {}

  /** Returns every profile. */
  public static List<IssuerProfile> all() {
    return ALL;
  }

  /** Returns the profile of a provider {@code host/path} ({@code generic} when none claims it). */
  public static IssuerProfile detectHostPath(String hostPath) {
    // Cached: the evaluator asks for every web identity request, with a handful of providers.
    IssuerProfile cached = CACHE.get(hostPath);
    if (cached != null) {
      return cached;
    }
    IssuerProfile found = detect(hostPath);
    if (CACHE.size() < 1024) {
      CACHE.put(hostPath, found);
    }
    return found;
  }

  private static IssuerProfile detect(String hostPath) {
    int slash = hostPath.indexOf('/');
    String normalized = slash < 0 ? hostPath.toLowerCase(Locale.ROOT)
        : hostPath.substring(0, slash).toLowerCase(Locale.ROOT) + hostPath.substring(slash);
    for (IssuerProfile p : ALL) {
      if (p.matchesHostPath(normalized)) {
        return p;
      }
    }
    throw new AssertionError("the generic profile matches every issuer");
  }
}
