package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * CircleCI's job token carries the organization id as its audience and Bitbucket's the
 * workspace's {@code ari:cloud:bitbucket::workspace/<uuid>}, not {@code sts.amazonaws.com}, unless
 * the job asks for another. Sources: CircleCI docs, "Using OpenID Connect tokens in jobs"
 * ({@code aud} = organization id; {@code circleci run oidc get --claims '{"aud":...}'} for a
 * custom one); Bitbucket docs, "Integrate Pipelines with resource servers using OIDC".
 */
final class DefaultAudienceTrap implements TrustTrap {
  @Override
  public Set<String> profiles() {
    return Set.of("circleci", "bitbucket");
  }

  @Override
  public Optional<String> explain(TrapContext c) {
    Object iss = c.claims().get("iss");
    Optional<String> defaultAud = iss instanceof String s
        ? c.profile().defaultAudience(s) : Optional.empty();
    boolean bitbucketDefault = c.audiences().stream()
        .anyMatch(a -> a.startsWith("ari:cloud:bitbucket::workspace/"));
    boolean carriesDefault = bitbucketDefault
        || defaultAud.filter(c.audiences()::contains).isPresent();
    boolean policyWantsSts = c.values("aud").contains("sts.amazonaws.com");
    if (!carriesDefault || !policyWantsSts || c.audiences().contains("sts.amazonaws.com")) {
      return Optional.empty();
    }
    String aud = c.audiences().get(0);
    String ask = c.profile().id().equals("circleci")
        ? "have the job ask for it (circleci run oidc get --claims"
            + " '{\"aud\":\"sts.amazonaws.com\"}')"
        : "or keep sts.amazonaws.com out of the policy";
    return Optional.of("Trap: the token still carries " + c.profile().displayName() + "'s"
        + " default audience " + aud + ", not sts.amazonaws.com, which the trust policy"
        + " requires. Fix: trust that audience with AwsSetup audience(\"" + aud + "\") (it also"
        + " becomes the provider's client id), or " + ask + ".");
  }
}
