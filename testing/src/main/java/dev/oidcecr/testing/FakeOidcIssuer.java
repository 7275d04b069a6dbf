package dev.oidcecr.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.testing.internal.IssuerKeys;
import dev.oidcecr.testing.internal.IssuerServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A fake OIDC issuer shaped like a Gitpod installation's: an RSA-2048 key, its discovery document
 * and JWKS served over HTTP on 127.0.0.1, and a minter of RS256 tokens with Gitpod's claims
 * ({@link #token()}) and with the claims of every other issuer profile: {@link #ona()},
 * {@link #githubActions()}, {@link #gitlab()}, {@link #circleci()}, {@link #bitbucket()},
 * {@link #buildkite()} and {@link #eks()}.
 *
 * <p>One fake issuer serves several issuer URLs with its one key: each profile token carries its
 * real issuer URL (such as {@code https://token.actions.githubusercontent.com}), and from the
 * first token minted for a URL on, this issuer also serves that URL's discovery document and
 * JWKS under {@code http://127.0.0.1:<port>/<host><path>}. A {@link FakeAws} hosting this issuer
 * fetches the keys from there, as STS would from the real URL, so a token verifies as soon as
 * an OIDC provider for its URL exists in the fake IAM. {@link #rotateKey()} rotates the key of
 * every URL.
 *
 * <p>The issuer name ({@code iss}) is a realistic Gitpod URL by default
 * ({@code https://services.gitpod.example.com/idp}) so that provider ARNs and condition keys read
 * as in production; the documents are served at {@link #baseUrl()}, a loopback URL with the same
 * path, which {@link FakeAws} uses in place of the issuer name.
 *
 * <pre>{@code
 * try (FakeOidcIssuer issuer = FakeOidcIssuer.builder().build().start()) {
 *   String jwt = issuer.token().repository("https://github.com/acme/app").mint();
 * }
 * }</pre>
 */
public final class FakeOidcIssuer implements AutoCloseable {
  /** The default issuer name, shaped like a Gitpod Enterprise installation's. */
  public static final String DEFAULT_ISSUER = "https://services.gitpod.example.com/idp";

  /** The default audience, the one AWS STS expects. */
  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  /** The default subject: a repository context URL as Gitpod forms it. */
  public static final String DEFAULT_REPOSITORY = "https://github.com/acme/app";

  /** Jackson is loaded by the first document or token, not on the start path. */
  private static final class Mapper {
    static final ObjectMapper JSON = new ObjectMapper();
  }

  private final String configuredIssuer;
  private final boolean loopbackIssuer;
  private final int port;
  private final Clock clock;
  private final IssuerKeys keys = new IssuerKeys();
  private volatile IssuerServer server;
  private volatile String issuer;
  // Issuer URLs of profile tokens, to the JWKS path their discovery documents name.
  private final Map<String, String> extraIssuers = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, URI>> servingListeners = new CopyOnWriteArrayList<>();

  private FakeOidcIssuer(Builder b) {
    this.configuredIssuer = b.issuer;
    this.loopbackIssuer = b.loopbackIssuer;
    this.port = b.port;
    this.clock = b.clock;
    this.issuer = b.issuer;
  }

  /**
   * Returns a builder with Gitpod-like defaults: issuer name {@value #DEFAULT_ISSUER}, any
   * free port on 127.0.0.1, the system UTC clock.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an issuer with the defaults of {@link #builder()}, not yet started.
   *
   * @return a new issuer; call {@link #start()} before minting tokens a verifier must check
   */
  public static FakeOidcIssuer create() {
    return builder().build();
  }

  /**
   * Returns text that is not a JWT at all (no dots, no base64url JSON), for testing the
   * "not a token" case of a verifier or a CLI.
   *
   * @return {@code this-is-not-a-jwt}
   */
  public static String notAJwt() {
    return "this-is-not-a-jwt";
  }

  /**
   * Starts serving the discovery document and JWKS on 127.0.0.1 (for {@link #issuer()} and
   * every profile issuer URL minted for so far), and returns this issuer. With
   * {@link Builder#loopbackIssuer()}, the issuer name becomes the served URL now.
   *
   * @return this issuer, started
   * @throws IllegalStateException if already started, or if the port cannot be bound
   */
  public synchronized FakeOidcIssuer start() {
    if (server != null) {
      throw new IllegalStateException("FakeOidcIssuer.start() was called twice: call it once.");
    }
    String path = URI.create(configuredIssuer).getRawPath();
    server = new IssuerServer(port, path == null ? "" : path, this::discoveryJson, keys::jwksJson);
    if (loopbackIssuer) {
      issuer = baseUrl().toString();
    }
    extraIssuers.forEach(this::serveOnServer);
    return this;
  }

  /**
   * Serves an issuer URL a profile token was minted for, and tells the fakes hosting this issuer
   * where its documents are.
   */
  synchronized void serveIssuer(String iss, String jwksPath) {
    String name = stripSlash(iss);
    if (name.equals(issuer()) || extraIssuers.putIfAbsent(name, jwksPath) != null) {
      return;
    }
    if (server != null) {
      serveOnServer(name, jwksPath);
    }
  }

  private void serveOnServer(String iss, String jwksPath) {
    server.serve(servedPath(iss), () -> discoveryJson(iss, jwksPath), jwksPath, keys::jwksJson);
    URI url = servedUrl(iss);
    servingListeners.forEach(l -> l.accept(iss, url));
  }

  /**
   * Calls {@code listener} with each issuer URL this issuer serves and the local URL serving it:
   * now for the ones served already, later for each new one. Requires {@link #start()}.
   *
   * @return what stops the calls, for a fake that closes before this issuer
   */
  synchronized Runnable whenServing(BiConsumer<String, URI> listener) {
    servingListeners.add(listener);
    listener.accept(issuer(), baseUrl());
    extraIssuers.keySet().forEach(i -> listener.accept(i, servedUrl(i)));
    return () -> servingListeners.remove(listener);
  }

  private static String servedPath(String iss) {
    URI u = URI.create(iss);
    String path = u.getRawPath() == null ? "" : stripSlash(u.getRawPath());
    return "/" + u.getHost().toLowerCase(java.util.Locale.ROOT) + path;
  }

  /**
   * Returns where the discovery document and JWKS of an issuer URL are served on 127.0.0.1:
   * {@link #baseUrl()} for {@link #issuer()}, {@code http://127.0.0.1:<port>/<host><path>} for
   * the issuer URL of a profile token minted before.
   *
   * @param issuerUrl the token's {@code iss}, such as
   *     {@code https://token.actions.githubusercontent.com} (a trailing {@code /} is ignored)
   * @return the loopback URL to append {@code /.well-known/openid-configuration} to
   * @throws IllegalStateException before {@link #start()}
   * @throws IllegalArgumentException for an issuer URL no token was minted for
   */
  public URI baseUrl(String issuerUrl) {
    String name = stripSlash(Objects.requireNonNull(issuerUrl, "issuerUrl"));
    if (name.equals(issuer())) {
      return baseUrl();
    }
    if (!extraIssuers.containsKey(name)) {
      throw new IllegalArgumentException("Issuer URL " + issuerUrl + " is not served: mint a "
          + "token for it first, for example with githubActions().mint().");
    }
    baseUrl();
    return servedUrl(name);
  }

  private URI servedUrl(String iss) {
    return URI.create("http://127.0.0.1:" + server.port() + servedPath(iss));
  }

  /** Stops serving; tokens already minted keep their signatures. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * Returns whether {@link #start()} has been called (it stays true after {@link #close()}).
   *
   * @return true once started
   */
  public boolean isStarted() {
    return server != null;
  }

  /**
   * Returns the issuer name, the {@code iss} of Gitpod tokens from {@link #token()}: the
   * configured name, or with {@link Builder#loopbackIssuer()} the served URL once started.
   *
   * @return the issuer URL, without a trailing {@code /}
   */
  public String issuer() {
    return issuer;
  }

  /**
   * Returns where the documents of {@link #issuer()} are served:
   * {@code http://127.0.0.1:<port><issuer path>}, which a {@link FakeAws} uses in place of the
   * issuer name.
   *
   * @return the loopback base URL, without a trailing {@code /}
   * @throws IllegalStateException before {@link #start()}
   */
  public URI baseUrl() {
    IssuerServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "FakeOidcIssuer is not started: call start() before baseUrl() or jwksUrl().");
    }
    String path = URI.create(configuredIssuer).getRawPath();
    return URI.create("http://127.0.0.1:" + s.port() + (path == null ? "" : stripSlash(path)));
  }

  /**
   * Returns the served discovery document URL, {@link #baseUrl()} followed by
   * {@code /.well-known/openid-configuration}.
   *
   * @return the discovery URL
   * @throws IllegalStateException before {@link #start()}
   */
  public URI discoveryUrl() {
    return URI.create(baseUrl() + "/.well-known/openid-configuration");
  }

  /**
   * Returns the served JWKS URL of {@link #issuer()}, {@link #baseUrl()} followed by
   * {@code /keys}.
   *
   * @return the JWKS URL
   * @throws IllegalStateException before {@link #start()}
   */
  public URI jwksUrl() {
    return URI.create(baseUrl() + "/keys");
  }

  /**
   * Returns the {@code kid} of the current signing key, the one minted tokens carry in their
   * header; it changes with {@link #rotateKey()}.
   *
   * @return the key id
   */
  public String keyId() {
    return keys.kid();
  }

  /**
   * Replaces the signing key, as a Gitpod restart does: tokens signed before no longer verify
   * and the JWKS lists only the new key.
   */
  public void rotateKey() {
    keys.rotate();
  }

  /**
   * Returns the host and path of the issuer, the prefix of AWS condition keys and of the
   * provider ARN's resource, such as {@code services.gitpod.example.com/idp} (for
   * {@code services.gitpod.example.com/idp:sub}).
   *
   * @return the issuer without its scheme
   */
  public String conditionKeyPrefix() {
    return issuer().replaceFirst("^https?://", "");
  }

  /**
   * Returns the ARN the IAM OIDC provider of this issuer has in the given account,
   * {@code arn:aws:iam::<account>:oidc-provider/<host and path>}.
   *
   * @param accountId the 12-digit AWS account ID
   * @return the provider ARN
   */
  public String providerArn(String accountId) {
    return "arn:aws:iam::" + accountId + ":oidc-provider/" + conditionKeyPrefix();
  }

  /**
   * Returns a new token builder with Gitpod's claim shape and defaults: {@code sub} and
   * {@code repository} {@value #DEFAULT_REPOSITORY}, {@code aud} {@code ["sts.amazonaws.com"]},
   * valid for 60 minutes from now.
   *
   * @return a new builder; nothing is minted until {@link TokenBuilder#mint()}
   */
  public TokenBuilder token() {
    return new TokenBuilder();
  }

  /**
   * Mints a valid Gitpod token for a workspace opened on the given repository, with every
   * other claim at its default; the same as {@code token().repository(repositoryUrl).mint()}.
   *
   * @param repositoryUrl the workspace's context URL, such as {@code https://github.com/acme/app},
   *     which becomes {@code sub} and {@code repository}
   * @return the signed compact JWT
   */
  public String mint(String repositoryUrl) {
    return token().repository(repositoryUrl).mint();
  }

  /**
   * Returns a new Ona (formerly Gitpod Flex) environment token builder: V3, issuer
   * {@value ProfileTokens.Ona#ISSUER}, {@code aud} {@code ["sts.amazonaws.com"]}, {@code sub}
   * {@code organization_id:<org>:project_id:<project>}.
   *
   * @return a new builder; see {@link ProfileTokens.Ona}
   */
  public ProfileTokens.Ona ona() {
    return new ProfileTokens.Ona(this);
  }

  /**
   * Returns a new GitHub Actions token builder: issuer
   * {@value ProfileTokens.GitHubActions#ISSUER}, {@code aud} {@code sts.amazonaws.com}, a push
   * to {@code main} of {@code acme/app} ({@code sub} {@code repo:acme/app:ref:refs/heads/main}).
   *
   * @return a new builder; see {@link ProfileTokens.GitHubActions}
   */
  public ProfileTokens.GitHubActions githubActions() {
    return new ProfileTokens.GitHubActions(this);
  }

  /**
   * Returns a new GitLab CI/CD ID token builder: issuer {@value ProfileTokens.GitLab#ISSUER},
   * {@code aud} {@code sts.amazonaws.com}, a job on branch {@code main} of {@code acme/app}
   * ({@code sub} {@code project_path:acme/app:ref_type:branch:ref:main}).
   *
   * @return a new builder; see {@link ProfileTokens.GitLab}
   */
  public ProfileTokens.GitLab gitlab() {
    return new ProfileTokens.GitLab(this);
  }

  /**
   * Returns a new CircleCI job token builder, whose issuer and audience are both named by a
   * made-up organization id until {@link ProfileTokens.CircleCi#organization(String)} sets one.
   *
   * @return a new builder; see {@link ProfileTokens.CircleCi}
   */
  public ProfileTokens.CircleCi circleci() {
    return new ProfileTokens.CircleCi(this);
  }

  /**
   * Returns a new Bitbucket Pipelines step token builder for workspace {@code acme}, with the
   * {@code {REPOSITORY_UUID}:{STEP_UUID}} subject of a step that is not a deployment.
   *
   * @return a new builder; see {@link ProfileTokens.Bitbucket}
   */
  public ProfileTokens.Bitbucket bitbucket() {
    return new ProfileTokens.Bitbucket(this);
  }

  /**
   * Returns a new Buildkite job token builder: issuer {@value ProfileTokens.Buildkite#ISSUER},
   * {@code aud} {@code sts.amazonaws.com}, step {@code build} of pipeline {@code acme/app} on
   * {@code main}, valid for 5 minutes as Buildkite's are.
   *
   * @return a new builder; see {@link ProfileTokens.Buildkite}
   */
  public ProfileTokens.Buildkite buildkite() {
    return new ProfileTokens.Buildkite(this);
  }

  /**
   * Returns a new EKS service-account token builder: a cluster in {@code eu-west-1},
   * {@code sub} {@code system:serviceaccount:default:app}, valid for 24 hours.
   *
   * @return a new builder; see {@link ProfileTokens.Eks}
   */
  public ProfileTokens.Eks eks() {
    return new ProfileTokens.Eks(this);
  }

  /**
   * Returns a new token builder of a profile chosen by id, as {@code POST /_fake/tokens}
   * does; use {@link #token()} for {@code gitpod}, whose builder is not a {@link ProfileToken}.
   * The id is case-insensitive, and {@code github} also names GitHub Actions.
   *
   * @param profileId one of {@link ProfileTokens#IDS} except {@code gitpod}
   * @return a new builder of that profile
   * @throws IllegalArgumentException for an unknown id, listing the known ones
   */
  public ProfileToken<?> profile(String profileId) {
    return ProfileTokens.create(this, Objects.requireNonNull(profileId, "profileId"));
  }

  /**
   * Mints a token from the JSON of {@code POST /_fake/tokens}: {@code profile} (default
   * {@code gitpod}) picks the shape; {@code iss}, {@code aud}, {@code sub}, {@code iat} and
   * {@code exp} override those claims; a profile's options ({@code immutable} for
   * github-actions, {@code version} for ona) are applied; every other key is a claim.
   */
  String mintFromRequest(Map<String, Object> request) {
    Map<String, Object> rest = new LinkedHashMap<>(request);
    Object profile = rest.remove("profile");
    if (profile == null || "gitpod".equalsIgnoreCase(String.valueOf(profile))) {
      TokenBuilder t = token();
      if (rest.remove("repository") instanceof String r) {
        t.repository(r);
      }
      applyRequest(rest, t::audience, t::subject, t::issuedAt, t::expiresAt,
          (k, v) -> false, t::claim);
      return t.mint();
    }
    ProfileToken<?> t = profile(String.valueOf(profile));
    if (rest.remove("iss") instanceof String i) {
      t.issuer(i);
    }
    applyRequest(rest, t::audience, t::subject, t::issuedAt, t::expiresAt, t::option, t::claim);
    return t.mint();
  }

  /**
   * Applies the keys of a {@code POST /_fake/tokens} request that every token shape shares
   * ({@code aud}, {@code sub}, {@code iat}, {@code exp}), then offers each other non-null key to
   * {@code option} and sets it as a claim when that declines.
   */
  private static void applyRequest(Map<String, Object> rest, Consumer<String[]> audience,
      Consumer<String> subject, Consumer<Instant> issuedAt, Consumer<Instant> expiresAt,
      BiPredicate<String, Object> option, BiConsumer<String, Object> claim) {
    String[] aud = audiences(rest.remove("aud"));
    if (aud.length > 0) {
      audience.accept(aud);
    }
    if (rest.remove("sub") instanceof String s) {
      subject.accept(s);
    }
    if (rest.remove("exp") instanceof Number n) {
      expiresAt.accept(Instant.ofEpochSecond(n.longValue()));
    }
    if (rest.remove("iat") instanceof Number n) {
      issuedAt.accept(Instant.ofEpochSecond(n.longValue()));
    }
    rest.forEach((k, v) -> {
      if (!option.test(k, v) && v != null) {
        claim.accept(k, v);
      }
    });
  }

  private static String[] audiences(Object aud) {
    if (aud instanceof String a) {
      return new String[] {a};
    }
    if (aud instanceof List<?> l) {
      return l.stream().map(String::valueOf).toArray(String[]::new);
    }
    return new String[0];
  }

  String sign(Map<String, Object> claims, boolean unknownKid, boolean badSignature) {
    String kid = unknownKid ? "id-" + UUID.randomUUID().toString().replace("-", "") : keys.kid();
    return keys.sign(claims, kid, badSignature);
  }

  /**
   * Returns the clock that gives minted tokens their {@code iat} (and so {@code exp}).
   *
   * @return the clock set with {@link Builder#clock(Clock)}, by default the system UTC clock
   */
  public Clock clock() {
    return clock;
  }

  private String discoveryJson() {
    return discoveryJson(issuer(), "/keys");
  }

  private String discoveryJson(String iss, String jwksPath) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", iss);
    doc.put("authorization_endpoint", iss + "/auth");
    doc.put("jwks_uri", iss + jwksPath);
    doc.put("response_types_supported", List.of("id_token"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
    doc.put("scopes_supported", List.of("openid"));
    if (iss.equals(issuer())) {
      doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time",
          "email", "email_verified", "name", "user_id", "org_id", "workspace_id", "context",
          "repository"));
    }
    return write(doc);
  }

  static String write(Object o) {
    try {
      return Mapper.JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String stripSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  @Override
  public String toString() {
    return "FakeOidcIssuer{issuer=" + issuer + ", served=" + (server == null ? "no" : baseUrl())
        + ", kid=" + keys.kid() + "}";
  }

  /** Configures a {@link FakeOidcIssuer}. */
  public static final class Builder {
    private String issuer = DEFAULT_ISSUER;
    private boolean loopbackIssuer;
    private int port;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the issuer name, the {@code iss} of Gitpod tokens; default
     * {@value FakeOidcIssuer#DEFAULT_ISSUER}. Its path is also the path of the served documents.
     *
     * @param issuerUrl an absolute URL, such as {@code https://services.gitpod.acme.example/idp}
     *     (a trailing {@code /} is dropped)
     * @return this builder
     * @throws IllegalArgumentException if the URL has no scheme or host
     */
    public Builder issuer(String issuerUrl) {
      URI uri = URI.create(Objects.requireNonNull(issuerUrl, "issuerUrl"));
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("Issuer URL '" + issuerUrl
            + "' is not absolute: use a URL such as https://services.<domain>/idp.");
      }
      this.issuer = stripSlash(issuerUrl);
      return this;
    }

    /**
     * Makes the issuer name the served loopback URL ({@code http://127.0.0.1:<port>/idp}), so
     * that any verifier can fetch its keys from the {@code iss} itself, as for a real issuer.
     *
     * @return this builder
     */
    public Builder loopbackIssuer() {
      this.loopbackIssuer = true;
      return this;
    }

    /**
     * Sets the port on 127.0.0.1; default 0, any free port (read it back from
     * {@link FakeOidcIssuer#baseUrl()}).
     *
     * @param port the TCP port, 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Sets the clock for {@code iat} and {@code exp}; default the system UTC clock.
     *
     * @param clock the clock that supplies the current time (a fixed one in tests)
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Returns the configured issuer, not yet started.
     *
     * @return a new issuer; call {@link FakeOidcIssuer#start()} to serve its documents
     */
    public FakeOidcIssuer build() {
      return new FakeOidcIssuer(this);
    }
  }

  /**
   * Builds one token with Gitpod's claim shape. Defaults: {@code sub} and {@code repository} =
   * {@value FakeOidcIssuer#DEFAULT_REPOSITORY}, {@code aud} = {@code ["sts.amazonaws.com"]},
   * {@code azp} = first audience, {@code exp} = {@code iat} + 60 minutes.
   */
  public final class TokenBuilder {
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final List<String> removed = new ArrayList<>();
    private String iss;
    private String subject = DEFAULT_REPOSITORY;
    private String repository = DEFAULT_REPOSITORY;
    private List<String> audience = List.of(DEFAULT_AUDIENCE);
    private Instant issuedAt;
    private Instant expiresAt;
    private Instant notBefore;
    private String workspaceId = "acme-app-0a1b2c3d4e5";
    private String email = "jane@acme.example";
    private boolean unknownKid;
    private boolean badSignature;

    private TokenBuilder() {}

    /**
     * Sets the workspace's context to a repository: {@code sub}, {@code context} and
     * {@code repository} all become the URL. Default {@value FakeOidcIssuer#DEFAULT_REPOSITORY}.
     *
     * @param url the repository's web URL, such as {@code https://github.com/acme/app}
     * @return this builder
     */
    public TokenBuilder repository(String url) {
      this.subject = Objects.requireNonNull(url, "url");
      this.repository = url;
      return this;
    }

    /**
     * Sets {@code sub} and {@code context} alone, leaving {@code repository} (for example a pull
     * request URL, or {@code no-context} for a workspace opened without one).
     *
     * @param sub the exact {@code sub} claim
     * @return this builder
     */
    public TokenBuilder subject(String sub) {
      this.subject = Objects.requireNonNull(sub, "sub");
      return this;
    }

    /**
     * Sets the audiences, sent as an array; {@code azp} is the first. Default
     * {@code ["sts.amazonaws.com"]}.
     *
     * @param audiences one or more audiences
     * @return this builder
     * @throws IllegalArgumentException when no audience is given
     */
    public TokenBuilder audience(String... audiences) {
      if (audiences.length == 0) {
        throw new IllegalArgumentException("A token needs at least one audience.");
      }
      this.audience = List.of(audiences);
      return this;
    }

    /**
     * Sets {@code iat} and {@code auth_time}; default the issuer's clock at minting.
     *
     * @param iat when the token is issued
     * @return this builder
     */
    public TokenBuilder issuedAt(Instant iat) {
      this.issuedAt = Objects.requireNonNull(iat, "iat");
      return this;
    }

    /**
     * Sets {@code exp}; default {@code iat} + 60 minutes, as Gitpod's tokens live.
     *
     * @param exp when the token expires
     * @return this builder
     */
    public TokenBuilder expiresAt(Instant exp) {
      this.expiresAt = Objects.requireNonNull(exp, "exp");
      return this;
    }

    /**
     * Adds an {@code nbf} claim, which Gitpod does not send.
     *
     * @param nbf the time before which the token must be refused
     * @return this builder
     */
    public TokenBuilder notBefore(Instant nbf) {
      this.notBefore = Objects.requireNonNull(nbf, "nbf");
      return this;
    }

    /**
     * Sets {@code workspace_id}; default {@code acme-app-0a1b2c3d4e5}.
     *
     * @param id a Gitpod workspace id
     * @return this builder
     */
    public TokenBuilder workspaceId(String id) {
      this.workspaceId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Sets the {@code email} claim of the workspace owner; default {@code jane@acme.example}.
     *
     * @param email an email address
     * @return this builder
     */
    public TokenBuilder email(String email) {
      this.email = Objects.requireNonNull(email, "email");
      return this;
    }

    /**
     * Sets any claim, overriding a default one of the same name (and undoing a
     * {@link #withoutClaim(String)} of it).
     *
     * @param name the claim name
     * @param value a JSON value: a {@code String}, {@code Number}, {@code Boolean}, {@code List} or
     *     {@code Map}
     * @return this builder
     */
    public TokenBuilder claim(String name, Object value) {
      extra.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      removed.remove(name);
      return this;
    }

    /**
     * Leaves a claim out of the token, a default or one set with
     * {@link #claim(String, Object)}; registered claims such as {@code sub} and {@code exp} too.
     *
     * @param name the claim name
     * @return this builder
     */
    public TokenBuilder withoutClaim(String name) {
      extra.remove(name);
      removed.add(name);
      return this;
    }

    /**
     * Makes the token expired for an hour, well past the 5 minutes of skew AWS allows.
     *
     * @return this builder
     */
    public TokenBuilder expired() {
      Instant now = clock.instant();
      this.issuedAt = now.minus(Duration.ofHours(2));
      this.expiresAt = now.minus(Duration.ofHours(1));
      return this;
    }

    /**
     * Makes the token valid only from an hour in the future ({@code nbf} and {@code iat}).
     *
     * @return this builder
     */
    public TokenBuilder notYetValid() {
      Instant later = clock.instant().plus(Duration.ofHours(1));
      this.issuedAt = later;
      this.notBefore = later;
      this.expiresAt = later.plus(Duration.ofHours(1));
      return this;
    }

    /**
     * Sets an audience that no provider lists.
     *
     * @return this builder
     */
    public TokenBuilder wrongAudience() {
      return audience("https://wrong-audience.example");
    }

    /**
     * Sets an issuer for which no provider exists.
     *
     * @return this builder
     */
    public TokenBuilder wrongIssuer() {
      this.iss = "https://services.wrong-issuer.example/idp";
      return this;
    }

    /**
     * Puts a {@code kid} in the header that the JWKS does not list.
     *
     * @return this builder
     */
    public TokenBuilder unknownKid() {
      this.unknownKid = true;
      return this;
    }

    /**
     * Signs with a key other than the one the {@code kid} names.
     *
     * @return this builder
     */
    public TokenBuilder badSignature() {
      this.badSignature = true;
      return this;
    }

    /**
     * Returns the claims the token would carry if minted now, in the order they are written.
     *
     * @return a new, modifiable map of claim names to JSON values
     */
    public Map<String, Object> claims() {
      Instant iat = issuedAt != null ? issuedAt : clock.instant();
      Instant exp = expiresAt != null ? expiresAt : iat.plus(Duration.ofMinutes(60));
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("iss", iss != null ? iss : issuer());
      c.put("aud", audience);
      c.put("azp", audience.get(0));
      c.put("exp", exp.getEpochSecond());
      c.put("iat", iat.getEpochSecond());
      c.put("auth_time", iat.getEpochSecond());
      if (notBefore != null) {
        c.put("nbf", notBefore.getEpochSecond());
      }
      c.put("c_hash", "x4-pE0sXkQzqK7b1m3Yw5A");
      c.put("sub", subject);
      c.put("name", "Jane Developer");
      c.put("email", email);
      c.put("email_verified", false);
      c.put("user_id", "5c0b1c3e-8e3f-4f39-9d7c-2a1f0d3b4c5e");
      c.put("org_id", "8f3a2b1c-7d6e-4f5a-9b8c-1d2e3f4a5b6c");
      c.put("workspace_id", workspaceId);
      c.put("context", subject);
      c.put("repository", repository);
      c.putAll(extra);
      removed.forEach(c::remove);
      return c;
    }

    /**
     * Signs the claims with the issuer's current key (RS256) and returns the compact JWT.
     *
     * @return the signed token, {@code header.payload.signature}
     */
    public String mint() {
      String kid = unknownKid ? "id-" + UUID.randomUUID().toString().replace("-", "") : keys.kid();
      return keys.sign(claims(), kid, badSignature);
    }

    @Override
    public String toString() {
      return "TokenBuilder" + claims();
    }
  }
}
