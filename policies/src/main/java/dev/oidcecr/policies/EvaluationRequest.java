package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import dev.oidcecr.policies.internal.profiles.Profiles;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to evaluate against a policy: an action, optionally a resource and a principal, and
 * the request context (condition keys, each with one or more values).
 *
 * <pre>{@code
 * EvaluationRequest r = EvaluationRequest.builder()
 *     .action("ecr:BatchGetImage")
 *     .resource("arn:aws:ecr:eu-west-1:123456789012:repository/app")
 *     .principalArn("arn:aws:iam::210987654321:role/ci")
 *     .putContext("aws:SourceIp", "203.0.113.7")
 *     .build();
 * }</pre>
 *
 * <p>Context keys are case-insensitive, as in IAM: they are kept in lower case. A key with no
 * values is treated as absent.
 */
// Written by hand rather than with Immutables: the evaluator reads the optional fields on its hot
// path and must not box them into Optionals a million times a second.
public final class EvaluationRequest {

  /** The action STS evaluates for a web identity. */
  public static final String ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

  /** The global condition key for the federated provider, as IAM spells it. */
  public static final String FEDERATED_PROVIDER_KEY = "aws:FederatedProvider";

  private static final String OIDC_PROVIDER = ":oidc-provider/";

  private final String action;
  private final String resource;
  private final String principalArn;
  private final String federatedProvider;
  private final Map<String, List<String>> context;

  private EvaluationRequest(Builder b) {
    this.action = b.action;
    this.resource = b.resource;
    this.principalArn = b.principalArn;
    this.federatedProvider = b.federatedProvider;
    this.context = Collections.unmodifiableMap(new LinkedHashMap<>(b.context));
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
   * Returns a builder holding this request's values.
   *
   * @return a builder holding this request's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.action = action;
    b.resource = resource;
    b.principalArn = principalArn;
    b.federatedProvider = federatedProvider;
    b.context.putAll(context);
    return b;
  }

  /**
   * Returns the request STS evaluates for {@code AssumeRoleWithWebIdentity} with a token from
   * the given OIDC provider: action {@code sts:AssumeRoleWithWebIdentity}, federated principal
   * {@code providerArn}, {@code aws:FederatedProvider}, and a {@code <issuer host/path>:<claim>}
   * key for each claim STS turns into a condition key for that issuer
   * ({@link IssuerProfile#conditionKeyClaims()}) that the token has. For every issuer that is
   * {@code aud}, {@code sub} and {@code amr}; Gitpod and unknown issuers also get {@code azp}
   * and {@code email}; GitHub Actions also gets the claims STS accepts since January 2026
   * ({@code actor}, {@code actor_id}, {@code job_workflow_ref}, {@code repository},
   * {@code repository_id}, {@code workflow}, {@code ref}, {@code environment},
   * {@code enterprise_id}). Other claims (GitHub's {@code repository_owner}, Ona's
   * {@code project_id}, ...) are not condition keys, as in STS: a policy conditioning on them
   * finds the key missing.
   *
   * <p>A list claim ({@code aud} as a JSON array, {@code amr}) gives a key with several
   * values. The evaluator then reads a plain operator (no {@code ForAnyValue:} or
   * {@code ForAllValues:}) as "some value of the key matches one of the policy's values", and a
   * negated one ({@code StringNotEquals}) as "no value matches": so {@code StringEquals
   * "<prefix>:aud": "sts.amazonaws.com"} allows a token whose {@code aud} is
   * {@code ["sts.amazonaws.com", "other"]}.
   *
   * @param providerArn {@code arn:aws:iam::<account>:oidc-provider/<host/path>}
   * @param claims decoded token claims; {@code aud} may be a string or a list
   * @throws PolicyException when {@code providerArn} is not an OIDC provider ARN
   *
   * @return the request STS evaluates for {@code AssumeRoleWithWebIdentity} with a token from the given OIDC provider: action {@code sts:AssumeRoleWithWebIdentity}, federated principal {@code providerArn}, {@code aws:FederatedProvider}, and a {@code <issuer host/path>:<claim>} key for each claim STS turns into a condition key for that issuer ({@link IssuerProfile#conditionKeyClaims()}) that the token has
   */
  public static EvaluationRequest webIdentity(String providerArn, Map<String, ?> claims) {
    Objects.requireNonNull(providerArn, "providerArn");
    Objects.requireNonNull(claims, "claims");
    String prefix = issuerKeyPrefix(providerArn);
    Builder b = builder().action(ASSUME_ROLE_WITH_WEB_IDENTITY).federatedProvider(providerArn);
    for (String claim : Profiles.detectHostPath(prefix).conditionKeyClaims()) {
      List<String> values = claimValues(claims.get(claim));
      if (!values.isEmpty()) {
        b.putContext(prefix + ":" + claim, values);
      }
    }
    b.putContext(FEDERATED_PROVIDER_KEY, providerArn);
    return b.build();
  }

