package dev.oidcecr.core.internal.doctor;

import java.util.List;

/** The registry of {@link TrustTrap}s the doctor runs when a trust policy refuses a token. */
public final class TrustTraps {
  private static final List<TrustTrap> ALL = List.of(
      new GithubEnvironmentTrap(),
      new GithubImmutableSubjectTrap(),
      new OwnerCaseTrap(),
      new ForAllValuesTrap(),
      new GitlabRefsHeadsTrap(),
      new OnaTokenVersionTrap(),
      new DefaultAudienceTrap());

  private TrustTraps() {}

  /** Returns the explanations of every trap that applies, in registry order. */
  public static List<String> explain(TrapContext context) {
    return ALL.stream()
        .filter(t -> t.profiles().isEmpty() || t.profiles().contains(context.profile().id()))
        .flatMap(t -> t.explain(context).stream())
        .toList();
  }
}
