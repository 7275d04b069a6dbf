package dev.oidcecr.core;

import dev.oidcecr.core.internal.AwsErrors;
import dev.oidcecr.core.internal.LeanAws;
import dev.oidcecr.core.internal.Retrier;
import dev.oidcecr.core.internal.RoleArns;
import dev.oidcecr.core.internal.SessionNames;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Turns a workspace's OIDC token into a Docker login for a private Amazon ECR registry: STS
 * {@code AssumeRoleWithWebIdentity}, then ECR {@code GetAuthorizationToken} with the session.
 *
 * <pre>{@code
 * try (OidcEcrAuthenticator auth = OidcEcrAuthenticator.builder()
 *     .roleArn("arn:aws:iam::123456789012:role/gitpod-ecr-pull")
 *     .registry("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
 *     .build()) {
 *   DockerAuth login = auth.authenticate();
 * }
 * }</pre>
 *
 * <p>Results are cached: the STS session until five minutes before it expires, the ECR token
 * until half its life. Every entry is bound to the caller (the token's issuer, subject, audiences
 * and other claims STS judges) and to the endpoint, partition, role, session and registry, and is
 * served only to a token STS has accepted for that binding: see {@link AuthCache}. The token is
 * read from the token source once per {@link #authenticate()}. Concurrent callers for the same
 * binding wait for one refresh. An expired token is never returned.
 * Instances are thread-safe; {@link #close()} closes the SDK clients the authenticator built.
 *
 * <p>Without SDK clients given to the builder, the two calls skip the SDK's client machinery
 * when the configuration is one they fully understand (endpoint overrides or the default
 * regional endpoints, no proxy settings): plain HTTP requests, the ECR one signed with SigV4,
 * with the same results, exceptions and retries. Anything else, or the environment variable
 * {@code OIDC_ECR_LEAN=off}, goes through SDK clients.
 */
public final class OidcEcrAuthenticator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OidcEcrAuthenticator.class);

  /** The SDK refreshes sessions five minutes before they expire; so do we. */
  static final Duration SESSION_REFRESH_MARGIN = Duration.ofMinutes(5);

  private final String roleArn;
  private final TokenSource tokenSource;
  private final EcrRegistry registry;
  private final String sessionName;
  private final Duration duration;
  private final Clock clock;
  private final AuthCache cache;
  private final Retrier retrier;
  private final ClientFactory clients;
  /** The login's two calls without the SDK clients, or {@code null} when they must be used. */
  private final LeanAws lean;
  /** What every cached session of this authenticator is bound to, besides the caller. */
  private final CacheBinding.Scope scope;
  private volatile KeyMemo lastKey;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, EcrRegistry> aliases;

  // Everything is read from the builder here, once: the builder may be changed and built again
  // without changing this authenticator.
  private OidcEcrAuthenticator(Builder b, EcrRegistry registry, URI endpoint, URI stsEndpoint,
      URI ecrEndpoint, Duration retryDeadline) {
    this.aliases = Map.copyOf(b.aliases);
    this.roleArn = b.roleArn;
    this.tokenSource = b.tokenSource != null ? b.tokenSource : TokenSource.defaultChain(b.env);
    this.registry = registry;
    this.clock = b.clock;
    this.sessionName = b.sessionName != null ? b.sessionName : SessionNames.derive(b.env, clock);
    this.duration = b.duration;
    this.cache = b.cache != null ? b.cache : AuthCache.create();
    this.retrier = new Retrier(retryDeadline, b.sleeper, clock);
    this.clients = new ClientFactory(registry.region(), b.stsClient, b.ecrClient,
        stsEndpoint != null ? stsEndpoint : endpoint, ecrEndpoint != null ? ecrEndpoint : endpoint,
        retryDeadline);
    this.lean = leanFor(b, stsEndpoint != null ? stsEndpoint : endpoint,
        ecrEndpoint != null ? ecrEndpoint : endpoint, retryDeadline);
    // A derived name changes with every authenticator (its timestamp): bind to what is stable.
    String namePolicy = b.sessionName != null ? sessionName
        : sessionName.replaceFirst("-[0-9]+$", "-*");
    this.scope = new CacheBinding.Scope(clients.stsEndpointId(), RoleArns.parse(roleArn).partition,
        roleArn, duration.getSeconds(), namePolicy, Map.of());
  }

  /** The environment variable that, set to {@code off}, sends every call through the SDK. */
  static final String LEAN_VARIABLE = "OIDC_ECR_LEAN";

  /**
   * Returns the lean client when nothing but the SDK can honour the configuration: no client
   * given by the caller, and what {@link LeanAws#create} accepts.
   */
  private static LeanAws leanFor(Builder b, URI sts, URI ecr, Duration deadline) {
    if (b.stsClient != null || b.ecrClient != null || !b.lean
        || "off".equalsIgnoreCase(String.valueOf(b.env.get(LEAN_VARIABLE)).strip())) {
      return null;
    }
    String home = System.getenv("HOME");
    return LeanAws.create(sts, ecr, deadline, System.getenv(), System.getProperties(),
        home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home")))
        .orElse(null);
  }

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the role this authenticator assumes.
   *
   * @return the role this authenticator assumes
   */
  public String roleArn() {
    return roleArn;
  }

  /**
   * Returns the registry {@link #authenticate()} logs in to.
   *
   * @return the registry {@link #authenticate()} logs in to
   */
  public EcrRegistry registry() {
    return registry;
  }

  /**
   * Returns the STS session name.
   *
   * @return the STS session name
   */
  public String sessionName() {
    return sessionName;
  }

  /**
   * Returns Docker credentials for the configured registry, from the cache when they have at
   * least half their life left.
   *
   * @throws StsAuthenticationException when STS refuses the token (the message says what to check)
   * @throws AccessDeniedException when the role may not get an ECR token
   * @throws TokenSourceException when no token could be read
   *
   * @return Docker credentials for the configured registry, from the cache when they have at least half their life left
   */
  public DockerAuth authenticate() {
    return authenticate(registry);
  }

  /**
   * Returns Docker credentials for a registry host as a client names it: an ECR registry host,
   * or an alias set with {@link Builder#registryAlias(String, String)}, for which the answer
   * carries the alias as its {@link DockerAuth#registryHost()} and the credentials of the ECR
   * registry it stands for. Any other host gets an empty answer.
   *
   * @param host the host name
   * @return Docker credentials for a registry host as a client names it: an ECR registry host, or an alias set with {@link Builder#registryAlias(String, String)}, for which the answer carries the alias as its {@link DockerAuth#registryHost()} and the credentials of the ECR registry it stands for
   */
  public Optional<DockerAuth> authenticateHost(String host) {
    Objects.requireNonNull(host, "host");
    String alias = dev.oidcecr.core.internal.RegistryAliases.normalize(host);
    EcrRegistry target = aliases.get(alias);
    if (target != null) {
      DockerAuth auth = authenticate(target);
      DockerAuth.Builder b = DockerAuth.builder().registryHost(alias).username(auth.username())
          .password(auth.password());
      auth.expiresAt().ifPresent(b::expiresAt);
      return Optional.of(b.build());
    }
    return EcrRegistry.tryParse(host).map(this::authenticate);
  }

  /**
   * Returns Docker credentials for another registry, using the same role session.
   *
   * @param target the other registry
   * @return Docker credentials for another registry, using the same role session
   */
  public DockerAuth authenticate(EcrRegistry target) {
    Objects.requireNonNull(target, "target");
    checkOpen();
    return authenticate(target, tokenSource.fetch());
  }

  /** Reads the caller's current token from the token source (one fetch per login). */
  WebIdentityToken fetchToken() {
    return tokenSource.fetch();
  }

  /**
   * Returns Docker credentials for {@code target} with {@code token}, the one token read for this
   * call: the cache is asked with its binding, and on a miss the same token goes to STS.
   */
  DockerAuth authenticate(EcrRegistry target, WebIdentityToken token) {
    checkOpen();
    CacheBinding.Caller caller = CacheBinding.Caller.of(token);
    Instant now = clock.instant();
    if (!caller.usableAt(now)) {
      LOG.debug("Token from {} (sub {}) is expired, not yet valid or unbindable by this clock:"
          + " not using the cache", tokenSource.describe(), token.subject().orElse("?"));
      Retrier.Deadline deadline = retrier.start();
      return fetchDockerAuth(target, assumeRole(token, deadline), deadline);
    }
    CacheBinding key = loginKey(caller, token, target);
    // One deadline for the whole login (the STS call, the ECR call and their retries), started
    // only when the cache misses.
    LazyDeadline deadline = new LazyDeadline();
    return cache.dockerAuth(key, caller, now, clock, SESSION_REFRESH_MARGIN,
        () -> assumeRole(token, deadline.get()),
        session -> fetchDockerAuth(target, session, deadline.get()));
  }

  private final class LazyDeadline {
    private Retrier.Deadline deadline;

    Retrier.Deadline get() {
      if (deadline == null) {
        deadline = retrier.start();
      }
      return deadline;
    }
  }

  /**
   * Returns the binding of {@code target}'s login for the caller of {@code token}, which must be
   * bindable; the last one is remembered, so a hit with the same token builds no key.
   */
  CacheBinding loginKey(CacheBinding.Caller caller, WebIdentityToken token, EcrRegistry target) {
    KeyMemo memo = lastKey;
    if (memo != null && memo.token == token && memo.target == target) {
      return memo.key;
    }
    CacheBinding key = CacheBinding.login(caller.identity().orElseThrow(), scope,
        clients.ecrEndpointId(target.region()), target.host());
    lastKey = new KeyMemo(token, target, key);
    return key;
  }

  private record KeyMemo(WebIdentityToken token, EcrRegistry target, CacheBinding key) {}

  /**
   * Returns an SDK credentials provider for any other AWS client, backed by the SDK's
   * {@link StsAssumeRoleWithWebIdentityCredentialsProvider}; each refresh reads a fresh token
   * from the token source. Close it when done; it stops working when this authenticator is
   * closed.
   *
   * @throws IllegalStateException when this authenticator is closed
   *
   * @return an SDK credentials provider for any other AWS client, backed by the SDK's {@link StsAssumeRoleWithWebIdentityCredentialsProvider}; each refresh reads a fresh token from the token source
   */
  public StsAssumeRoleWithWebIdentityCredentialsProvider credentialsProvider() {
    checkOpen();
    return StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
        .stsClient(clients.sts())
        // The Supplier overload: the SDK calls it at every refresh, so each session is asked
        // for with the token of that moment. The Consumer overload builds one request up front
        // and would resend the first (by then expired) token.
        .refreshRequest(() -> {
          checkOpen();
          return assumeRequest(tokenSource.fetch());
        })
        .build();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("This OidcEcrAuthenticator (role " + roleArn
          + ", registry " + registry.host() + ") is closed: build a new one with"
          + " OidcEcrAuthenticator.builder()");
    }
  }

  private DockerAuth fetchDockerAuth(EcrRegistry target, AwsSessionCredentials session,
      Retrier.Deadline deadline) {
    if (lean != null && lean.handlesEcr(target.region())) {
      String endpoint = clients.describeEcr(target.region());
      List<LeanAws.AuthorizationData> data = retrier.call("ECR GetAuthorizationToken", deadline,
          left -> {
            try {
              return lean.getAuthorizationToken(target.region(), target.accountId(),
                  session.accessKeyId(), session.secretAccessKey(), session.sessionToken(), left);
            } catch (SdkException e) {
              throw AwsErrors.translateEcr(e, roleArn, target, endpoint, retrier.deadline());
            }
          });
      LeanAws.AuthorizationData first = data.isEmpty() ? null : data.get(0);
      return dockerAuth(target, endpoint, data.isEmpty(),
          first == null ? null : first.authorizationToken(),
          first == null ? null : first.expiresAt());
    }
    EcrClient ecr = clients.ecr(target.region());
    String endpoint = ClientFactory.describe(ecr, "ECR", target.region());
    GetAuthorizationTokenResponse response = retrier.call("ECR GetAuthorizationToken", deadline,
        left -> {
          try {
            return ecr.getAuthorizationToken(r -> r
                .registryIds(target.accountId())
                .overrideConfiguration(o -> o.apiCallTimeout(left).credentialsProvider(
                    StaticCredentialsProvider.create(session))));
          } catch (SdkException e) {
            throw AwsErrors.translateEcr(e, roleArn, target, endpoint, retrier.deadline());
          }
        });
    List<AuthorizationData> data = response.authorizationData();
    AuthorizationData first = data.isEmpty() ? null : data.get(0);
    return dockerAuth(target, endpoint, data.isEmpty(),
        first == null ? null : first.authorizationToken(),
        first == null ? null : first.expiresAt());
  }

  /** Checks ECR's first entry as both paths read it, and makes the Docker login of it. */
  private DockerAuth dockerAuth(EcrRegistry target, String endpoint, boolean noData,
      String authorizationToken, Instant expiresAt) {
    if (!noData && (authorizationToken == null || authorizationToken.isEmpty())) {
      throw new EcrAuthorizationException("ECR GetAuthorizationToken to " + endpoint
          + " answered HTTP 200 without a token for " + target.host() + ": something other"
          + " than ECR answered. Check the endpoint URL (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECR)"
          + " and any proxy between this machine and AWS.");
    }
    if (noData) {
      throw new EcrAuthorizationException("ECR returned no authorization data for registry "
          + target.host() + ": check that account " + target.accountId() + " has ECR in "
          + target.region());
    }
    if (expiresAt == null || !expiresAt.isAfter(clock.instant())) {
      throw new EcrAuthorizationException("ECR returned a token for " + target.host()
          + " that expires at " + expiresAt + " while this machine's clock says "
          + clock.instant() + ": check the clock (NTP)");
    }
    // Keyed by the host the user pulls from, which for FIPS and dual-stack endpoints is not
    // the proxyEndpoint ECR answers with.
    DockerAuth auth = DockerAuth.fromEcrAuthorizationToken(authorizationToken, expiresAt,
        target.proxyEndpoint());
    LOG.debug("ECR token for {} with role {} expires at {}", target.host(), roleArn, expiresAt);
    return auth;
  }

  private AwsSessionCredentials assumeRole(WebIdentityToken token, Retrier.Deadline deadline) {
    if (lean != null && lean.handlesSts(registry.region())) {
      return leanAssumeRole(token, deadline);
    }
    StsClient sts = clients.sts();
    String endpoint = ClientFactory.describe(sts, "STS", registry.region());
    return retrier.call("STS AssumeRoleWithWebIdentity", deadline, left -> {
      LOG.debug("Assuming role {} as session {} with a token from {} (sub {}, expires {})",
          roleArn, sessionName, tokenSource.describe(), token.subject().orElse("?"),
          token.expiresAt());
      AssumeRoleWithWebIdentityResponse response;
      try {
        response = sts.assumeRoleWithWebIdentity(assumeRequest(token).toBuilder()
            .overrideConfiguration(o -> o.apiCallTimeout(left)).build());
      } catch (SdkException e) {
        throw AwsErrors.translateSts(e, roleArn, token, clock, endpoint, retrier.deadline());
      }
      Credentials c = response.credentials();
      return sessionCredentials(endpoint, c == null ? null : c.accessKeyId(),
          c == null ? null : c.secretAccessKey(), c == null ? null : c.sessionToken(),
          c == null ? null : c.expiration(),
          response.assumedRoleUser() == null ? null : response.assumedRoleUser().arn());
    });
  }

  private AwsSessionCredentials leanAssumeRole(WebIdentityToken token,
      Retrier.Deadline deadline) {
    String endpoint = clients.describeSts();
    return retrier.call("STS AssumeRoleWithWebIdentity", deadline, left -> {
      LOG.debug("Assuming role {} as session {} with a token from {} (sub {}, expires {})",
          roleArn, sessionName, tokenSource.describe(), token.subject().orElse("?"),
          token.expiresAt());
      LeanAws.Session c;
      try {
        c = lean.assumeRoleWithWebIdentity(registry.region(), roleArn, sessionName,
            duration.getSeconds(), token.value(), left);
      } catch (SdkException e) {
        throw AwsErrors.translateSts(e, roleArn, token, clock, endpoint, retrier.deadline());
      }
      return sessionCredentials(endpoint, c.accessKeyId(), c.secretAccessKey(),
          c.sessionToken(), c.expiration(), c.assumedRoleArn());
    });
  }

  /** Checks STS's credentials as both paths read them. */
  private AwsSessionCredentials sessionCredentials(String endpoint, String accessKeyId,
      String secretAccessKey, String sessionToken, Instant expiration, String assumedRoleArn) {
    if (accessKeyId == null || secretAccessKey == null || sessionToken == null
        || expiration == null) {
      throw new StsAuthenticationException("STS AssumeRoleWithWebIdentity to " + endpoint
          + " answered HTTP 200 without credentials for " + roleArn + ": something other than"
          + " STS answered. Check the endpoint URL (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS)"
          + " and any proxy between this machine and AWS.");
    }
    LOG.debug("Session {} for {} expires at {}", accessKeyId,
        assumedRoleArn == null ? roleArn : assumedRoleArn, expiration);
    return AwsSessionCredentials.builder()
        .accessKeyId(accessKeyId)
        .secretAccessKey(secretAccessKey)
        .sessionToken(sessionToken)
        .expirationTime(expiration)
        .build();
  }

  private AssumeRoleWithWebIdentityRequest assumeRequest(WebIdentityToken token) {
    return AssumeRoleWithWebIdentityRequest.builder()
        .roleArn(roleArn)
        .roleSessionName(sessionName)
        .durationSeconds((int) duration.getSeconds())
        .webIdentityToken(token.value())
        .build();
  }

  /**
   * Closes the SDK clients this authenticator built (not those passed to the builder). Calling
   * it again does nothing; every other method then throws {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      clients.close();
    }
  }

  /** Returns the role, registry, session name and token source; never a secret. */
  @Override
  public String toString() {
    return "OidcEcrAuthenticator{role=" + roleArn + ", registry=" + registry.host()
        + ", session=" + sessionName + ", duration=" + duration + ", token="
        + tokenSource.describe() + "}";
  }

  /** Builds an {@link OidcEcrAuthenticator}; a role ARN and a registry are required. */
  public static final class Builder {
    private String roleArn;
    private TokenSource tokenSource;
    private EcrRegistry registry;
    private String accountId;
    private String region;
    private String sessionName;
    private Duration duration = Duration.ofHours(1);
    private Clock clock = Clock.systemUTC();
    private AuthCache cache;
    private Map<String, String> env = System.getenv();
    private URI endpoint;
    private URI stsEndpoint;
    private URI ecrEndpoint;
    private StsClient stsClient;
    private EcrClient ecrClient;
    private Duration retryDeadline = Duration.ofSeconds(30);
    private boolean retryDeadlineSet;
    private Retrier.Sleeper sleeper = Retrier.Sleeper.REAL;
    private boolean lean = true;
    private final Map<String, EcrRegistry> aliases = new java.util.LinkedHashMap<>();

    private Builder() {}

    /**
     * Lets another host name stand for an ECR registry, such as a registry proxy or a test's
     * {@code 127.0.0.1:5000}: {@link OidcEcrAuthenticator#authenticateHost(String)} answers it
     * with that registry's credentials. Only configured aliases are answered.
     *
     * @param host the alias, such as {@code 127.0.0.1:5000} or {@code mirror.example.com}
     * @param ecrRegistry the ECR registry host it stands for
     *
     * @return this builder
     */
    public Builder registryAlias(String host, String ecrRegistry) {
      Objects.requireNonNull(host, "host");
      aliases.put(dev.oidcecr.core.internal.RegistryAliases.normalize(host),
          EcrRegistry.parse(Objects.requireNonNull(ecrRegistry, "ecrRegistry")));
      return this;
    }

    /**
     * Sets the role to assume, such as {@code arn:aws:iam::123456789012:role/gitpod-ecr-pull}.
     *
     * @throws InvalidRoleArnException when it is not an IAM role ARN (the message says which
     *     common mistake it looks like)
     *
     * @param roleArn the IAM role ARN
     * @return this builder
     */
    public Builder roleArn(String roleArn) {
      Objects.requireNonNull(roleArn, "roleArn");
      RoleArns.parse(roleArn);
      this.roleArn = roleArn.strip();
      return this;
    }

    /**
     * Sets where tokens come from (default: {@link TokenSource#defaultChain(Map)}).
     *
     * @param tokenSource where tokens come from (default: {@link TokenSource#defaultChain(Map)})
     * @return this builder
     */
    public Builder tokenSource(TokenSource tokenSource) {
      this.tokenSource = Objects.requireNonNull(tokenSource, "tokenSource");
      return this;
    }

    /**
     * Sets the registry to log in to.
     *
     * @param registry the ECR registry host, such as {@code 123456789012.dkr.ecr.us-east-1.amazonaws.com}
     * @return this builder
     */
    public Builder registry(EcrRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Sets the registry from a host, URL or image reference, such as
     * {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest}.
     *
     * @param registryOrImage an ECR registry host, URL or image reference
     * @return this builder
     */
    public Builder registry(String registryOrImage) {
      return registry(EcrRegistry.parse(registryOrImage));
    }

    /**
     * Sets the registry's account; with {@link #region(String)} it replaces a registry.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder accountId(String accountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      return this;
    }

    /**
     * Sets the region of the registry (and of STS) when no registry host is given.
     *
     * @param region the AWS region, such as {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sets the STS session name (default: Gitpod's workspace id and the time, as
     * {@code gp idp login aws} does).
     *
     * @throws IllegalArgumentException when it is not 2-64 characters of {@code [\w+=,.@-]}
     *
     * @param sessionName the STS session name (default: Gitpod's workspace id and the time, as {@code gp idp login aws} does)
     * @return this builder
     */
    public Builder sessionName(String sessionName) {
      if (!SessionNames.isValid(sessionName)) {
        throw new IllegalArgumentException("Session name \"" + sessionName + "\" is not 2-64"
            + " characters of letters, digits and +=,.@_-: pick another name");
      }
      this.sessionName = sessionName;
      return this;
    }

    /**
     * Sets the session duration (default one hour; 15 minutes to 12 hours, at most the role's
     * maximum session duration).
     *
     * @param duration how long the role session (and so the ECR password) may last
     * @return this builder
     */
    public Builder duration(Duration duration) {
      long s = duration.getSeconds();
      if (s < 900 || s > 43200) {
        throw new IllegalArgumentException("Session duration " + duration + " is outside what"
            + " STS allows (PT15M to PT12H): pick a duration in that range");
      }
      this.duration = duration;
      return this;
    }

    /**
     * Sets the clock used for expiry decisions (tests inject a fixed clock).
     *
     * @param clock the clock that supplies the current time (a fixed one in tests)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Shares a cache between authenticators (default: one cache per authenticator).
     *
     * @param cache the shared cache
     * @return this builder
     */
    public Builder cache(AuthCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /**
     * Sets the environment used for defaults (token chain, session name, endpoints).
     *
     * @param env the environment variables to read
     * @return this builder
     */
    public Builder environment(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /**
     * Sends STS and ECR calls to one endpoint, such as a {@code FakeAws}.
     *
     * @param endpoint the endpoint URI to send requests to instead of the public AWS one
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sends STS calls to this endpoint.
     *
     * @param endpoint the endpoint URI to send requests to instead of the public AWS one
     * @return this builder
     */
    public Builder stsEndpoint(URI endpoint) {
      this.stsEndpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sends ECR calls to this endpoint.
     *
     * @param endpoint the endpoint URI to send requests to instead of the public AWS one
     * @return this builder
     */
    public Builder ecrEndpoint(URI endpoint) {
      this.ecrEndpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Uses this STS client (not closed by the authenticator).
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder stsClient(StsClient client) {
      this.stsClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Uses this ECR client for every registry (not closed by the authenticator).
     *
     * @param client a ready SDK client, which the caller keeps and closes
     * @return this builder
     */
    public Builder ecrClient(EcrClient client) {
      this.ecrClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets how long one {@link #authenticate()} may take in all: connecting, sending, reading the
     * STS and ECR answers and retrying what may succeed later (throttling,
     * {@code IDPCommunicationError}, 5xx, I/O) with exponential backoff. A call still running at
     * the deadline is cut off and named in the exception. Default: the whole seconds in the
     * environment variable {@value #TIMEOUT_VARIABLE} when set, else 30 seconds.
     *
     * @throws IllegalArgumentException when the deadline is not positive
     *
     * @param deadline how long one {@link #authenticate()} may take in all: connecting, sending, reading the STS and ECR answers and retrying what may succeed later (throttling, {@code IDPCommunicationError}, 5xx, I/O) with exponential backoff
     * @return this builder
     */
    public Builder retryDeadline(Duration deadline) {
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("The deadline must be positive, not " + deadline
            + ": pass the time one authenticate() may take, such as Duration.ofSeconds(30)");
      }
      this.retryDeadline = deadline;
      this.retryDeadlineSet = true;
      return this;
    }

    Builder sleeper(Retrier.Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /** Lets the login's calls skip the SDK clients where it can (default); tests compare. */
    Builder lean(boolean lean) {
      this.lean = lean;
      return this;
    }

    /**
     * Builds the authenticator.
     *
     * @throws IllegalStateException when the role ARN or the registry is missing
     *
     * @return the authenticator
     */
    public OidcEcrAuthenticator build() {
      if (roleArn == null) {
        throw new IllegalStateException("roleArn(...) is required: pass the ARN of the role"
            + " whose trust policy allows your workspace (for Gitpod, IDP_AWS_ROLE_ARN)");
      }
      // Locals, not fields: building must not change this builder.
      EcrRegistry target = registry;
      if (target == null) {
        if (accountId == null || region == null) {
          throw new IllegalStateException("registry(...) or accountId(...) with region(...) is"
              + " required: pass the ECR registry host, such as"
              + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        }
        target = EcrRegistry.of(accountId, region);
      }
      Duration deadline = retryDeadlineSet ? retryDeadline
          : timeoutFrom(env).orElse(retryDeadline);
      return new OidcEcrAuthenticator(this, target,
          endpoint != null ? endpoint : envEndpoint("AWS_ENDPOINT_URL"),
          stsEndpoint != null ? stsEndpoint : envEndpoint("AWS_ENDPOINT_URL_STS"),
          ecrEndpoint != null ? ecrEndpoint : envEndpoint("AWS_ENDPOINT_URL_ECR"), deadline);
    }

    private URI envEndpoint(String name) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        return URI.create(value.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + " is not a URL (\"" + value + "\"): set it to"
            + " an endpoint such as http://localhost:4566, or unset it");
      }
    }
  }

  /** The environment variable that sets the deadline of one authentication, in seconds. */
  public static final String TIMEOUT_VARIABLE = "OIDC_ECR_TIMEOUT";

  /** The largest deadline {@value #TIMEOUT_VARIABLE} may set: one hour, in seconds. */
  static final long MAX_TIMEOUT_SECONDS = 3600;

  /**
   * Returns the deadline set by {@value #TIMEOUT_VARIABLE} in {@code env}, if any.
   *
   * @throws IllegalArgumentException when it is not whole seconds from 1 to 3600
   *
   * @param env the environment variables to read
   * @return the deadline set by {@value #TIMEOUT_VARIABLE} in {@code env}, if any
   */
  public static Optional<Duration> timeoutFrom(Map<String, String> env) {
    String value = env.get(TIMEOUT_VARIABLE);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    long seconds;
    try {
      seconds = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + "=\"" + value + "\" is not whole"
          + " seconds from 1 to " + MAX_TIMEOUT_SECONDS + ": set it to the time a login may take,"
          + " such as 30, or unset it");
    }
    return Optional.of(Duration.ofSeconds(seconds));
  }

  /** Builds and owns the SDK clients, one ECR client per region. */
  private static final class ClientFactory {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(15);

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }

    private final Duration retryDeadline;
    private final String defaultRegion;
    private final StsClient givenSts;
    private final EcrClient givenEcr;
    private final URI stsEndpoint;
    private final URI ecrEndpoint;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Map<String, EcrClient> ecrByRegion = new ConcurrentHashMap<>();
    private volatile StsClient sts;
    private SdkHttpClient http;

    ClientFactory(String defaultRegion, StsClient givenSts, EcrClient givenEcr, URI stsEndpoint,
        URI ecrEndpoint, Duration retryDeadline) {
      this.retryDeadline = retryDeadline;
      this.defaultRegion = defaultRegion;
      this.givenSts = givenSts;
      this.givenEcr = givenEcr;
      this.stsEndpoint = stsEndpoint;
      this.ecrEndpoint = ecrEndpoint;
    }

    /** Names the STS endpoint calls go to, for cache bindings: a URL, or the region default. */
    String stsEndpointId() {
      if (givenSts != null) {
        return clientEndpointId(givenSts);
      }
      return stsEndpoint != null ? stsEndpoint.toString() : "default:" + defaultRegion;
    }

    /** Names the ECR endpoint calls for {@code region} go to, for cache bindings. */
    String ecrEndpointId(String region) {
      if (givenEcr != null) {
        return clientEndpointId(givenEcr);
      }
      return ecrEndpoint != null ? ecrEndpoint.toString() : "default:" + region;
    }

    /** A given client's endpoint; one that cannot say binds to this client object only. */
    private static String clientEndpointId(software.amazon.awssdk.core.SdkClient client) {
      try {
        var c = client.serviceClientConfiguration();
        String region = c instanceof software.amazon.awssdk.awscore.AwsServiceClientConfiguration a
            ? String.valueOf(a.region()) : "unknown";
        return c.endpointOverride().map(URI::toString).orElse("default:" + region);
      } catch (UnsupportedOperationException e) {
        return "client:" + client.getClass().getName() + "@" + System.identityHashCode(client);
      }
    }

    /** Names where STS calls go, for messages, as {@link #describe} does for an SDK client. */
    String describeSts() {
      return stsEndpoint != null ? stsEndpoint.toString()
          : "the STS endpoint of " + defaultRegion;
    }

    /** Names where ECR calls for {@code region} go, for messages. */
    String describeEcr(String region) {
      return ecrEndpoint != null ? ecrEndpoint.toString() : "the ECR endpoint of " + region;
    }

    /** Names where a client sends its calls, for messages. */
    static String describe(software.amazon.awssdk.core.SdkClient client, String service,
        String region) {
      try {
        return client.serviceClientConfiguration().endpointOverride().map(URI::toString)
            .orElse("the " + service + " endpoint of " + region);
      } catch (UnsupportedOperationException e) {
        return "the " + service + " endpoint";
      }
    }

    synchronized SdkHttpClient http() {
      if (http == null) {
        // Socket timeouts below the operation's deadline, which the SDK enforces per call
        // (apiCallTimeout) over connecting, sending, reading and retries.
        Duration deadline = retryDeadline;
        var builder = UrlConnectionHttpClient.builder()
            .connectionTimeout(min(CONNECT_TIMEOUT, deadline))
            .socketTimeout(min(SOCKET_TIMEOUT, deadline));
        if (plainHttpOnly()) {
          // Every call goes to an http:// endpoint (a fake, LocalStack): the client's eager TLS
          // context would otherwise load and parse the JDK's cacerts for nothing.
          builder.tlsTrustManagersProvider(() -> new javax.net.ssl.TrustManager[0])
              .tlsKeyManagersProvider(() -> null);
        }
        http = builder.build();
        owned.add(http);
      }
      return http;
    }

    /** Tells whether both the STS and the ECR calls go to {@code http://} endpoint overrides. */
    private boolean plainHttpOnly() {
      return stsEndpoint != null && ecrEndpoint != null
          && "http".equalsIgnoreCase(stsEndpoint.getScheme())
          && "http".equalsIgnoreCase(ecrEndpoint.getScheme());
    }

    StsClient sts() {
      if (givenSts != null) {
        return givenSts;
      }
      if (sts == null) {
        synchronized (this) {
          if (sts == null) {
            URI endpoint = stsEndpoint;
            var b = StsClient.builder()
                .region(Region.of(defaultRegion))
                .httpClient(http())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()));
            if (endpoint != null) {
              b.endpointOverride(endpoint);
            }
            StsClient client = b.build();
            owned.add(client);
            sts = client;
          }
        }
      }
      return sts;
    }

    EcrClient ecr(String region) {
      if (givenEcr != null) {
        return givenEcr;
      }
      return ecrByRegion.computeIfAbsent(region, r -> {
        URI endpoint = ecrEndpoint;
        var b = EcrClient.builder()
            .region(Region.of(r))
            .httpClient(http())
            // Every call overrides the credentials with the role session's.
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()));
        if (endpoint != null) {
          b.endpointOverride(endpoint);
        }
        EcrClient client = b.build();
        synchronized (this) {
          owned.add(client);
        }
        return client;
      });
    }

    synchronized void close() {
      // Clients before the HTTP client they share.
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          LOG.debug("Closing {} failed", owned.get(i), e);
        }
      }
      owned.clear();
      ecrByRegion.clear();
      sts = null;
      http = null;
    }
  }

  /** Returns the current time of the authenticator's clock (for tests of the cache). */
  Instant now() {
    return clock.instant();
  }
}
