package dev.oidcecr.testing;

import dev.oidcecr.testing.internal.Engine;
import dev.oidcecr.testing.internal.SdkBridge;
import dev.oidcecr.testing.internal.WireServer;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;

/**
 * A fake of AWS STS, ECR and IAM on one local HTTP endpoint, speaking their wire protocols so
 * that the real SDK clients, the AWS CLI and other languages' SDKs work against it with an
 * endpoint override. It enforces what AWS enforces: token signature, issuer, audience and
 * expiry against the registered OIDC provider, the role's trust policy, session limits, and
 * identity and repository policies for ECR calls and registry pulls.
 *
 * <pre>{@code
 * try (FakeAws aws = FakeAws.builder().build().start()) {
 *   IamClient iam = aws.configure(IamClient.builder()).build();
 *   String token = aws.issuer().token().repository("https://github.com/acme/app").mint();
 * }
 * }</pre>
 */
public final class FakeAws implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeAws.class);
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private final String region;
  private final String accountId;
  private final int port;
  private final Clock clock;
  private final FakeOidcIssuer issuer;
  private final boolean ownsIssuer;
  private final List<FakeOidcIssuer> additionalIssuers;
  private final Optional<String> organizationId;
  private final boolean verifySignatures;
  private final long registryMemoryLimit;
  private final String accessKeyId;
  private final String secretAccessKey;
  /** Every account, the first one first. */
  private final List<FakeAccount> accounts;
  private volatile Engine engine;
  private volatile WireServer server;
  private volatile boolean closed;
  private final List<Runnable> stopServingListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile dev.oidcecr.testing.internal.RegistryServer registryServer;
  private final int registryPort;

  private FakeAws(Builder b) {
    this.region = b.region;
    this.accountId = b.accountId;
    this.port = b.port;
    this.clock = b.clock;
    this.ownsIssuer = b.issuer == null;
    this.issuer = b.issuer != null ? b.issuer : FakeOidcIssuer.builder().clock(b.clock).build();
    this.additionalIssuers = List.copyOf(b.additionalIssuers);
    this.organizationId = Optional.ofNullable(b.organizationId);
    this.verifySignatures = b.verifySignatures;
    this.registryMemoryLimit = b.registryMemoryLimit;
    this.registryPort = b.registryPort;
    SecureRandom random = new SecureRandom();
    this.accessKeyId = newAccessKeyId(random);
    this.secretAccessKey = newSecret(random);
    List<FakeAccount> all = new ArrayList<>();
    all.add(new FakeAccount(this, accountId, accessKeyId, secretAccessKey));
    for (String other : b.otherAccounts) {
      all.add(new FakeAccount(this, other, newAccessKeyId(random), newSecret(random)));
    }
    this.accounts = List.copyOf(all);
  }

  private static String newAccessKeyId(SecureRandom random) {
    StringBuilder akid = new StringBuilder("AKIAFAKE");
    for (int i = 0; i < 12; i++) {
      akid.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
    }
    return akid.toString();
  }

  private static String newSecret(SecureRandom random) {
    StringBuilder secret = new StringBuilder();
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 40; i++) {
      secret.append(chars.charAt(random.nextInt(chars.length())));
    }
    return secret.toString();
  }

  /**
   * Returns a builder with defaults: region {@code eu-west-1}, account {@code 123456789012}.
   *
   * @return a builder with defaults: region {@code eu-west-1}, account {@code 123456789012}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the issuer (when not started yet) and the server on 127.0.0.1, and returns this fake.
   *
   * @throws IllegalStateException if already started or the port cannot be bound
   */
  public synchronized FakeAws start() {
    if (server != null) {
      throw new IllegalStateException("FakeAws.start() was called twice: call it once.");
    }
    // The issuer (key generation, JDK server) and the engine are prepared on another thread
    // while Jetty starts: on a small machine this is most of the cold start.
    CompletableFuture<Engine> prepared = CompletableFuture.supplyAsync(() -> {
      // Live maps: an issuer serves a new issuer URL whenever it mints the first token of a
      // profile for it, and the verifier must find it then.
      Map<String, URI> local = new java.util.concurrent.ConcurrentHashMap<>();
      Map<String, java.util.function.Supplier<String>> kids =
          new java.util.concurrent.ConcurrentHashMap<>();
      for (FakeOidcIssuer i : allIssuers()) {
        if (!i.isStarted()) {
          i.start();
        }
        stopServingListeners.add(i.whenServing((name, url) -> {
          local.putIfAbsent(name, url);
          kids.putIfAbsent(name, i::keyId);
        }));
      }
      List<Engine.Account> others = accounts.stream().skip(1)
          .map(a -> new Engine.Account(a.accountId(), a.accessKeyId(), a.secretAccessKey()))
          .toList();
      return new Engine(new Engine.Config(region, accountId, clock, accessKeyId,
          secretAccessKey, local, organizationId, issuer::mintFromRequest,
          issuer.issuer(), kids, verifySignatures), others);
    });
    try {
      server = new WireServer(port, prepared::join);
      engine = prepared.join();
      engine.registryMemoryLimit(registryMemoryLimit);
      Engine started = engine;
      registryServer = new dev.oidcecr.testing.internal.RegistryServer(registryPort,
          () -> started);
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
        server = null;
      }
      if (registryServer != null) {
        registryServer.close();
        registryServer = null;
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause()
          != null ? e.getCause() : e;
      throw cause instanceof RuntimeException re ? re : e;
    }
    LOG.debug("Fake AWS started at {} (region {}, account {}, issuer {})", endpoint(), region,
        accountId, issuer.issuer());
    return this;
  }

  private List<FakeOidcIssuer> allIssuers() {
    List<FakeOidcIssuer> all = new ArrayList<>();
    all.add(issuer);
    all.addAll(additionalIssuers);
    return all;
  }

  /** Stops the server, and the issuer when this fake created it. */
  @Override
  public synchronized void close() {
    closed = true;
    if (engine != null) {
      engine.releaseHungCalls();
    }
    if (server != null) {
      server.close();
    }
    if (registryServer != null) {
      registryServer.close();
    }
    stopServingListeners.forEach(Runnable::run);
    stopServingListeners.clear();
    if (ownsIssuer) {
      issuer.close();
    }
  }

  /**
   * Returns the endpoint to give SDK clients: {@code http://localhost:<port>}.
   *
   * @throws IllegalStateException before {@link #start()}
   *
   * @return the endpoint to give SDK clients
   */
  public URI endpoint() {
    return URI.create("http://localhost:" + port());
  }

  /**
   * Returns the bound port.
   *
   * @return the bound port
   */
  public int port() {
    WireServer s = server;
    if (s == null) {
      throw new IllegalStateException("FakeAws is not started: call start() before endpoint().");
    }
    if (closed) {
      throw new IllegalStateException("FakeAws is closed: its endpoint no longer answers.");
    }
    return s.port();
  }

  /**
   * Returns the region the fake reports in ARNs and registry hosts.
   *
   * @return the region the fake reports in ARNs and registry hosts
   */
  public String region() {
    return region;
  }

  /**
   * Returns the account that owns every provider, role and repository.
   *
   * @return the account that owns every provider, role and repository
   */
  public String accountId() {
    return accountId;
  }

  /**
   * Returns every account this fake serves, the first one ({@link #accountId()}) first. Each
   * has its own IAM, ECR repositories and admin keys; STS, the issuer and the registry listener
   * are shared, and calls between accounts follow AWS's cross-account rules.
   *
   * @return the accounts, the first one first
   */
  public List<FakeAccount> accounts() {
    return accounts;
  }

  /**
   * Returns the account with this id.
   *
   * @param accountId a 12-digit account id given to {@link Builder#accounts}
   * @return the account
   * @throws IllegalArgumentException when the fake does not serve it
   */
  public FakeAccount account(String accountId) {
    return accounts.stream().filter(a -> a.accountId().equals(accountId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("This fake serves no account "
            + accountId + ": it serves " + accounts.stream().map(FakeAccount::accountId)
            .toList() + "; add it with FakeAws.builder().accounts(...)."));
  }

  String seedImageIn(String account, String repository, String tag) {
    ImageSpec spec = new ImageSpec();
    spec.config("{}").tag(tag);
    return engine().seedImage(account, repository, spec.blobs(), spec.tags(), spec.manifest());
  }

  /** Bounds the sessions kept in memory (tests of the bound). */
  void sessionCacheLimit(int limit) {
    engine().sessionCacheLimit(limit);
  }

  /** Returns how many STS sessions the fake holds in memory now. */
  int sessionsInMemory() {
    return engine().sessionsInMemory();
  }

  /**
   * Returns the access key id of the admin identity, allowed to call IAM and ECR.
   *
   * @return the access key id of the admin identity, allowed to call IAM and ECR
   */
  public String accessKeyId() {
    return accessKeyId;
  }

  /**
   * Returns the secret access key of the admin identity.
   *
   * @return the secret access key of the admin identity
   */
  public String secretAccessKey() {
    return secretAccessKey;
  }

  /**
   * Returns the admin identity's keys as SDK credentials, for IAM and ECR clients that set the
   * fake up. Needs the AWS SDK on the class path (an optional dependency of this artifact).
   *
   * @return the admin identity's keys as SDK credentials, for IAM and ECR clients that set the fake up
   */
  public AwsCredentialsProvider credentialsProvider() {
    return SdkBridge.credentials(accessKeyId, secretAccessKey);
  }

  /**
   * Points an SDK client builder at this fake: its endpoint, its region and the admin
   * credentials, so that a client is one line:
   * {@code IamClient iam = aws.configure(IamClient.builder()).build();} (or
   * {@code IamClient.builder().applyMutation(aws::configure).build()}).
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    return SdkBridge.configure(builder, endpoint(), region, credentialsProvider());
  }

  /**
   * Returns the OIDC issuer whose tokens the fake verifies with its served keys.
   *
   * @return the OIDC issuer whose tokens the fake verifies with its served keys
   */
  public FakeOidcIssuer issuer() {
    return issuer;
  }

  /**
   * Returns the ECR registry host, {@code <account>.dkr.ecr.<region>.amazonaws.com}.
   *
   * @return the ECR registry host, {@code <account>.dkr.ecr.<region>.amazonaws.com}
   */
  public String registryHost() {
    return accountId + ".dkr.ecr." + region + ".amazonaws.com";
  }

  /**
   * Returns the address registry clients (Jib, skopeo, Docker) reach this fake's registry at,
   * {@code 127.0.0.1:<registry port>}: image references name it
   * ({@code 127.0.0.1:<port>/team/app:v1}), and a registry alias maps it to
   * {@link #registryHost()} for credentials. The registry has its own port, as ECR's registry
   * has its own host; {@link #endpoint()} also answers {@code /v2/} for manifests, but only this
   * address carries gzipped layers unaltered.
   *
   * @return the address registry clients (Jib, skopeo, Docker) reach this fake's registry at, {@code 127.0.0.1:<registry port>}: image references name it ({@code 127.0.0.1:<port>/team/app:v1}), and a registry alias maps it to {@link #registryHost()} for credentials
   */
  public String registryAddress() {
    return "127.0.0.1:" + registryPort();
  }

  /**
   * Returns the registry's port on 127.0.0.1.
   *
   * @return the registry's port on 127.0.0.1
   */
  public int registryPort() {
    if (registryServer == null) {
      throw new IllegalStateException("FakeAws is not started: call start() before "
          + "registryAddress().");
    }
    return registryServer.port();
  }

  /**
   * Returns the registry endpoint: {@code http://127.0.0.1:<registry port>/v2/}.
   *
   * @return the registry endpoint
   */
  public URI registryEndpoint() {
    return URI.create("http://" + registryAddress() + "/v2/");
  }

  /**
   * Returns the ARN of a role of this account.
   *
   * @return the ARN of a role of this account
   */
  public String roleArn(String roleName) {
    return "arn:aws:iam::" + accountId + ":role/" + roleName;
  }

  /**
   * Returns the ARN of the issuer's OIDC provider in this account.
   *
   * @return the ARN of the issuer's OIDC provider in this account
   */
  public String providerArn() {
    return issuer.providerArn(accountId);
  }

  /**
   * Returns the ARN of a repository of this account.
   *
   * @param repositoryName the repository name
   * @return the ARN of a repository of this account
   */
  public String repositoryArn(String repositoryName) {
    return "arn:aws:ecr:" + region + ":" + accountId + ":repository/" + repositoryName;
  }

  /**
   * Returns the last refused call with the policy evaluator's explanation: which statement and
   * condition failed and what the request had.
   *
   * @return the last refused call with the policy evaluator's explanation: which statement and condition failed and what the request had
   */
  public Optional<Denial> lastDenial() {
    return engine().lastDenial();
  }

  /**
   * Stores an image manifest in a repository (created when missing) so that the registry
   * endpoint and {@code BatchGetImage} serve it.
   *
   * @return the manifest digest, {@code sha256:<hex>}
   *
   * @param repository the repository name
   * @param tag the tag
   */
  public String seedImage(String repository, String tag, String manifestJson) {
    return engine().seedImage(repository, tag, manifestJson);
  }

  /**
   * Stores a small OCI image without layers (its config blob {@code {}} included, so a client
   * can pull it whole) and returns its digest.
   *
   * @param repository the repository name
   * @param tag the tag
   */
  public String seedImage(String repository, String tag) {
    return seedImage(repository, image -> image.config("{}").tag(tag));
  }

  /**
   * Builds an image from layers, a config and tags, stores its blobs and OCI manifest in a
   * repository (created when missing), and returns the manifest digest.
   *
   * <pre>{@code
   * String digest = aws.seedImage("team/app", image -> image.layer(tarGz).tag("v1"));
   * }</pre>
   *
   * @throws IllegalArgumentException if the repository name is not valid for ECR, or the
   *     registry memory limit is reached
   *
   * @param repository the repository name
   * @return the image from layers, a config and tags, stores its blobs and OCI manifest in a repository (created when missing), and returns the manifest digest
   */
  public String seedImage(String repository, java.util.function.Consumer<ImageSpec> image) {
    ImageSpec spec = new ImageSpec();
    image.accept(spec);
    return engine().seedImage(repository, spec.blobs(), spec.tags(), spec.manifest());
  }

  /**
   * Lists the images of a repository, oldest first: what a tool under test pushed, with its
   * tags and manifest.
   *
   * @throws IllegalArgumentException if the repository does not exist
   *
   * @param repository the repository name
   */
  public List<StoredImage> images(String repository) {
    try {
      return engine().images(repository).stream().map(i -> StoredImage.of(i.digest(), i.tags(),
          i.mediaType(), i.manifest(), i.size(), i.pushedAt())).toList();
    } catch (dev.oidcecr.testing.internal.AwsError e) {
      throw new IllegalArgumentException("No repository '" + repository + "' in the fake ECR: "
          + "create it with CreateRepository or seedImage first.", e);
    }
  }

  /**
   * Returns how many bytes of blobs and uploads in progress the registry holds in memory.
   *
   * @return how many bytes of blobs and uploads in progress the registry holds in memory
   */
  public long registryMemoryUsed() {
    return engine().registryMemoryUsed();
  }

  /**
   * Makes the next {@code times} calls of an operation meet a fault, such as
   * {@code ("sts:AssumeRoleWithWebIdentity", 1, Fault.awsError("IDPCommunicationError", 400))},
   * {@code ("registry:GET manifest", 1, Fault.connectionReset())} or
   * {@code ("*", 2, Fault.latency(Duration.ofSeconds(1)))}. Faults armed for the same calls
   * apply one after the other, in the order they were armed.
   *
   * <p>{@code operation} is an action ({@code GetAuthorizationToken}), the
   * {@linkplain RecordedCall#qualifiedOperation() qualified} form ({@code ecr:GetAuthorizationToken},
   * {@code registry:GET manifest}, {@code registry:GET /v2/}), a whole service
   * ({@code registry:*}) or {@code *} for every call. The SDK retries 5xx, throttling and
   * connection errors three times, so use 4 to see one failure through a default client.
   *
   * @throws IllegalArgumentException if {@code times} is below 1 or the operation names an
   *     unknown service
   *
   * @param operation the API operation name, such as {@code AssumeRoleWithWebIdentity}
   * @param times how many times
   * @param fault the fault to inject
   */
  public void failNext(String operation, int times, Fault fault) {
    if (times < 1) {
      throw new IllegalArgumentException("failNext needs times >= 1, got " + times + ".");
    }
    engine().failNext(Objects.requireNonNull(operation, "operation"), times,
        Objects.requireNonNull(fault, "fault"));
  }

  /**
   * Makes every call of an operation meet a fault until {@link #reset()}; operations are named
   * as for {@link #failNext(String, int, Fault)}, and the most specific name wins
   * ({@code ecr:GetAuthorizationToken}, then {@code GetAuthorizationToken}, {@code ecr:*},
   * {@code *}). A {@link Fault.Latency} here adds to one armed by {@code failNext}.
   *
   * @param operation the API operation name, such as {@code AssumeRoleWithWebIdentity}
   * @param fault the fault to inject
   */
  public void addFault(String operation, Fault fault) {
    engine().addFault(Objects.requireNonNull(operation, "operation"),
        Objects.requireNonNull(fault, "fault"));
  }

  /**
   * Makes the next {@code times} calls of an operation fail with an AWS error.
   *
   * @deprecated use {@link #failNext(String, int, Fault)} with
   *     {@link Fault#awsError(String, int)}, which also covers the registry
   *
   * @param operation the API operation name, such as {@code AssumeRoleWithWebIdentity}
   * @param times how many times
   */
  @Deprecated
  public void failNext(String operation, int times, String awsErrorCode, int httpStatus) {
    if (times < 1 || httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("failNext needs times >= 1 and an HTTP status 400-599, "
          + "got times=" + times + ", status=" + httpStatus);
    }
    failNext(operation, times, Fault.awsError(Objects.requireNonNull(awsErrorCode,
        "awsErrorCode"), httpStatus, "Injected fault for " + operation + " (FakeAws.failNext)."));
  }

  /**
   * Delays every call of an operation ({@code "*"} for all) by the given time; the same as
   * {@code addFault(operation, Fault.latency(delay))}.
   *
   * @param operation the API operation name, such as {@code AssumeRoleWithWebIdentity}
   * @param delay how long to wait before answering
   */
  public void addLatency(String operation, Duration delay) {
    addFault(operation, Fault.latency(Objects.requireNonNull(delay, "delay")));
  }

  /**
   * Returns the last calls answered (up to 1,000), oldest first.
   *
   * @return the last calls answered (up to 1,000), oldest first
   */
  public List<RecordedCall> requests() {
    return engine().journal();
  }

  /**
   * Waits for the next call the fake receives and returns it, as OkHttp MockWebServer's
   * {@code takeRequest} does: calls are taken one by one in the order they were answered (a
   * call held by {@link Fault.Hang} when it arrives), each once, from a queue that keeps the
   * last 1,000 and that {@link #reset()} empties. Unlike {@link #requests()} it consumes.
   *
   * @return the call, or empty if none came within {@code timeout}
   * @throws IllegalStateException if the waiting thread is interrupted
   *
   * @param timeout how long to wait at most
   */
  public Optional<RecordedCall> takeCall(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("takeCall needs a timeout of zero or more, got "
          + timeout + ".");
    }
    try {
      return engine().takeCall(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while FakeAws.takeCall waited for a call.", e);
    }
  }

  /**
   * Forgets providers, roles, repositories, sessions, ECR passwords, injected faults (answering
   * hung calls with a connection reset), the journal, the calls not taken and the last denial;
   * keeps the server, the admin identity and the issuer key.
   */
  public void reset() {
    engine().reset();
  }

  /**
   * Returns the clock the fake checks expiry with.
   *
   * @return the clock the fake checks expiry with
   */
  public Clock clock() {
    return clock;
  }

  private Engine engine() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException("FakeAws is not started: call start() first.");
    }
    return e;
  }

  @Override
  public String toString() {
    return "FakeAws{endpoint=" + (server == null ? "not started" : closed ? "closed" : endpoint())
        + ", region="
        + region + ", account=" + accountId + ", issuer=" + issuer.issuer() + "}";
  }

  /** Configures a {@link FakeAws}. */
  public static final class Builder {
    private String region = "eu-west-1";
    private String accountId = "123456789012";
    private int port;
    private Clock clock = Clock.systemUTC();
    private FakeOidcIssuer issuer;
    private final List<FakeOidcIssuer> additionalIssuers = new ArrayList<>();
    private String organizationId;
    private boolean verifySignatures = true;
    private long registryMemoryLimit = 512L * 1024 * 1024;
    private int registryPort;

    /**
     * Sets the registry's port on 127.0.0.1; default 0 (any free port).
     *
     * @param port the TCP port
     * @return this builder
     */
    public Builder registryPort(int port) {
      this.registryPort = port;
      return this;
    }

    private final List<String> otherAccounts = new ArrayList<>();

    private Builder() {}

    /**
     * Serves several accounts: the first is {@link FakeAws#accountId()}, the others get their
     * own IAM, ECR repositories and admin keys ({@link FakeAws#account(String)}), sharing STS
     * and the issuer.
     *
     * @param first the first account's 12-digit id
     * @param more the other accounts' ids
     * @return this builder
     */
    public Builder accounts(String first, String... more) {
      accountId(first);
      java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
      seen.add(first);
      otherAccounts.clear();
      for (String a : more) {
        if (a == null || !ACCOUNT.matcher(a).matches()) {
          throw new IllegalArgumentException("Account id '" + a
              + "' is not 12 digits: use an id such as 444455556666.");
        }
        if (!seen.add(a)) {
          throw new IllegalArgumentException("Account " + a + " is given twice: name each "
              + "account once in FakeAws.builder().accounts(...).");
        }
        otherAccounts.add(a);
      }
      return this;
    }

    /**
     * Sets how many bytes of image content (blobs and uploads in progress) the registry keeps in
     * memory; default 512 MiB. A push past it is refused with an error naming this method.
     *
     * @param bytes how many bytes of image content (blobs and uploads in progress) the registry keeps in memory; default 512 MiB
     * @return this builder
     */
    public Builder registryMemoryLimit(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("registryMemoryLimit needs a positive number of "
            + "bytes, got " + bytes);
      }
      this.registryMemoryLimit = bytes;
      return this;
    }

    /**
     * Sets whether the SigV4 signature of signed calls is checked against the caller's secret
     * key; default true. Turn it off for a client whose signing the fake does not reproduce.
     *
     * @param verify whether the SigV4 signature of signed calls is checked against the caller's secret key; default true
     * @return this builder
     */
    public Builder verifySignatures(boolean verify) {
      this.verifySignatures = verify;
      return this;
    }

    /**
     * Sets the region; default {@code eu-west-1}.
     *
     * @param region the AWS region, such as {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sets the 12-digit account id; default {@code 123456789012}.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder accountId(String accountId) {
      if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
        throw new IllegalArgumentException("Account id '" + accountId
            + "' is not 12 digits: use an id such as 123456789012.");
      }
      this.accountId = accountId;
      return this;
    }

    /**
     * Sets the port on 127.0.0.1; default 0 (any free port).
     *
     * @param port the TCP port
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Sets the clock for expiry checks and issued times; default the system UTC clock.
     *
     * @param clock the clock that supplies the current time (a fixed one in tests)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Uses this issuer instead of creating one; the fake starts it if needed but does not close
     * it.
     *
     * @param issuer the issuer URL (the token's {@code iss})
     * @return this builder
     */
    public Builder issuer(FakeOidcIssuer issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * Hosts one more issuer, whose keys the fake fetches from where it is served.
     *
     * @param issuer the issuer URL (the token's {@code iss})
     * @return this builder
     */
    public Builder additionalIssuer(FakeOidcIssuer issuer) {
      this.additionalIssuers.add(Objects.requireNonNull(issuer, "issuer"));
      return this;
    }

    /**
     * Sets the AWS Organization of the account, seen by {@code aws:PrincipalOrgID}.
     *
     * @param organizationId the organization ID
     * @return this builder
     */
    public Builder organizationId(String organizationId) {
      this.organizationId = Objects.requireNonNull(organizationId, "organizationId");
      return this;
    }

    /**
     * Returns the configured, not yet started fake.
     *
     * @return the configured, not yet started fake
     */
    public FakeAws build() {
      if (otherAccounts.contains(accountId)) {
        throw new IllegalArgumentException("Account " + accountId + " is given twice: name each "
            + "account once in FakeAws.builder().accounts(...).");
      }
      return new FakeAws(this);
    }
  }
}