  /**
   * Returns the request STS evaluates for a token from the issuer registered as an OIDC provider
   * in the given account; the same as {@link #webIdentity(String, Map)} with
   * {@link #oidcProviderArn(String, String)}.
   *
   * @param issuerUrl the token's {@code iss}, such as {@code https://services.gitpod.example.com/idp}
   * @param accountId the 12-digit id of the account that has the OIDC provider
   * @param claims decoded token claims
   *
   * @return the request STS evaluates for a token from the issuer registered as an OIDC provider in the given account; the same as {@link #webIdentity(String, Map)} with {@link #oidcProviderArn(String, String)}
   */
  public static EvaluationRequest webIdentity(
      String issuerUrl, String accountId, Map<String, ?> claims) {
    return webIdentity(oidcProviderArn(issuerUrl, accountId), claims);
  }

  /**
   * Returns the ARN IAM gives the OIDC provider for an issuer URL in an account (partition
   * {@code aws}): {@code arn:aws:iam::<account>:oidc-provider/<host/path>}.
   *
   * @throws PolicyException when the URL is not {@code https://} or the account id is not 12
   *     digits
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @param accountId the 12-digit AWS account ID
   * @return the ARN IAM gives the OIDC provider for an issuer URL in an account (partition {@code aws})
   */
  public static String oidcProviderArn(String issuerUrl, String accountId) {
    Objects.requireNonNull(issuerUrl, "issuerUrl");
    Objects.requireNonNull(accountId, "accountId");
    if (!issuerUrl.startsWith("https://") || issuerUrl.length() == "https://".length()) {
      throw new PolicyException("Issuer URL \"" + issuerUrl + "\" must start with https://"
          + " and name a host, as the token's iss claim does (for example"
          + " https://services.gitpod.example.com/idp)");
    }
    if (!accountId.matches("\\d{12}")) {
      throw new PolicyException("AWS account id \"" + accountId + "\" must be 12 digits,"
          + " such as 123456789012");
    }
    // The same host/path TrustPolicy derives (host lower-cased, no port, query or trailing /),
    // so the request names the provider the trust policy's principal names.
    return Arns.oidcProviderArn("aws", accountId, Arns.issuerHostPath(issuerUrl));
  }

  /**
   * Returns the prefix of the condition keys for tokens of an OIDC provider: the issuer's host
   * and path, such as {@code services.gitpod.example.com/idp}.
   *
   * @throws PolicyException when the ARN is not an OIDC provider ARN
   *
   * @param providerArn the OIDC provider ARN, {@code arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH}
   * @return the prefix of the condition keys for tokens of an OIDC provider: the issuer's host and path, such as {@code services.gitpod.example.com/idp}
   */
  public static String issuerKeyPrefix(String providerArn) {
    int at = providerArn.indexOf(OIDC_PROVIDER);
    String[] parts = providerArn.split(":", 6);
    if (at < 0 || parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("iam")
        || at + OIDC_PROVIDER.length() >= providerArn.length()) {
      throw new PolicyException("\"" + providerArn + "\" is not an OIDC provider ARN: use"
          + " arn:aws:iam::<account>:oidc-provider/<issuer host and path>, for example"
          + " arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp");
    }
    return providerArn.substring(at + OIDC_PROVIDER.length());
  }

