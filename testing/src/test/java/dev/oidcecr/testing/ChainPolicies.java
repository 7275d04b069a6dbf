package dev.oidcecr.testing;

import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.RepositoryPolicy;
import dev.oidcecr.policies.TrustPolicy;

/** The chain test's policies, built with the library's typed builders. */
final class ChainPolicies {
  private ChainPolicies() {}

  static String trust(FakeAws fake) {
    return TrustPolicy.builder().issuer(fake.issuer().issuer()).account(fake.accountId())
        .repository("https://github.com/acme/app").build().toJson();
  }

  static String permissions(FakeAws fake, String repository) {
    return PermissionPolicy.builder().repository(fake.accountId(), fake.region(), repository)
        .build().toJson();
  }

  static String repository(FakeAws fake) {
    return RepositoryPolicy.builder().allowAccount(fake.accountId()).build().toJson();
  }
}
