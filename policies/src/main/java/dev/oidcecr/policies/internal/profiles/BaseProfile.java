package dev.oidcecr.policies.internal.profiles;

import dev.oidcecr.policies.IssuerProfile;
import java.util.List;
import java.util.Optional;

/**
 * What most profiles answer alike: the id and name, audience {@code sts.amazonaws.com} (what the
 * issuers' own tools ask for when told the token is for AWS), one issuer per tenant (not shared),
 * and the standard condition keys. A profile that differs overrides the method.
 */
abstract class BaseProfile implements IssuerProfile {

  /** The claims STS turns into condition keys for every OIDC issuer (where the token has them). */
  static final List<String> STANDARD_CLAIMS = List.of("aud", "sub", "amr");

  /**
   * The keys this library has always put in the context for Gitpod and unknown issuers: the
   * standard ones plus {@code azp} and {@code email}, which IAM documents for some providers.
   */
  static final List<String> LEGACY_CLAIMS = List.of("aud", "sub", "azp", "amr", "email");

  private static final Optional<String> STS_AUDIENCE = Optional.of("sts.amazonaws.com");

  private final String id;
  private final String displayName;

  BaseProfile(String id, String displayName) {
    this.id = id;
    this.displayName = displayName;
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final String displayName() {
    return displayName;
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return STS_AUDIENCE;
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return false;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return STANDARD_CLAIMS;
  }

  @Override
  public String toString() {
    return "IssuerProfile[" + id + "]";
  }
}
