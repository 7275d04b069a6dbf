package dev.oidcecr.testing;

/**
 * The policies of the chain test.
 * TODO: build them with TrustPolicy, PermissionPolicy and RepositoryPolicy once those land.
 */
final class ChainPolicies {
  private ChainPolicies() {}

  static String trust(FakeAws fake) {
    return Fixtures.trustPolicy(fake);
  }

  static String permissions(FakeAws fake, String repository) {
    return Fixtures.pullPolicy(fake, repository);
  }

  static String repository(FakeAws fake) {
    return Fixtures.repositoryPolicy(fake.accountId());
  }
}
