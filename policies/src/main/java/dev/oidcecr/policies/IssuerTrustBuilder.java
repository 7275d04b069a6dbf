package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every typed trust builder shares ({@link TrustPolicy#githubActions()},
 * {@link TrustPolicy#ona()}, {@link TrustPolicy#gitlab()}, ...): the provider (issuer and
 * account, or provider ARN), the partition, the Sid and the audiences. Subclasses add the
 * subject rules in their issuer's grammar.
 *
 * <p>Every builder writes the documented best practice: {@code StringEquals} on {@code :aud},
 * {@code StringEquals} on {@code :sub} when exact values suffice, {@code StringLike} only for
 * real patterns, and never a pattern that also matches a sibling. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by the setters
 */
public abstract class IssuerTrustBuilder<B extends IssuerTrustBuilder<B>> {

  private static final Pattern SID = Pattern.compile("[A-Za-z0-9]+");

  private final IssuerProfile profile;
  private String issuer;
  private String account;
  private String providerArn;
  private String partition;
  private String sid;
  private final Set<String> audiences = new LinkedHashSet<>();
  private final Set<String> subjectPatterns = new LinkedHashSet<>();

  IssuerTrustBuilder(IssuerProfile profile, String issuer) {
    this.profile = profile;
    this.issuer = issuer;
  }

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /**
   * Returns the profile this builder writes for.
   *
   * @return the profile this builder writes for
   */
  public IssuerProfile profile() {
    return profile;
  }

  /**
   * Sets the issuer URL (the token's {@code iss}) when it is not the profile's usual one, such
   * as a GitHub Enterprise Server's {@code https://github.acme.example/_services/token}.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return this builder
   */
  public B issuer(String issuerUrl) {
    Arns.issuerHostPath(Objects.requireNonNull(issuerUrl, "issuerUrl"));
    this.issuer = issuerUrl;
    return self();
  }

  /**
   * Sets the account that holds the OIDC provider (and the role).
   *
   * @param accountId the 12-digit AWS account ID
   * @return this builder
   */
  public B account(String accountId) {
    this.account = Arns.account(Objects.requireNonNull(accountId, "accountId"));
    return self();
  }

  /**
   * Sets the OIDC provider ARN directly instead of an account.
   *
   * @param arn the ARN
   * @return this builder
   */
  public B providerArn(String arn) {
    this.providerArn = Arns.oidcProviderArn(Objects.requireNonNull(arn, "arn")).arn();
    return self();
  }

  /**
   * Sets the partition: {@code aws} (the default), {@code aws-cn} or {@code aws-us-gov}.
   *
   * @param partition the AWS partition: {@code aws}, {@code aws-cn} or {@code aws-us-gov}
   * @return this builder
   */
  public B partition(String partition) {
    this.partition = Arns.partition(Objects.requireNonNull(partition, "partition"));
    return self();
  }

  /**
   * Sets the statement's Sid (letters and digits only); by default the statement has none.
   *
   * @param sid the statement ID (letters and digits only)
   * @return this builder
   */
  public B sid(String sid) {
    Objects.requireNonNull(sid, "sid");
    if (!SID.matcher(sid).matches()) {
      throw new PolicyException("Invalid Sid \"" + sid
          + "\": IAM allows only letters and digits, such as CiPull");
    }
    this.sid = sid;
    return self();
  }

  /**
   * Adds accepted audiences (the token's {@code aud}), ORed; without one the policy requires the
   * profile's default audience ({@link IssuerProfile#defaultAudience(String)}).
   *
   * @param values the accepted values, ORed
   * @return this builder
   */
  public B audience(String... values) {
    for (String a : values) {
      Objects.requireNonNull(a, "audience");
      if (a.isBlank() || a.indexOf('*') >= 0 || a.indexOf('?') >= 0) {
        throw new PolicyException("Invalid audience \"" + a + "\": give the exact audience the"
            + " token is issued for, such as " + TrustPolicy.DEFAULT_AUDIENCE);
      }
      audiences.add(a);
    }
    return self();
  }

  /**
   * Adds raw {@code sub} values or patterns ({@code *} and {@code ?} wildcards), ORed with the
   * typed rules, for subjects the typed calls cannot write (such as a custom GitHub subject
   * template). Nothing checks them here: lint the built policy with {@link PolicyLinter}, which
   * judges them by this issuer's grammar.
   *
   * @param patterns {@code sub} values or patterns
   * @return this builder
   */
  public B subjectPattern(String... patterns) {
    for (String p : patterns) {
      Objects.requireNonNull(p, "pattern");
      if (p.isBlank()) {
        throw new PolicyException("Invalid subject pattern \"" + p + "\": give a sub value such"
            + " as " + profile.exampleSubject());
      }
      subjectPatterns.add(p);
    }
    return self();
  }

  /** Returns the subject values, or throws naming the calls that add one. */
  abstract List<String> subjects();

  /** Returns whether a typed subject rule was added (so {@link #subjects()} has values). */
  abstract boolean hasRules();

  /** Returns what to call when no audience is given and the profile has no default. */
  String noAudienceHint() {
    return "audience(\"sts.amazonaws.com\")";
  }

  /**
   * Returns the issuer URL in use (set by the factory or {@link #issuer(String)}).
   *
   * @return the issuer URL, the token's {@code iss}
   */
  public String issuerUrl() {
    return issuer;
  }

  /**
   * Builds the trust policy.
   *
   * @throws PolicyException when the provider, a subject rule or (for issuers without a default)
   *     the audience is missing
   *
   * @return the trust policy
   */
  public PolicyDocument build() {
    Arns.ProviderArn provider = TrustPolicy.provider(issuer, account, providerArn, partition,
        "account(\"123456789012\")");
    List<String> subjects = new ArrayList<>();
    if (subjectPatterns.isEmpty() || hasRules()) {
      subjects.addAll(subjects());
    }
    subjectPatterns.stream().filter(p -> !subjects.contains(p)).forEach(subjects::add);
    List<String> aud = new ArrayList<>(audiences);
    if (aud.isEmpty()) {
      String issuerForDefault = issuer != null ? issuer : "https://" + provider.hostPath();
      aud.add(profile.defaultAudience(issuerForDefault).orElseThrow(() -> new PolicyException(
          profile.displayName() + " tokens have no default audience: call " + noAudienceHint()
              + " with the aud your tokens carry")));
    }
    return TrustPolicy.document(provider, sid, aud, subjects);
  }

  // ---------------------------------------------------------------- validation helpers

  static String name(String value, Pattern allowed, String what, String example) {
    Objects.requireNonNull(value, what);
    if (!allowed.matcher(value).matches()) {
      throw new PolicyException("Invalid " + what + " \"" + value + "\": expected " + example
          + " (no wildcards; IAM would read * and ? as patterns)");
    }
    return value;
  }

  static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  static String uuid(String value, String what) {
    Objects.requireNonNull(value, what);
    if (!UUID.matcher(value).matches()) {
      throw new PolicyException("Invalid " + what + " \"" + value + "\": expected a lower-case"
          + " UUID such as 0191e223-1c3c-7607-badf-303c98b52d2f (IAM compares case-sensitively)");
    }
    return value;
  }

  static String ref(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.indexOf('*') >= 0 || value.indexOf('?') >= 0
        || value.indexOf(':') >= 0 || value.contains("${") || value.indexOf(' ') >= 0) {
      throw new PolicyException("Invalid " + what + " \"" + value + "\": give the exact name,"
          + " such as main, without *, ?, :, spaces or ${");
    }
    return value;
  }
}
