package dev.oidcecr.policies.internal.profiles;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Any other issuer: the subject is opaque, so only "matches everything" can be judged. */
final class GenericProfile extends BaseProfile {

  GenericProfile() {
    super("generic", "OIDC");
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return true;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return LEGACY_CLAIMS;
  }

  @Override
  public String exampleIssuer() {
    return "https://idp.example.com";
  }

  @Override
  public String exampleSubject() {
    return "workload-1";
  }

  @Override
  public String subjectShape() {
    return "whatever the issuer writes";
  }

  @Override
  public Optional<Subject> parseSubject(String sub) {
    return sub.isEmpty() ? Optional.empty()
        : Optional.of(new Subject(id(), "opaque", Map.of("sub", sub)));
  }

  @Override
  public PatternCheck check(String pattern, boolean ignoreCase) {
    if (!pattern.isEmpty() && pattern.chars().allMatch(c -> c == '*' || c == '?')
        && pattern.indexOf('*') >= 0) {
      return new PatternCheck(Verdict.TOO_BROAD, "\"" + pattern + "\" matches every subject",
          Optional.of(exampleSubject()));
    }
    return new PatternCheck(Verdict.OK, "the subjects of this issuer are opaque",
        Optional.empty());
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.builder().issuer(url).subjectPattern(\"<the exact sub>\")";
  }
}
