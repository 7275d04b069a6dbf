package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.testing.Denial;
import dev.oidcecr.testing.Fault;
import dev.oidcecr.testing.RecordedCall;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request to STS, ECR, IAM, the registry or the admin endpoints, applies injected
 * faults and latency, and keeps the journal and the last denial. Free of HTTP server types.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.";
  private static final Pattern CREDENTIAL =
      Pattern.compile("Credential=([A-Za-z0-9]+)/[^/]*/([^/]*)/([^/]*)/aws4_request");
  private static final Set<String> STS_ACTIONS =
      Set.of("AssumeRoleWithWebIdentity", "GetCallerIdentity", "AssumeRole");
  private static final int JOURNAL_LIMIT = 1000;
  private static final String SIGNATURE_MISMATCH = "The request signature we calculated does not "
      + "match the signature you provided. Check your AWS Secret Access Key and signing method.";

  /**
   * What the engine is configured with.
   *
   * @param localIssuers issuer names of the issuers the fake hosts, to where they are served
   * @param tokenMinter mints a token from claim overrides, for {@code /_fake/tokens}
   */
  public record Config(String region, String accountId, Clock clock, String adminAccessKeyId,
      String adminSecretAccessKey, Map<String, URI> localIssuers, Optional<String> organizationId,
      java.util.function.Function<Map<String, Object>, String> tokenMinter,
      String defaultIssuer, Map<String, java.util.function.Supplier<String>> localKeyIds,
      boolean verifySignatures) {}

  /**
   * Another account served by the same fake: its own IAM, ECR repositories and admin keys; STS
   * and the issuer are shared.
   */
  public record Account(String accountId, String adminAccessKeyId, String adminSecretAccessKey) {
    @Override
    public String toString() {
      return "Account[" + accountId + " " + adminAccessKeyId + "]";
    }
  }

  /**
   * Tells {@link WireServer} to answer at the connection level: {@code reset} (no answer) or
   * {@code truncate} (headers, then half the body). Never sent to a client.
   */
  static final String WIRE_FAULT = "X-Oidc-Ecr-Fake-Wire-Fault";
  private static final Set<String> SERVICES =
      Set.of("sts", "ecr", "iam", "registry", "admin", "none");
  private static final Pattern ASSUMED_ARN =
      Pattern.compile("<AssumedRoleUser>\\s*<Arn>([^<]+)</Arn>");
  private static final Pattern BASIC =
      Pattern.compile("(?i)basic\\s+([A-Za-z0-9+/=]+)\\s*");

  /** A fault armed for the next {@code remaining} calls matching {@code pattern}. */
  private record Armed(String pattern, AtomicInteger remaining, Fault fault) {}

  /** The identity the current call's handler resolved, per request thread. */
  private static final ThreadLocal<String> IDENTITY = new ThreadLocal<>();
  /** The session the current call's caller resolved to, per request thread. */
  private static final ThreadLocal<State.Session> CURRENT_SESSION = new ThreadLocal<>();
  /** Sessions kept in memory at most; the others are rebuilt from their tokens. */
  private volatile int sessionCache = 10_000;
  final SessionCodec sessionCodec = new SessionCodec();
  final EcrPasswords ecrPasswords = new EcrPasswords(sessionCodec);

  final Config config;
  /** The first account's state; it also holds the STS session cache of every account. */
  final State state = new State();
  /** Every account's state, the first account first. */
  private final Map<String, State> states = new java.util.LinkedHashMap<>();
  private final Map<String, Account> adminKeys = new java.util.HashMap<>();
  private final Map<String, Iam> iams = new java.util.HashMap<>();
  private final Map<String, Ecr> ecrs = new java.util.HashMap<>();
  final Authz authz = new Authz();
  final TokenVerifier verifier;
  private final Sts sts;
  private final Ecr ecr;
  private final Iam iam;
  private final Registry registry;
  /** Each account's registry, the first account's first. */
  private final Map<String, Registry> registries = new java.util.LinkedHashMap<>();
  private final Admin admin;
  private final List<Armed> nextFaults = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, Fault> standingFaults = new ConcurrentHashMap<>();
  private volatile CountDownLatch hangRelease = new CountDownLatch(1);
  private final Deque<RecordedCall> journal = new ArrayDeque<>();
  private final LinkedBlockingDeque<RecordedCall> untaken = new LinkedBlockingDeque<>();
  private volatile Denial lastDenial;

  /** Creates an engine with empty state. */
  public Engine(Config config) {
    this(config, List.of());
  }

  /** Creates an engine serving the configured account and {@code otherAccounts}. */
  public Engine(Config config, List<Account> otherAccounts) {
    this.config = config;
    this.verifier = new TokenVerifier(config.localIssuers(), config.localKeyIds());
    this.sts = new Sts(this);
    this.ecr = new Ecr(this, state, config.accountId());
    this.iam = new Iam(this, state, config.accountId());
    states.put(config.accountId(), state);
    iams.put(config.accountId(), iam);
    ecrs.put(config.accountId(), ecr);
    adminKeys.put(config.adminAccessKeyId(), new Account(config.accountId(),
        config.adminAccessKeyId(), config.adminSecretAccessKey()));
    for (Account a : otherAccounts) {
      if (states.containsKey(a.accountId())) {
        throw new IllegalArgumentException("Account " + a.accountId() + " is given twice: "
            + "name each account once.");
      }
      State st = new State();
      states.put(a.accountId(), st);
      iams.put(a.accountId(), new Iam(this, st, a.accountId()));
      ecrs.put(a.accountId(), new Ecr(this, st, a.accountId()));
      adminKeys.put(a.adminAccessKeyId(), a);
    }
    states.forEach((id, st) -> registries.put(id, new Registry(this, id, st)));
    this.registry = registries.get(config.accountId());
    state.blobs.clock(config.clock());
    this.admin = new Admin(this);
  }

  /** Answers one request; {@code /v2/} is the first account's registry. Never throws. */
  public HttpAnswer handle(HttpCall call) {
    return handle(call, config.accountId());
  }

  /**
   * Answers one request arriving at {@code registryAccount}'s registry listener: {@code /v2/}
   * is that account's registry. Never throws.
   */
  public HttpAnswer handle(HttpCall call, String registryAccount) {
    String service;
    String operation;
    Map<String, String> form = Map.of();
    String path = call.path();
    if (path.startsWith("/v2")) {
      service = "registry";
      operation = registryOperation(call.method(), path);
    } else if (path.startsWith("/_fake/")) {
      service = "admin";
      operation = call.method() + " " + path;
    } else if (call.header("x-amz-target").filter(t -> t.startsWith(ECR_TARGET)).isPresent()) {
      service = "ecr";
      operation = call.header("x-amz-target").get().substring(ECR_TARGET.length());
    } else if ("POST".equals(call.method()) && (path.equals("/") || path.isEmpty())) {
      form = call.form();
      operation = form.getOrDefault("Action", "");
      service = "2011-06-15".equals(form.get("Version")) || STS_ACTIONS.contains(operation)
          ? "sts" : "iam";
    } else {
      service = "none";
      operation = call.method() + " " + path;
    }
    String akid = accessKeyId(call).orElse("");
    Fault standing = standingFault(service, operation);
    Fault next = nextFault(service, operation);
    sleep(standing instanceof Fault.Latency l ? l.delay() : Duration.ZERO);
    sleep(next instanceof Fault.Latency l ? l.delay() : Duration.ZERO);
    Fault terminal = next != null && !(next instanceof Fault.Latency) ? next
        : standing != null && !(standing instanceof Fault.Latency) ? standing : null;
    Fault injected = terminal != null ? terminal : next != null ? next : standing;
    if (terminal instanceof Fault.Hang) {
      record(service, operation, call, 0, "", akid, "", injected);
      awaitRelease();
      return HttpAnswer.of(500, "text/plain", "").with(WIRE_FAULT, "reset");
    }
    if (terminal instanceof Fault.ConnectionReset) {
      record(service, operation, call, 0, "", akid, "", injected);
      return HttpAnswer.of(500, "text/plain", "").with(WIRE_FAULT, "reset");
    }
    HttpAnswer answer;
    IDENTITY.remove();
    CURRENT_SESSION.remove();
    try {
      if (terminal instanceof Fault.AwsError e) {
        throw new AwsError(e.code(), e.status(), e.message());
      }
      answer = switch (service) {
        case "sts" -> sts.handle(operation, form, call);
        case "iam" -> iams.getOrDefault(accountOfCaller(call), iam).handle(operation, form, call);
        case "ecr" -> ecr.handle(operation, call);
        case "registry" -> registries.getOrDefault(registryAccount, registry).handle(call);
        case "admin" -> admin.handle(call);
        default -> HttpAnswer.of(404, "application/json", "{\"message\":\"The fake serves AWS "
            + "calls as POST / and the registry under /v2/\"}");
      };
    } catch (AwsError e) {
      answer = error(service, e);
    } catch (RuntimeException e) {
      LOG.warn("The fake failed on {} {}: {}", service, operation, e.toString());
      answer = error(service, new AwsError("InternalFailure", 500,
          "The fake failed: " + e.getClass().getSimpleName()));
    }
    String identity = identity(service, operation, call, answer);
    IDENTITY.remove();
    CURRENT_SESSION.remove();
    String code = answer.headers().getOrDefault("x-amzn-ErrorType", "");
    if (code.isEmpty() && "registry".equals(service) && answer.status() >= 400) {
      code = registryErrorCode(answer);
    }
    record(service, operation, call, answer.status(), code, akid, identity, injected);
    return terminal instanceof Fault.TruncatedBody ? answer.with(WIRE_FAULT, "truncate") : answer;
  }

  /**
   * Names a registry call by method and kind of resource, after the Docker Registry HTTP API
   * V2's endpoints: {@code GET /v2/}, {@code GET manifest}, {@code HEAD blob},
   * {@code POST blob upload}, {@code GET tags}, {@code GET catalog}.
   */
  static String registryOperation(String method, String path) {
    String kind;
    if (path.equals("/v2") || path.equals("/v2/")) {
      kind = "/v2/";
    } else if (path.equals("/v2/_catalog")) {
      kind = "catalog";
    } else if (path.contains("/blobs/uploads")) {
      kind = "blob upload";
    } else if (path.contains("/blobs/")) {
      kind = "blob";
    } else if (path.contains("/manifests/")) {
      kind = "manifest";
    } else if (path.endsWith("/tags/list")) {
      kind = "tags";
    } else if (path.contains("/referrers/")) {
      kind = "referrers";
    } else {
      kind = "other";
    }
    return method + " " + kind;
  }

  private static String registryErrorCode(HttpAnswer answer) {
    try {
      return Json.MAPPER.readTree(answer.body()).path("errors").path(0).path("code").asText("");
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  /** Who made the call; see {@link RecordedCall#identity()}. */
  private String identity(String service, String operation, HttpCall call, HttpAnswer answer) {
    String resolved = IDENTITY.get();
    if (resolved != null) {
      return resolved;
    }
    if ("sts".equals(service) && "AssumeRoleWithWebIdentity".equals(operation)
        && answer.status() == 200) {
      Matcher m = ASSUMED_ARN.matcher(new String(answer.body(),
          java.nio.charset.StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : "";
    }
    if ("registry".equals(service)) {
      Matcher m = BASIC.matcher(call.header("authorization").orElse(""));
      if (m.matches()) {
        try {
          String decoded = new String(java.util.Base64.getDecoder().decode(m.group(1)),
              java.nio.charset.StandardCharsets.UTF_8);
          int colon = decoded.indexOf(':');
          EcrPasswords.Grant grant = colon < 0 ? null
              : ecrPasswords.open(decoded.substring(colon + 1)).orElse(null);
          if (grant != null && config.clock().instant().isBefore(grant.expiresAt())) {
            return identityOf(grant.caller());
          }
        } catch (IllegalArgumentException e) {
          return "";
        }
      }
    }
    return "";
  }

  private static String identityOf(Caller c) {
    return c.isAdmin() ? c.accessKeyId() : c.arn();
  }

  private Fault standingFault(String service, String operation) {
    if (standingFaults.isEmpty()) {
      return null;
    }
    for (String key : List.of(service + ":" + operation, operation, service + ":*", "*")) {
      Fault f = standingFaults.get(key);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private Fault nextFault(String service, String operation) {
    for (Armed a : nextFaults) {
      if (matches(a.pattern(), service, operation)) {
        if (a.remaining().getAndDecrement() > 0) {
          return a.fault();
        }
        nextFaults.remove(a);
      }
    }
    return null;
  }

  private static boolean matches(String pattern, String service, String operation) {
    return pattern.equals("*") || pattern.equals(operation)
        || pattern.equals(service + ":" + operation) || pattern.equals(service + ":*");
  }

  private void awaitRelease() {
    try {
      if (!hangRelease.await(10, TimeUnit.MINUTES)) {
        LOG.debug("A hung call was released after 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void record(String service, String operation, HttpCall call, int status, String code,
      String akid, String identity, Fault fault) {
    RecordedCall c = new RecordedCall(config.clock().instant(), service, operation,
        call.method(), call.path(), call.headers(), status, code, akid, identity, fault);
    synchronized (journal) {
      if (journal.size() >= JOURNAL_LIMIT) {
        journal.removeFirst();
      }
      journal.addLast(c);
      if (untaken.size() >= JOURNAL_LIMIT) {
        untaken.pollFirst();
      }
      untaken.addLast(c);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}:{} -> {}{}{}", service, operation, status, code.isEmpty() ? "" : " " + code,
          fault == null ? "" : " (injected " + fault + ")");
    }
  }

  HttpAnswer error(String service, AwsError e) {
    String requestId = UUID.randomUUID().toString();
    HttpAnswer a;
    if ("ecr".equals(service)) {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("__type", e.code());
      body.put("message", e.getMessage());
      a = HttpAnswer.of(e.status(), "application/x-amz-json-1.1", body.toString());
    } else if ("sts".equals(service) || "iam".equals(service)) {
      String ns = "sts".equals(service) ? Sts.NS : Iam.NS;
      Xml x = new Xml().openNs("ErrorResponse", ns).open("Error")
          .leaf("Type", e.status() >= 500 ? "Receiver" : "Sender")
          .leaf("Code", e.code()).leaf("Message", e.getMessage())
          .close("Error").leaf("RequestId", requestId).close("ErrorResponse");
      a = HttpAnswer.of(e.status(), "text/xml", x.toString());
    } else if ("registry".equals(service)) {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.putArray("errors").addObject().put("code", e.code()).put("message", e.getMessage())
          .putNull("detail");
      return HttpAnswer.of(e.status(), "application/json; charset=utf-8", body.toString())
          .with("Docker-Distribution-API-Version", "registry/2.0");
    } else {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.putArray("errors").addObject().put("code", e.code()).put("message", e.getMessage());
      a = HttpAnswer.of(e.status(), "application/json", body.toString());
    }
    return a.with("x-amzn-RequestId", requestId).with("x-amzn-ErrorType", e.code());
  }

  static Optional<String> accessKeyId(HttpCall call) {
    return call.header("authorization").map(CREDENTIAL::matcher).filter(Matcher::find)
        .map(m -> m.group(1));
  }

  /** Resolves the signer of a call; the error codes follow the service's conventions. */
  Caller caller(HttpCall call, String service) {
    boolean ecrStyle = "ecr".equals(service);
    Optional<String> akid = accessKeyId(call);
    if (akid.isEmpty()) {
      throw ecrStyle
          ? new AwsError("MissingAuthenticationTokenException", 400,
              "Missing Authentication Token")
          : new AwsError("MissingAuthenticationToken", 403,
              "Request is missing Authentication Token");
    }
    String id = akid.get();
    // A regional endpoint refuses a signature scoped to another region (SigV4: the credential
    // scope names the endpoint's region); IAM is global and signed for us-east-1 or aws-global.
    if (ecrStyle || "sts".equals(service)) {
      String region = call.header("authorization").map(CREDENTIAL::matcher)
          .filter(Matcher::find).map(m -> m.group(2)).orElse("");
      if (!region.equals(config.region())) {
        String message = "Credential should be scoped to a valid region, not '" + region
            + "'. This endpoint serves " + config.region() + ".";
        throw ecrStyle ? new AwsError("InvalidSignatureException", 400, message)
            : new AwsError("SignatureDoesNotMatch", 403, message);
      }
    }
    Optional<String> token = call.header("x-amz-security-token");
    AwsError invalid = ecrStyle
        ? new AwsError("UnrecognizedClientException", 400,
            "The security token included in the request is invalid.")
        : new AwsError("InvalidClientTokenId", 403,
            "The security token included in the request is invalid.");
    AwsError badSignature = ecrStyle
        ? new AwsError("InvalidSignatureException", 400, SIGNATURE_MISMATCH)
        : new AwsError("SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH);
    Account admin = adminKeys.get(id);
    if (admin != null) {
      if (token.isPresent()) {
        throw invalid;
      }
      if (config.verifySignatures() && !SigV4.verifies(call, admin.adminSecretAccessKey(),
          service)) {
        throw badSignature;
      }
      IDENTITY.set(id);
      return new Caller(id, adminArn(admin.accountId()), "AIDAFAKEADMIN0000001",
          admin.accountId(), Optional.empty(), Optional.empty());
    }
    State.Session s = state.sessions.get(id);
    if (s == null && token.isPresent()) {
      // Dropped from the cache (or never cached): the token carries the session.
      s = sessionCodec.decode(id, token.get()).orElse(null);
    }
    if (s == null || token.isEmpty() || !constantTimeEquals(token.get(), s.sessionToken())) {
      throw invalid;
    }
    if (config.verifySignatures() && !SigV4.verifies(call, s.secretAccessKey(), service)) {
      throw badSignature;
    }
    if (!config.clock().instant().isBefore(s.expiration())) {
      state.sessions.remove(id);
      throw ecrStyle
          ? new AwsError("ExpiredTokenException", 400,
              "The security token included in the request is expired")
          : new AwsError("ExpiredToken", 403,
              "The security token included in the request is expired");
    }
    IDENTITY.set(s.assumedRoleArn());
    CURRENT_SESSION.set(s);
    return new Caller(id, s.assumedRoleArn(), s.roleId() + ":" + s.sessionName(),
        accountOf(s.roleArn()), Optional.of(s.roleArn()), Optional.of(s.roleName()));
  }

  String adminArn() {
    return adminArn(config.accountId());
  }

  static String adminArn(String account) {
    return "arn:aws:iam::" + account + ":user/fake-admin";
  }

  /** The state of an account of this fake, or null for an account it does not serve. */
  State stateOf(String account) {
    return states.get(account);
  }

  /** The ECR of an account of this fake, or null. */
  Ecr ecrOf(String account) {
    return ecrs.get(account);
  }

  /** Whether this fake serves the account. */
  boolean serves(String account) {
    return states.containsKey(account);
  }

  /**
   * The account whose admin key or role session signed the call, without checking it (the
   * service checks it); the first account when the key is unknown.
   */
  String accountOfCaller(HttpCall call) {
    Optional<String> akid = accessKeyId(call);
    if (akid.isEmpty()) {
      return config.accountId();
    }
    Account admin = adminKeys.get(akid.get());
    if (admin != null) {
      return admin.accountId();
    }
    State.Session s = state.sessions.get(akid.get());
    if (s == null) {
      s = call.header("x-amz-security-token")
          .flatMap(t -> sessionCodec.decode(akid.get(), t)).orElse(null);
    }
    return s == null ? config.accountId() : accountOf(s.roleArn());
  }

  static String accountOf(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length > 4 ? parts[4] : "";
  }

  static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Context keys IAM adds about the calling principal. */
  Map<String, String> principalContext(Caller caller) {
    Map<String, String> ctx = new java.util.LinkedHashMap<>();
    caller.roleArn().ifPresent(r -> ctx.put("aws:PrincipalArn", r));
    ctx.put("aws:PrincipalAccount", caller.account());
    ctx.put("aws:userid", caller.userId());
    config.organizationId().ifPresent(o -> ctx.put("aws:PrincipalOrgID", o));
    State.Session s = session(caller);
    if (s != null) {
      // Principal tags: the role's IAM tags, overridden by session tags (IAM User Guide,
      // "Pass session tags in AWS STS").
      State st = stateOf(caller.account());
      State.Role role = null;
      if (st != null) {
        synchronized (st) {
          role = st.roles.get(s.roleName());
        }
      }
      if (role != null) {
        synchronized (st) {
          role.tags.forEach((k, v) -> ctx.put("aws:PrincipalTag/" + k, v));
        }
      }
      s.extras().tags().forEach((k, v) -> ctx.put("aws:PrincipalTag/" + k, v));
      if (s.extras().sourceIdentity() != null) {
        ctx.put("aws:SourceIdentity", s.extras().sourceIdentity());
      }
    }
    return ctx;
  }

  /** The session policies narrowing a role session's permissions; empty for none. */
  List<String> sessionPolicies(Caller caller) {
    State.Session s = session(caller);
    return s == null ? List.of() : s.extras().sessionPolicies();
  }

  /**
   * Makes the session an ECR password carries the current call's session, so that its tags and
   * session policies apply to a registry call as to the ECR call that issued the password.
   */
  void actingSession(String accessKeyId, String sessionToken) {
    sessionCodec.decode(accessKeyId, sessionToken).ifPresent(CURRENT_SESSION::set);
  }

  /** The session of a role-session caller of the current call; null for the admin. */
  State.Session session(Caller caller) {
    if (caller.isAdmin()) {
      return null;
    }
    State.Session s = CURRENT_SESSION.get();
    if (s != null && s.accessKeyId().equals(caller.accessKeyId())) {
      return s;
    }
    return state.sessions.get(caller.accessKeyId());
  }

  /**
   * Keeps a new session in the bounded cache: past {@link #sessionCacheLimit} sessions, the expired
   * ones are dropped, then all of them (their tokens still carry them).
   */
  void remember(State.Session s) {
    Map<String, State.Session> sessions = state.sessions;
    if (sessions.size() >= sessionCache) {
      java.time.Instant now = config.clock().instant();
      sessions.values().removeIf(x -> !now.isBefore(x.expiration()));
      if (sessions.size() >= sessionCache) {
        sessions.clear();
      }
    }
    sessions.put(s.accessKeyId(), s);
  }

  /** Sets how many sessions stay in memory (default 10,000). */
  public void sessionCacheLimit(int limit) {
    sessionCache = Math.max(1, limit);
  }

  /** How many sessions are in memory, for tests of the bound. */
  public int sessionsInMemory() {
    return state.sessions.size();
  }

  void deny(String operation, String caller, String action, String resource, String why) {
    Denial d = new Denial(config.clock().instant(), operation, caller, action, resource, why);
    lastDenial = d;
    LOG.debug("Denied {}: {} may not {} on {}\n{}", operation, caller, action, resource, why);
  }

  // --- control surface used by FakeAws ---

  /**
   * Makes the next {@code times} calls matching {@code operation} meet {@code fault}; faults
   * armed for the same calls apply in the order they were armed.
   */
  public void failNext(String operation, int times, Fault fault) {
    nextFaults.add(new Armed(checkOperation(operation), new AtomicInteger(times), fault));
  }

  /** Makes every call matching {@code operation} meet {@code fault}, until reset. */
  public void addFault(String operation, Fault fault) {
    standingFaults.put(checkOperation(operation), fault);
  }

  /** Delays every call of {@code operation} ({@code *} for all). */
  public void addLatency(String operation, Duration delay) {
    addFault(operation, Fault.latency(delay));
  }

  private static String checkOperation(String operation) {
    int colon = operation.indexOf(':');
    if (operation.isBlank() || colon == 0
        || colon > 0 && !SERVICES.contains(operation.substring(0, colon))) {
      throw new IllegalArgumentException("'" + operation + "' names no operation: use an "
          + "action (\"GetAuthorizationToken\"), service:action (\"ecr:GetAuthorizationToken\","
          + " \"registry:GET manifest\"), service:* (\"registry:*\") or * for every call; "
          + "services are " + new java.util.TreeSet<>(SERVICES) + ".");
    }
    return operation;
  }

  /** Returns the journal, oldest first. */
  public List<RecordedCall> journal() {
    synchronized (journal) {
      return List.copyOf(new ArrayList<>(journal));
    }
  }

  /** Waits up to {@code timeout} for the next call not taken yet. */
  public Optional<RecordedCall> takeCall(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** Answers the calls held by a {@link Fault.Hang} (with a connection reset). */
  public void releaseHungCalls() {
    CountDownLatch old = hangRelease;
    hangRelease = new CountDownLatch(1);
    old.countDown();
  }

  /** Returns the last denial. */
  public Optional<Denial> lastDenial() {
    return Optional.ofNullable(lastDenial);
  }

  /** Forgets state, faults, latency, journal and denials. */
  public void reset() {
    states.values().forEach(State::clear);
    sessionCodec.rotate();
    nextFaults.clear();
    standingFaults.clear();
    releaseHungCalls();
    verifier.clear();
    synchronized (journal) {
      journal.clear();
      untaken.clear();
    }
    lastDenial = null;
  }

  Authz.Verdict ecrAllowed(Caller caller, String action, String resource,
      Optional<String> repositoryPolicy) {
    // The repository's own account decides same- or cross-account evaluation.
    return ecrs.getOrDefault(accountOf(resource), ecr).allowed(caller, action, resource,
        repositoryPolicy);
  }

  /** Seeds blobs and a manifest in an account's registry; creates the repository if missing. */
  public String seedImage(String account, String repository, List<byte[]> blobs,
      List<String> tags, byte[] manifest) {
    Ecr e = ecrs.get(account);
    if (e == null) {
      throw new IllegalArgumentException("This fake serves no account " + account + ".");
    }
    try {
      return e.seed(repository, blobs, tags, manifest, true);
    } catch (BlobStore.Full full) {
      throw new IllegalArgumentException(full.getMessage(), full);
    }
  }

  /** Seeds an image; creates the repository when missing. Returns the digest. */
  public String seedImage(String repository, String tag, String manifest) {
    return ecr.seed(repository, tag, manifest);
  }

  /**
   * Seeds blobs and a manifest referencing them; creates the repository when missing.
   *
   * @return the manifest digest
   */
  public String seedImage(String repository, List<byte[]> blobs, List<String> tags,
      byte[] manifest) {
    try {
      return ecr.seed(repository, blobs, tags, manifest, true);
    } catch (BlobStore.Full e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** One stored image, for {@code FakeAws.images}. */
  public record StoredImage(String digest, List<String> tags, String mediaType, byte[] manifest,
      long size, java.time.Instant pushedAt) {}

  /** Lists the images of a repository, oldest push first. */
  public List<StoredImage> images(String repository) {
    List<StoredImage> out = new ArrayList<>();
    for (Map.Entry<State.Image, List<String>> e : ecr.images().list(repository)) {
      State.Image i = e.getKey();
      out.add(new StoredImage(i.digest(), List.copyOf(e.getValue()), i.mediaType(),
          i.manifest().clone(), i.size(), i.pushedAt()));
    }
    return out;
  }

  /** Sets how many bytes of blobs and uploads the registry keeps in memory. */
  public void registryMemoryLimit(long bytes) {
    state.blobs.limit(bytes);
  }

  /** Bounds the registry's uploads in progress (tests of the bound). */
  public void maxUploads(int max) {
    state.blobs.maxUploads(max);
  }

  /** Returns how many registry uploads are in progress. */
  public int uploadsInProgress() {
    return state.blobs.uploadsInProgress();
  }

  /** Returns how many bytes of blobs and uploads the registry holds now. */
  public long registryMemoryUsed() {
    return state.blobs.used();
  }

  String downloadPath(String digest) {
    return registry.downloadPath(digest);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
