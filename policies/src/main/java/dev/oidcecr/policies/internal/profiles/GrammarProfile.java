package dev.oidcecr.policies.internal.profiles;

import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.internal.profiles.SubGrammar.Analysis;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The part every profile shares: judging patterns by a {@link SubGrammar}. */
abstract class GrammarProfile implements IssuerProfile {

  /** The claims STS turns into condition keys for every OIDC issuer (where the token has them). */
  static final List<String> STANDARD_CLAIMS = List.of("aud", "sub", "amr");

  /**
   * The keys this library has always put in the context for Gitpod and unknown issuers: the
   * standard ones plus {@code azp} and {@code email}, which IAM documents for some providers.
   */
  static final List<String> LEGACY_CLAIMS = List.of("aud", "sub", "azp", "amr", "email");

  private final String id;
  private final String displayName;
  private final SubGrammar grammar;
  private final Set<String> legacyForms;

  GrammarProfile(String id, String displayName, SubGrammar grammar, Set<String> legacyForms) {
    this.id = id;
    this.displayName = displayName;
    this.grammar = grammar;
    this.legacyForms = legacyForms;
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final String displayName() {
    return displayName;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return STANDARD_CLAIMS;
  }

  @Override
  public Optional<Subject> parseSubject(String sub) {
    return grammar.parse(sub).map(p -> new Subject(id, p.label(), p.fields()));
  }

  /** Returns why a pattern never matches for a reason the grammar does not see, if any. */
  Optional<String> neverMatchesBecause(String pattern) {
    return Optional.empty();
  }

  /** Returns the word for the tenant in messages, such as {@code owner}. */
  abstract String tenantWord();

  @Override
  public IssuerProfile.PatternCheck check(String pattern, boolean ignoreCase) {
    Optional<String> special = neverMatchesBecause(pattern);
    if (special.isPresent()) {
      return new PatternCheck(Verdict.NEVER_MATCHES, special.get(), Optional.empty());
    }
    List<Analysis> all = grammar.analyse(pattern, ignoreCase);
    List<Analysis> matching = all.stream().filter(Analysis::matchesSome).toList();
    if (matching.isEmpty()) {
      return new PatternCheck(Verdict.NEVER_MATCHES, "\"" + pattern + "\" can never match the sub"
          + " of a " + displayName + " token: subjects look like " + subjectShape()
          + hintForNever(pattern), Optional.empty());
    }
    for (Analysis a : matching) {
      if (a.sibling().isPresent()) {
        return new PatternCheck(Verdict.MATCHES_SIBLINGS, "\"" + pattern + "\" has a wildcard"
            + " inside the " + a.sibling().get().field() + " name, so it also matches"
            + " siblings such as " + a.sibling().get().example(),
            Optional.of(a.sibling().get().example()));
      }
    }
    for (Analysis a : matching) {
      if (a.wildTenant().isPresent()) {
        return new PatternCheck(Verdict.TOO_BROAD, "\"" + pattern + "\" leaves the "
            + a.wildTenant().get() + " to a wildcard, so tokens of every " + tenantWord()
            + " of " + displayName + " match, such as " + a.example().get(), a.example());
      }
    }
    if (!legacyForms.isEmpty()
        && matching.stream().allMatch(a -> legacyForms.contains(a.label()))) {
      List<String> current = grammar.alternatives().stream().map(SubGrammar.Alternative::label)
          .filter(l -> !legacyForms.contains(l)).distinct().toList();
      return new PatternCheck(Verdict.OTHER_FORM_ONLY, "\"" + pattern + "\" matches only "
          + matching.get(0).label() + " subjects (such as " + matching.get(0).example().get()
          + "); once the organization issues " + String.join("/", current) + " tokens, "
          + displayName + " sends " + subjectShape() + ", which it never matches",
          matching.get(0).example());
    }
    for (Analysis a : matching) {
      if (a.wildScope().isPresent()) {
        return new PatternCheck(Verdict.TENANT_WIDE, "\"" + pattern + "\" leaves the "
            + a.wildScope().get() + " to a wildcard, so every " + a.wildScope().get()
            + " of the " + tenantWord() + " matches, such as " + a.example().get(), a.example());
      }
    }
    return new PatternCheck(Verdict.OK, "\"" + pattern + "\" matches " + displayName
        + " subjects such as " + matching.get(0).example().get(), matching.get(0).example());
  }

  /** Returns a sentence (starting with ". ") on why a pattern of the wrong shape was written. */
  String hintForNever(String pattern) {
    if (pattern.startsWith("https://") || pattern.startsWith("http")) {
      return ". It is a URL, the subject form of Gitpod Classic, not of " + displayName + ".";
    }
    return ".";
  }

  @Override
  public String toString() {
    return "IssuerProfile[" + id + "]";
  }
}
