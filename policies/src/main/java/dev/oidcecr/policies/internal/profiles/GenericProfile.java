package dev.oidcecr.policies.internal.profiles;

import dev.oidcecr.policies.IssuerProfile;
import java.util.Map;
import java.util.Optional;

/** Any other issuer: the subject is opaque, so only "matches everything" can be judged. */
final class GenericProfile implements IssuerProfile {

  @Override
  public String id() {
    return "generic";
  }

  @Override
  public String displayName() {
    return "OIDC";
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return true;
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return false;
  }

  @Override
  public java.util.List<String> conditionKeyClaims() {
    return GrammarProfile.LEGACY_CLAIMS;
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
  public String toString() {
    return "IssuerProfile[generic]";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.builder().issuer(url).subjectPattern(\"<the exact sub>\")";
  }
}
