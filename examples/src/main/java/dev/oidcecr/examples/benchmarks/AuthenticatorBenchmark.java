package dev.oidcecr.examples.benchmarks;

import dev.oidcecr.core.AuthCache;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.policies.PermissionPolicy;
import dev.oidcecr.policies.TrustPolicy;
import dev.oidcecr.testing.FakeAws;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Measures {@link OidcEcrAuthenticator#authenticate()} against an in-process {@link FakeAws}:
 * a cache miss, which is the full STS {@code AssumeRoleWithWebIdentity} plus ECR
 * {@code GetAuthorizationToken} round trip over loopback HTTP, and a cache hit.
 *
 * <p>The fake runs in the benchmark's JVM, so a miss also pays for the fake's side of both calls
 * (SigV4 check, JWT signature verification, trust and permission policy evaluation): the figure
 * is the cost of a login on this machine with nothing but loopback in between, not AWS's latency.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
public class AuthenticatorBenchmark {
  static final String ROLE = "gitpod-ecr-pull";
  static final String REPOSITORY = "acme/app";
  static final String REPOSITORY_URL = "https://github.com/acme/app";

  private FakeAws fake;
  private AuthCache missCache;
  private OidcEcrAuthenticator missing;
  private OidcEcrAuthenticator hitting;

  /**
   * Starts the fake and sets it up as a platform engineer would (OIDC provider, role with a
   * Gitpod trust policy, inline ECR pull policy, repository) through the real IAM and ECR clients,
   * then builds two authenticators with a fixed token.
   */
  @Setup
  public void setUp() {
    fake = FakeAws.builder().build().start();
    // The fake's endpoint() says localhost; 127.0.0.1 keeps name resolution out of the figure.
    URI endpoint = URI.create("http://127.0.0.1:" + fake.port());
    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
    try (SdkHttpClient http = UrlConnectionHttpClient.create();
        IamClient iam = IamClient.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL)
            .httpClient(http).credentialsProvider(admin).build();
        EcrClient ecr = EcrClient.builder().endpointOverride(endpoint)
            .region(Region.of(fake.region())).httpClient(http).credentialsProvider(admin)
            .build()) {
      iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
          .clientIDList("sts.amazonaws.com"));
      iam.createRole(r -> r.roleName(ROLE).assumeRolePolicyDocument(TrustPolicy.builder()
          .issuer(fake.issuer().issuer())
          .account(fake.accountId())
          .repository(REPOSITORY_URL)
          .build()
          .toJson()));
      iam.putRolePolicy(r -> r.roleName(ROLE).policyName("ecr-pull")
          .policyDocument(PermissionPolicy.builder()
              .repository(fake.accountId(), fake.region(), REPOSITORY)
              .build()
              .toJson()));
      ecr.createRepository(r -> r.repositoryName(REPOSITORY));
    }
    // Valid for an hour: longer than any run of this benchmark.
    String token = fake.issuer().token().repository(REPOSITORY_URL)
        .workspaceId("acme-app-0a1b2c3d").mint();
    EcrRegistry registry = EcrRegistry.of(fake.accountId(), fake.region());
    missCache = AuthCache.create();
    missing = authenticator(endpoint, registry, token, missCache);
    hitting = authenticator(endpoint, registry, token, AuthCache.create());
    if (missing.authenticate().password().isEmpty() || hitting.authenticate() == null) {
      throw new IllegalStateException("Benchmark setup is wrong: no ECR password");
    }
  }

  private OidcEcrAuthenticator authenticator(URI endpoint, EcrRegistry registry, String token,
      AuthCache cache) {
    return OidcEcrAuthenticator.builder()
        .roleArn(fake.roleArn(ROLE))
        .registry(registry)
        .tokenSource(TokenSource.of(token))
        .sessionName("benchmark")
        .endpoint(endpoint)
        .cache(cache)
        .build();
  }

  /** Closes the authenticators and stops the fake. */
  @TearDown
  public void tearDown() {
    missing.close();
    hitting.close();
    fake.close();
  }

  /**
   * A cache miss: the cache is cleared first, so every call assumes the role and asks ECR for a
   * token (two signed HTTP round trips to the fake).
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public DockerAuth authenticateMiss() {
    missCache.clear();
    return missing.authenticate();
  }

  /** A cache hit: the login fetched in setup, still within half its life. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public DockerAuth authenticateHit() {
    return hitting.authenticate();
  }
}
