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
   */
  String id();

  /** Returns the product name for messages, such as {@code GitHub Actions}. */
  String displayName();

  /** Returns whether a provider {@code host/path} (as in an OIDC provider ARN) is this issuer's. */
  boolean matchesHostPath(String hostPath);

  /** Returns whether the issuer URL (the token's {@code iss}) is this issuer's. */
  default boolean matchesIssuer(String issuerUrl) {
    return matchesHostPath(Arns.issuerHostPath(issuerUrl));
  }

  /**
   * Returns the prefix of this issuer's condition keys, the provider's {@code host/path} as IAM
   * derives it: {@code token.actions.githubusercontent.com} for
   * {@code token.actions.githubusercontent.com:sub}.
   */
  default String conditionKeyPrefix(String issuerUrl) {
    return Arns.issuerHostPath(issuerUrl);
  }

  /**
   * Returns the audience tokens carry for AWS when nobody chooses another, if the issuer has
   * one: {@code sts.amazonaws.com} for most, the organization id for CircleCI, none for GitLab
   * (whatever {@code id_tokens:} sets) and Bitbucket (the workspace UUID, not in the URL).
   */
  Optional<String> defaultAudience(String issuerUrl);

  /**
   * Returns whether many customers share the issuer URL, so that only {@code sub} (or another
   * claim) tells one customer's tokens from another's; IAM refuses to create or update a trust
   * policy for such an issuer that does not check {@code sub}.
   */
  boolean sharedIssuer(String issuerUrl);

  /** Returns the claims STS turns into {@code <prefix>:<claim>} condition keys for this issuer. */
  List<String> conditionKeyClaims();

  /** Returns an issuer URL of this profile, for examples and messages. */
  String exampleIssuer();

  /** Returns a valid subject, for examples and messages. */
  String exampleSubject();

  /** Returns a one-line description of the subjects, such as {@code repo:OWNER/REPO:...}. */
  String subjectShape();

  /**
   * Returns the typed builder call that writes a good {@code sub} rule for this issuer, for
   * messages, such as {@code TrustPolicy.githubActions().repository("acme/app")}.
   */
  String builderHint();

  /**
   * Returns a note when the pattern has names the issuer writes with their own case while IAM
   * compares exactly (GitHub owners and repositories), if it has.
   */
  default Optional<String> caseNote(String pattern) {
    return Optional.empty();
  }

  /**
   * Splits an exact subject into its named parts ({@code owner}, {@code repository},
   * {@code ref}, {@code organization_id}, ...), or returns empty when it is not a valid subject
   * of this issuer.
   */
  Optional<Subject> parseSubject(String sub);

  /**
   * Judges an IAM subject pattern ({@code *} and {@code ?} wildcards; exact text has none) by
   * this issuer's grammar.
   *
   * @param ignoreCase whether the operator ignores case ({@code StringEqualsIgnoreCase})
   */
  PatternCheck check(String pattern, boolean ignoreCase);

  /** Returns whether the pattern can match at least one valid subject of this issuer. */
  default boolean canMatch(String pattern) {
    return check(pattern, false).verdict() != Verdict.NEVER_MATCHES;
  }

  /** Returns a sibling's subject the pattern also matches, if it has one. */
  default Optional<String> matchesSibling(String pattern) {
    PatternCheck c = check(pattern, false);
    return c.verdict() == Verdict.MATCHES_SIBLINGS ? c.example() : Optional.empty();
  }

  /** Returns why the pattern is too broad (every tenant), if it is. */
  default Optional<String> tooBroad(String pattern) {
    PatternCheck c = check(pattern, false);
    return c.verdict() == Verdict.TOO_BROAD ? Optional.of(c.reason()) : Optional.empty();
  }

  /** A subject split into its parts; {@code form} names the alternative, such as {@code V3}. */
  record Subject(String profileId, String form, Map<String, String> parts) {
    public Subject {
      Objects.requireNonNull(profileId, "profileId");
      Objects.requireNonNull(form, "form");
      parts = Map.copyOf(parts);
    }

    /** Returns a part, such as {@code owner} or {@code project_id}. */
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
   */
  static IssuerProfile detect(String issuerUrl) {
    Objects.requireNonNull(issuerUrl, "issuerUrl");
    return Profiles.detectHostPath(Arns.issuerHostPath(issuerUrl));
  }

  /** Returns the profile with the given id, such as {@code github-actions}. */
  static Optional<IssuerProfile> byId(String id) {
    Objects.requireNonNull(id, "id");
    return Profiles.all().stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /** Returns every profile, {@code generic} last. */
  static List<IssuerProfile> all() {
    return Profiles.all();
  }
}
