package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import dev.oidcecr.policies.internal.profiles.Profiles;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What differs between the OIDC issuers whose tokens assume roles: the issuer URLs, the
 * condition-key prefix, the default audience, whether many customers share the issuer, which
 * claims STS turns into condition keys, and the grammar of the {@code sub} claim.
 *
 * <pre>{@code
 * IssuerProfile github = IssuerProfile.detect("https://token.actions.githubusercontent.com");
 * github.id();                                   // "github-actions"
 * github.check("repo:acme/app*", false).verdict(); // MATCHES_SIBLINGS: repo:acme/appx:...
 * }</pre>
 *
 * <p>One implementation per issuer, all listed in one registry; {@link #detect(String)} picks
 * one from the issuer URL and falls back to {@code generic}. Implementations are immutable.
 */
public interface IssuerProfile {

  /**
   * Returns the stable id: {@code gitpod}, {@code ona}, {@code github-actions}, {@code gitlab},
   * {@code circleci}, {@code bitbucket}, {@code buildkite}, {@code eks} or {@code generic}.
   *
   * @return the stable id
   */
  String id();

  /**
   * Returns the product name for messages, such as {@code GitHub Actions}.
   *
   * @return the product name for messages, such as {@code GitHub Actions}
   */
  String displayName();

  /**
   * Returns whether a provider {@code host/path} (as in an OIDC provider ARN) is this issuer's.
   *
   * @param hostPath the provider's {@code host/path}, as in its ARN
   * @return whether a provider {@code host/path} (as in an OIDC provider ARN) is this issuer's
   */
  boolean matchesHostPath(String hostPath);

  /**
   * Returns whether the issuer URL (the token's {@code iss}) is this issuer's.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return whether the issuer URL (the token's {@code iss}) is this issuer's
   */
  default boolean matchesIssuer(String issuerUrl) {
    return matchesHostPath(Arns.issuerHostPath(issuerUrl));
  }

  /**
   * Returns the prefix of this issuer's condition keys, the provider's {@code host/path} as IAM
   * derives it: {@code token.actions.githubusercontent.com} for
   * {@code token.actions.githubusercontent.com:sub}.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return the prefix of this issuer's condition keys, the provider's {@code host/path} as IAM derives it
   */
  default String conditionKeyPrefix(String issuerUrl) {
    return Arns.issuerHostPath(issuerUrl);
  }

  /**
   * Returns the audience tokens carry for AWS when nobody chooses another, if the issuer has
   * one: {@code sts.amazonaws.com} for most, the organization id for CircleCI, none for GitLab
   * (whatever {@code id_tokens:} sets) and Bitbucket (the workspace UUID, not in the URL).
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return the audience tokens carry for AWS when nobody chooses another, if the issuer has one
   */
  Optional<String> defaultAudience(String issuerUrl);

  /**
   * Returns whether many customers share the issuer URL, so that only {@code sub} (or another
   * claim) tells one customer's tokens from another's. A trust policy for such an issuer that
   * does not check {@code sub} lets any customer's token assume the role.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return whether many customers share the issuer URL, so that only {@code sub} (or another claim) tells one customer's tokens from another's
   */
  boolean sharedIssuer(String issuerUrl);

  /**
   * Returns whether IAM itself refuses ({@code CreateRole}, {@code UpdateAssumeRolePolicy}) a
   * trust policy for this issuer that does not check {@code sub}: true only for the issuers on
   * AWS's list of shared OIDC providers ("Identity-provider controls for shared OIDC providers",
   * IAM User Guide, id_roles_providers_oidc_secure-by-default.html, June 2025), such as
   * {@code token.actions.githubusercontent.com} (and its enterprise {@code /<slug>} issuers),
   * {@code gitlab.com} and {@code agent.buildkite.com}. A shared issuer that is not on that list
   * (Ona's {@code app.gitpod.io}) is accepted by IAM, and only the linter flags it.
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return whether IAM itself refuses ({@code CreateRole}, {@code UpdateAssumeRolePolicy}) a trust policy for this issuer that does not check {@code sub}: true only for the issuers on AWS's list of shared OIDC providers ("Identity-provider controls for shared OIDC providers", IAM User Guide, id_roles_providers_oidc_secure-by-default.html, June 2025), such as {@code token.actions.githubusercontent.com} (and its enterprise {@code /<slug>} issuers), {@code gitlab.com} and {@code agent.buildkite.com}
   */
  default boolean iamRequiresSubCondition(String issuerUrl) {
    return false;
  }

  /**
   * Returns the claims STS turns into {@code <prefix>:<claim>} condition keys for this issuer.
   *
   * @return the claims STS turns into {@code <prefix>:<claim>} condition keys for this issuer
   */
  List<String> conditionKeyClaims();

  /**
   * Returns an issuer URL of this profile, for examples and messages.
   *
   * @return an issuer URL of this profile, for examples and messages
   */
  String exampleIssuer();

  /**
   * Returns a valid subject, for examples and messages.
   *
   * @return a valid subject, for examples and messages
   */
  String exampleSubject();

  /**
   * Returns a one-line description of the subjects, such as {@code repo:OWNER/REPO:...}.
   *
   * @return a one-line description of the subjects, such as {@code repo:OWNER/REPO:...}
   */
  String subjectShape();

  /**
   * Returns the typed builder call that writes a good {@code sub} rule for this issuer, for
   * messages, such as {@code TrustPolicy.githubActions().repository("acme/app")}.
   *
   * @return the typed builder call that writes a good {@code sub} rule for this issuer, for messages, such as {@code TrustPolicy.githubActions().repository("acme/app")}
   */
  String builderHint();

  /**
   * Returns a note when the pattern has names the issuer writes with their own case while IAM
   * compares exactly (GitHub owners and repositories), if it has.
   *
   * @param pattern the pattern, {@code *} and {@code ?} as IAM wildcards
   * @return a note when the pattern has names the issuer writes with their own case while IAM compares exactly (GitHub owners and repositories), if it has
   */
  default Optional<String> caseNote(String pattern) {
    return Optional.empty();
  }

  /**
   * Splits an exact subject into its named parts ({@code owner}, {@code repository},
   * {@code ref}, {@code organization_id}, ...), or returns empty when it is not a valid subject
   * of this issuer.
   *
   * @param sub the exact subject (the token's {@code sub})
   * @return the named parts, or empty when the subject is not valid for this issuer
   */
  Optional<Subject> parseSubject(String sub);

  /**
   * Judges an IAM subject pattern ({@code *} and {@code ?} wildcards; exact text has none) by
   * this issuer's grammar.
   *
   * @param ignoreCase whether the operator ignores case ({@code StringEqualsIgnoreCase})
   *
   * @param pattern the pattern, {@code *} and {@code ?} as IAM wildcards
   * @return the verdict, with the reason in one sentence and an example subject
   */
  PatternCheck check(String pattern, boolean ignoreCase);

  /**
   * Returns whether the pattern can match at least one valid subject of this issuer.
   *
   * @param pattern the pattern, {@code *} and {@code ?} as IAM wildcards
   * @return whether the pattern can match at least one valid subject of this issuer
   */
  default boolean canMatch(String pattern) {
    return check(pattern, false).verdict() != Verdict.NEVER_MATCHES;
  }

  /**
   * Returns a sibling's subject the pattern also matches, if it has one.
   *
   * @param pattern the pattern, {@code *} and {@code ?} as IAM wildcards
   * @return a sibling's subject the pattern also matches, if it has one
   */
  default Optional<String> matchesSibling(String pattern) {
    PatternCheck c = check(pattern, false);
    return c.verdict() == Verdict.MATCHES_SIBLINGS ? c.example() : Optional.empty();
  }

  /**
   * Returns why the pattern is too broad (every tenant), if it is.
   *
   * @param pattern the pattern, {@code *} and {@code ?} as IAM wildcards
   * @return why the pattern is too broad (every tenant), if it is
   */
  default Optional<String> tooBroad(String pattern) {
    PatternCheck c = check(pattern, false);
    return c.verdict() == Verdict.TOO_BROAD ? Optional.of(c.reason()) : Optional.empty();
  }

  /** A subject split into its parts; {@code form} names the alternative, such as {@code V3}. */
  record Subject(String profileId, String form, Map<String, String> parts) {
    /**
     * Checks the parts are present and copies the map.
     *
     * @param profileId the {@link IssuerProfile#id()} of the issuer whose grammar split it
     * @param form the subject form, such as {@code V3}
     * @param parts the named parts, such as {@code owner} and {@code repository}
     */
    public Subject {
      Objects.requireNonNull(profileId, "profileId");
      Objects.requireNonNull(form, "form");
      parts = Map.copyOf(parts);
    }

    /**
     * Returns a part, such as {@code owner} or {@code project_id}.
     *
     * @param name the part's name in the subject grammar, such as {@code owner}
     * @return a part, such as {@code owner} or {@code project_id}
     */
    public Optional<String> part(String name) {
      return Optional.ofNullable(parts.get(name));
    }
  }

  /** The verdicts of {@link #check(String, boolean)}, from worst to best. */
  enum Verdict {
    /** No valid subject matches: the rule lets nobody in. */
    NEVER_MATCHES,
    /** A wildcard extends a literal name, so another repository or project matches too. */
    MATCHES_SIBLINGS,
    /** A wildcard stands for the whole tenant (owner, organization): every customer matches. */
    TOO_BROAD,
    /** Matches only an older subject form the issuer may stop sending (Ona V2). */
    OTHER_FORM_ONLY,
    /** A wildcard stands for a whole repository or project of one tenant. */
    TENANT_WIDE,
    /** Matches subjects of this issuer and nothing surprising. */
    OK
  }

  /**
   * The judgement of one pattern: the verdict, why in one sentence, and an example subject
   * (for {@link Verdict#MATCHES_SIBLINGS} the sibling it also matches).
   */
  record PatternCheck(Verdict verdict, String reason, Optional<String> example) {
    /**
     * Checks every component is present.
     *
     * @param verdict how the pattern fares
     * @param reason why, in one sentence
     * @param example an example subject the pattern matches, if any
     */
    public PatternCheck {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(example, "example");
    }
  }

  /**
   * Returns the profile of an issuer URL (or provider {@code host/path}); {@code generic} when
   * no profile claims it.
   *
   * @throws PolicyException when the text is not an https issuer URL IAM accepts
   *
   * @param issuerUrl the issuer URL (the token's {@code iss}), such as {@code https://token.actions.githubusercontent.com}
   * @return the profile of an issuer URL (or provider {@code host/path}); {@code generic} when no profile claims it
   */
  static IssuerProfile detect(String issuerUrl) {
    Objects.requireNonNull(issuerUrl, "issuerUrl");
    return Profiles.detectHostPath(Arns.issuerHostPath(issuerUrl));
  }

  /**
   * Returns the profile with the given id, such as {@code github-actions}.
   *
   * @param id a profile id, such as {@code github-actions} or {@code gitlab}
   * @return the profile with the given id, such as {@code github-actions}
   */
  static Optional<IssuerProfile> byId(String id) {
    Objects.requireNonNull(id, "id");
    return Profiles.all().stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /**
   * Returns every profile, {@code generic} last.
   *
   * @return every profile, {@code generic} last
   */
  static List<IssuerProfile> all() {
    return Profiles.all();
  }
}
