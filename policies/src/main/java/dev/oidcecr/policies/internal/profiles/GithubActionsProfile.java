package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.anyExcept;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.chars;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Alternative;
import dev.oidcecr.policies.internal.profiles.SubGrammar.AltBuilder;
import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * GitHub Actions: issuer {@code https://token.actions.githubusercontent.com} (with
 * {@code /<enterprise-slug>} for an enterprise's own issuer), {@code
 * https://token.actions.<tenant>.ghe.com} on GHE.com and {@code https://HOST/_services/token} on
 * GitHub Enterprise Server.
 *
 * <p>Subjects (https://docs.github.com/en/actions/reference/security/oidc): {@code
 * repo:OWNER/REPO:ref:refs/heads/BRANCH}, {@code ...:ref:refs/tags/TAG}, {@code
 * ...:environment:NAME} (when the job names an environment, instead of the ref) and {@code
 * ...:pull_request}; the immutable form {@code repo:OWNER@OWNER_ID/REPO@REPO_ID:...} (GitHub
 * changelog 2026-04-23, "immutable subject claims"). Names keep GitHub's case and IAM compares
 * them case-sensitively. Custom templates ({@code include_claim_keys}) write other subjects;
 * they are not modelled here.
 *
 * <p>The default issuer is shared by every GitHub customer: IAM refuses trust policies for it
 * that do not check {@code sub} ("Identity-provider controls for shared OIDC providers",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html).
 * Since January 2026 STS also accepts these GitHub claims as condition keys
 * (https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/).
 */
final class GithubActionsProfile extends GrammarProfile {

  static final String HOST = "token.actions.githubusercontent.com";
  private static final Pattern GHE_COM = Pattern.compile("token\\.actions\\.[a-z0-9-]+\\.ghe\\.com");
  private static final List<String> CLAIMS = List.of("aud", "sub", "amr", "actor", "actor_id",
      "job_workflow_ref", "repository", "repository_id", "workflow", "ref", "environment",
      "enterprise_id");

  GithubActionsProfile() {
    super("github-actions", "GitHub Actions", grammar(), Set.of());
  }

  private static SubGrammar grammar() {
    List<Alternative> alts = new ArrayList<>();
    for (boolean immutable : new boolean[] {false, true}) {
      for (int tail = 0; tail < 3; tail++) {
        AltBuilder b = alt(immutable ? "immutable" : "name").lit("repo:")
            .field(chars("owner", Role.TENANT, "A-Za-z0-9-", ""));
        if (immutable) {
          b.lit("@").field(chars("owner_id", Role.TENANT, "0-9", ""));
        }
        b.lit("/").field(chars("repository", Role.SCOPE, "A-Za-z0-9._-", ""));
        if (immutable) {
          b.lit("@").field(chars("repository_id", Role.SCOPE, "0-9", ""));
        }
        switch (tail) {
          case 0 -> b.lit(":ref:refs/").field(anyExcept("ref", Role.NONE, ": ", 1));
          case 1 -> b.lit(":environment:").field(anyExcept("environment", Role.NONE, ":", 1));
          default -> b.lit(":pull_request");
        }
        alts.add(b.build());
      }
    }
    return SubGrammar.of(alts.toArray(Alternative[]::new));
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    int slash = hostPath.indexOf('/');
    String host = slash < 0 ? hostPath : hostPath.substring(0, slash);
    String path = slash < 0 ? "" : hostPath.substring(slash);
    return host.equals(HOST) || GHE_COM.matcher(host).matches()
        || path.endsWith("/_services/token");
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");  // aws-actions/configure-aws-credentials
  }

  @Override
  public boolean iamRequiresSubCondition(String issuerUrl) {
    // AWS's list names the default issuer; IAM applies it to enterprise issuers (/<slug>) too.
    String hostPath = dev.oidcecr.policies.internal.Arns.issuerHostPath(issuerUrl);
    return hostPath.equals(HOST) || hostPath.startsWith(HOST + "/");
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    // An enterprise's own issuer (.../<slug>), GHE.com and GHES are one customer's.
    return dev.oidcecr.policies.internal.Arns.issuerHostPath(issuerUrl).equals(HOST);
  }

  // A custom template (include_claim_keys) writes key:value pairs of GitHub's claims, such as
  // repository_owner_id:1342004:job_workflow_ref:...; those are not judged by the default grammar.
  private static final Pattern CUSTOM_TEMPLATE = Pattern.compile("(?!repo:)[a-z_]+:[^/].*");

  @Override
  public PatternCheck check(String pattern, boolean ignoreCase) {
    PatternCheck c = super.check(pattern, ignoreCase);
    if (c.verdict() == Verdict.NEVER_MATCHES && CUSTOM_TEMPLATE.matcher(pattern).matches()) {
      return new PatternCheck(Verdict.OK, "\"" + pattern + "\" is not a default GitHub subject;"
          + " it matches only if the repository or organization sets a custom sub template"
          + " (include_claim_keys)", Optional.empty());
    }
    return c;
  }

  @Override
  public Optional<String> caseNote(String pattern) {
    if (!pattern.startsWith("repo:")) {
      return Optional.empty();
    }
    int end = pattern.indexOf(':', "repo:".length());
    String names = pattern.substring("repo:".length(), end < 0 ? pattern.length() : end);
    if (names.chars().noneMatch(Character::isUpperCase)) {
      return Optional.empty();
    }
    return Optional.of("GitHub writes \"" + names + "\" in sub exactly as the owner and"
        + " repository are spelled on GitHub, and IAM compares it case-sensitively: a rename"
        + " to other case (or a different spelling in the policy) stops the match");
  }

  @Override
  public List<String> conditionKeyClaims() {
    return CLAIMS;
  }

  @Override
  public String exampleIssuer() {
    return "https://" + HOST;
  }

  @Override
  public String exampleSubject() {
    return "repo:acme/app:ref:refs/heads/main";
  }

  @Override
  public String subjectShape() {
    return "repo:OWNER/REPO:ref:refs/heads/BRANCH, repo:OWNER/REPO:environment:NAME,"
        + " repo:OWNER/REPO:pull_request (or repo:OWNER@ID/REPO@ID:...)";
  }

  @Override
  String tenantWord() {
    return "owner";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.githubActions().repository(\"acme/app\").branch(\"main\") (repo:acme/app:ref:refs/heads/main)";
  }
}