  private static List<String> claimValues(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof Collection) {
      List<String> out = new ArrayList<>();
      for (Object o : (Collection<?>) value) {
        if (o != null) {
          out.add(o.toString());
        }
      }
      return out;
    }
    if (value instanceof Object[]) {
      return claimValues(List.of((Object[]) value));
    }
    return List.of(value.toString());
  }

  /**
   * Returns the action, such as {@code ecr:BatchGetImage}.
   *
   * @return the action, such as {@code ecr:BatchGetImage}
   */
  public String action() {
    return action;
  }

  /**
   * Returns the resource ARN, if any.
   *
   * @return the resource ARN, if any
   */
  public Optional<String> resource() {
    return Optional.ofNullable(resource);
  }

  /**
   * Returns the calling AWS principal (account, user, role or session ARN), if any.
   *
   * @return the calling AWS principal (account, user, role or session ARN), if any
   */
  public Optional<String> principalArn() {
    return Optional.ofNullable(principalArn);
  }

  /**
   * Returns the federated identity provider (such as an OIDC provider ARN), if any.
   *
   * @return the federated identity provider (such as an OIDC provider ARN), if any
   */
  public Optional<String> federatedProvider() {
    return Optional.ofNullable(federatedProvider);
  }

  /**
   * Returns the context: lower-cased keys to their values.
   *
   * @return the context: lower-cased keys to their values
   */
  public Map<String, List<String>> context() {
    return context;
  }

  /**
   * Returns the values of a context key (any case), empty when the key is absent.
   *
   * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
   * @return the values of a context key (any case), empty when the key is absent
   */
  public List<String> contextValues(String key) {
    List<String> v = context.get(key.toLowerCase(Locale.ROOT));
    return v == null ? List.of() : v;
  }

  String resourceOrNull() {
    return resource;
  }

  String principalArnOrNull() {
    return principalArn;
  }

  String federatedProviderOrNull() {
    return federatedProvider;
  }

  /** Returns the values of an already lower-cased key (null when absent, maybe empty). */
  List<String> valuesOrNull(String lowerKey) {
    return context.get(lowerKey);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof EvaluationRequest)) {
      return false;
    }
    EvaluationRequest r = (EvaluationRequest) o;
    return action.equals(r.action) && Objects.equals(resource, r.resource)
        && Objects.equals(principalArn, r.principalArn)
        && Objects.equals(federatedProvider, r.federatedProvider) && context.equals(r.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(action, resource, principalArn, federatedProvider, context);
  }

  /** Returns the request on one line: action, principal, resource and context. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("EvaluationRequest{action=").append(action);
    if (principalArn != null) {
      sb.append(", principalArn=").append(principalArn);
    }
    if (federatedProvider != null) {
      sb.append(", federatedProvider=").append(federatedProvider);
    }
    if (resource != null) {
      sb.append(", resource=").append(resource);
    }
    return sb.append(", context=").append(context).append('}').toString();
  }

  /** Builds an {@link EvaluationRequest}; {@link #action(String)} is required. */
  public static final class Builder {
    private String action;
    private String resource;
    private String principalArn;
    private String federatedProvider;
    private final Map<String, List<String>> context = new LinkedHashMap<>();

    Builder() {}

    /**
     * Sets the action, such as {@code sts:AssumeRoleWithWebIdentity}.
     *
     * @param action the action, such as {@code sts:AssumeRoleWithWebIdentity}
     * @return this builder
     */
    public Builder action(String action) {
      this.action = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Sets the resource ARN the action is on.
     *
     * @param resource the resource ARN the action is on
     * @return this builder
     */
    public Builder resource(String resource) {
      this.resource = Objects.requireNonNull(resource, "resource");
      return this;
    }

    /**
     * Sets the calling AWS principal: an account id, an account root, user or role ARN, or an
     * assumed-role session ARN.
     *
     * @param principalArn the calling AWS principal: an account id, an account root, user or role ARN, or an assumed-role session ARN
     * @return this builder
     */
    public Builder principalArn(String principalArn) {
      this.principalArn = Objects.requireNonNull(principalArn, "principalArn");
      return this;
    }

    /**
     * Sets the federated identity provider, such as an OIDC provider ARN.
     *
     * @param federatedProvider the federated identity provider, such as an OIDC provider ARN
     * @return this builder
     */
    public Builder federatedProvider(String federatedProvider) {
      this.federatedProvider = Objects.requireNonNull(federatedProvider, "federatedProvider");
      return this;
    }

    /**
     * Sets the values of a context key (case-insensitive), replacing any values it had. Several
     * values make a multivalued key.
     *
     * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
     * @param values the accepted values, ORed
     * @return this builder
     */
    public Builder putContext(String key, String... values) {
      return putContext(key, List.of(values));
    }

    /**
     * Sets the values of a context key (case-insensitive), replacing any values it had.
     *
     * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
     * @param values the accepted values, ORed
     * @return this builder
     */
    public Builder putContext(String key, Collection<String> values) {
      Objects.requireNonNull(key, "key");
      if (key.isEmpty()) {
        throw new IllegalArgumentException("A context key cannot be empty: use a key such as"
            + " aws:SourceIp or services.gitpod.example.com/idp:sub");
      }
      context.put(key.toLowerCase(Locale.ROOT), List.copyOf(values));
      return this;
    }

    /**
     * Sets the values of every key of the map, as {@link #putContext(String, Collection)}.
     *
     * @param entries the values of every key of the map, as {@link #putContext(String, Collection)}
     * @return this builder
     */
    public Builder putAllContext(Map<String, ? extends Collection<String>> entries) {
      entries.forEach(this::putContext);
      return this;
    }

    /**
     * Removes a context key (case-insensitive).
     *
     * @param key the condition key, such as {@code token.actions.githubusercontent.com:sub}
     * @return this builder
     */
    public Builder removeContext(String key) {
      context.remove(key.toLowerCase(Locale.ROOT));
      return this;
    }

    /**
     * Returns the request.
     *
     * @throws IllegalStateException when no action was set
     *
     * @return the request
     */
    public EvaluationRequest build() {
      if (action == null) {
        throw new IllegalStateException("An evaluation request needs an action: call"
            + " action(\"sts:AssumeRoleWithWebIdentity\") or another action before build()");
      }
      return new EvaluationRequest(this);
    }
  }
}
