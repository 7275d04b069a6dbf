package dev.oidcecr.policies.internal;

import dev.oidcecr.policies.Condition;
import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.ConditionOperator.Base;
import dev.oidcecr.policies.ConditionOperator.Family;
import dev.oidcecr.policies.ConditionOperator.SetQualifier;
import dev.oidcecr.policies.Effect;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.Finding.Severity;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.LintRule;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.Principal;
import dev.oidcecr.policies.Statement;
import dev.oidcecr.policies.internal.profiles.Profiles;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules behind {@code PolicyLinter}; one pass over the document, findings in order. */
public final class LintEngine {

  private static final String WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";
  private static final Set<String> WEB_IDENTITY_COMPANIONS =
      Set.of("sts:tagsession", "sts:setsourceidentity");
  private static final Pattern SID = Pattern.compile("[A-Za-z0-9]*");
  private static final Set<String> BUILT_IN_WEB_IDENTITY_PROVIDERS = Set.of(
      "cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com",
      "www.amazon.com");
  /** Issuers whose subjects are not Gitpod context URLs: the Gitpod subject rules skip them. */
  private static final List<String> OTHER_ISSUER_PREFIXES = List.of(
      "token.actions.githubusercontent.com", "vstoken.actions.githubusercontent.com",
      "gitlab.com", "app.terraform.io", "oidc.circleci.com", "oidc.eks.", "accounts.google.com",
      "api.bitbucket.org", "vstoken.dev.azure.com", "agent.buildkite.com",
      "cognito-identity.amazonaws.com");

  private final PolicyDocument policy;
  private final PolicyKind kind;
  private final int quota;
  private final List<Finding> findings = new ArrayList<>();

  private LintEngine(PolicyDocument policy, PolicyKind kind, int quota) {
    this.policy = policy;
    this.kind = kind;
    this.quota = quota;
  }

  /** Returns the findings for the policy used as the given kind with the given size quota. */
  public static List<Finding> lint(PolicyDocument policy, PolicyKind kind, int quota) {
    LintEngine engine = new LintEngine(policy, kind, quota);
    engine.run();
    return List.copyOf(engine.findings);
  }

  private void add(LintRule rule, String location, String message, String fix) {
    findings.add(Finding.of(rule, location, message, fix));
  }

  private void add(LintRule rule, Severity severity, String location, String message,
      String fix) {
    findings.add(Finding.of(rule, severity, location, message, fix));
  }

  private void run() {
    checkVersion();
    checkSize();
    if (policy.statements().isEmpty()) {
      add(LintRule.NO_STATEMENTS, "/Statement", "The policy has no statement, so it allows"
          + " nothing.", "Add at least one statement.");
    }
    Map<String, Integer> sids = new HashMap<>();
    for (int i = 0; i < policy.statements().size(); i++) {
      Statement s = policy.statements().get(i);
      String at = "/Statement/" + i;
      checkSid(s, at, i, sids);
      checkElements(s, at);
      checkConditions(s, at);
      if (kind == PolicyKind.TRUST) {
        checkTrust(s, at);
      }
      if (kind == PolicyKind.REPOSITORY) {
        checkRepository(s, at);
      }
    }
  }

  // ---------------------------------------------------------------- document

  private void checkVersion() {
    Optional<String> version = policy.version();
    if (version.isEmpty()) {
      add(LintRule.VERSION_MISSING, "", "The policy has no Version, so IAM reads it as the legacy"
              + " 2008-10-17 language, where policy variables such as ${aws:username} are plain"
              + " text.",
          "Add \"Version\": \"2012-10-17\".");
    } else if (version.get().equals(PolicyDocument.VERSION_2008_10_17)) {
      add(LintRule.VERSION_LEGACY, "/Version", "Version 2008-10-17 is the legacy policy"
              + " language.",
          "Use \"Version\": \"2012-10-17\".");
    } else if (!version.get().equals(PolicyDocument.VERSION_2012_10_17)) {
      add(LintRule.VERSION_INVALID, "/Version", "Version \"" + version.get() + "\" is not a"
              + " policy language version; IAM accepts only 2012-10-17 and 2008-10-17 (it is"
              + " not the date you wrote the policy).",
          "Use \"Version\": \"2012-10-17\".");
    }
  }

  private void checkSize() {
    int size = policy.quotaSize();
    if (size <= quota) {
      return;
    }
    String what;
    String fix;
    switch (kind) {
      case TRUST -> {
        what = "trust policy";
        fix = "Shorten the subject list (for example organization(url) instead of many"
            + " repositories, or one pattern per repository) or ask AWS for the trust policy"
            + " quota increase (up to 4096) and lint with trustPolicyQuota(4096).";
      }
      case IDENTITY -> {
        what = "inline identity policy";
        fix = "Use repository ARN prefixes with a trailing * or split the policy into managed"
            + " policies.";
      }
      default -> {
        what = "repository policy";
        fix = "Merge statements with the same actions, or grant whole accounts or an"
            + " organization instead of single roles.";
      }
    }
    add(LintRule.POLICY_TOO_LARGE, "", "The " + what + " is " + size + " characters without"
        + " whitespace, over the quota of " + quota + ".", fix);
  }

  // ---------------------------------------------------------------- statement grammar

  private void checkSid(Statement s, String at, int index, Map<String, Integer> sids) {
    if (s.sid().isEmpty()) {
      return;
    }
    String sid = s.sid().get();
    if (!SID.matcher(sid).matches()) {
      add(LintRule.SID_INVALID, at + "/Sid", "Sid \"" + sid + "\" has characters other than"
              + " ASCII letters and digits, which IAM rejects.",
          "Use a Sid such as \"" + sid.replaceAll("[^A-Za-z0-9]", "") + "\", or remove it.");
    }
    Integer first = sids.putIfAbsent(sid, index);
    if (first != null) {
      add(LintRule.SID_DUPLICATE, at + "/Sid", "Sid \"" + sid + "\" is also the Sid of statement "
              + first + "; Sids must be unique within a policy.",
          "Rename one of the statements.");
    }
  }

  private void checkElements(Statement s, String at) {
    boolean hasPrincipal = s.principal().isPresent() || s.notPrincipal().isPresent();
    String principalAt = at + (s.principal().isPresent() ? "/Principal" : "/NotPrincipal");
    if (kind == PolicyKind.IDENTITY && hasPrincipal) {
      add(LintRule.PRINCIPAL_NOT_ALLOWED, principalAt, "An identity policy applies to whoever it"
              + " is attached to and cannot have a Principal or NotPrincipal; IAM rejects it.",
          "Remove the element, or put the statement in a trust or resource policy.");
    }
    if (kind != PolicyKind.IDENTITY && !hasPrincipal) {
      add(LintRule.PRINCIPAL_MISSING, at, "A " + kindName() + " needs a Principal in every"
              + " statement; IAM rejects a statement without one.",
          kind == PolicyKind.TRUST
              ? "Add the principal that may assume the role, such as {\"Federated\":"
                  + " \"arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp\"}."
              : "Add the principals that may use the repository, such as {\"AWS\":"
                  + " \"arn:aws:iam::210987654321:root\"}.");
    }
    if (s.notPrincipal().isPresent() && s.effect() == Effect.ALLOW
        && kind != PolicyKind.IDENTITY) {
      add(LintRule.NOT_PRINCIPAL_WITH_ALLOW, at + "/NotPrincipal", "NotPrincipal with Allow"
              + " grants everybody except the listed principals, anonymous callers included.",
          "Use Principal with the principals you mean to allow.");
    }
    if (kind != PolicyKind.IDENTITY) {
      if (!s.resources().isEmpty() || !s.notResources().isEmpty()) {
        add(LintRule.RESOURCE_NOT_ALLOWED,
            at + (s.resources().isEmpty() ? "/NotResource" : "/Resource"),
            kind == PolicyKind.TRUST
                ? "A trust policy cannot have Resource or NotResource: the role is the resource."
                : "ECR rejects a repository policy with Resource or NotResource: the repository"
                    + " is the resource.",
            "Remove the element.");
      }
    } else if (s.resources().isEmpty() && s.notResources().isEmpty()) {
      add(LintRule.RESOURCE_MISSING, at, "An identity policy statement needs a Resource (or"
              + " NotResource); IAM rejects it without one.",
          "Add the resources the actions apply to, such as"
              + " \"arn:aws:ecr:eu-west-1:123456789012:repository/acme/app\" (or \"*\" for"
              + " ecr:GetAuthorizationToken).");
    }
    if (s.actions().isEmpty() && s.notActions().isEmpty()) {
      add(LintRule.ACTION_MISSING, at, "The statement has neither Action nor NotAction; IAM"
              + " rejects it.",
          "Add the actions, such as \"ecr:BatchGetImage\".");
    }
  }

  private void checkConditions(Statement s, String at) {
    for (Condition c : s.conditions()) {
      ConditionOperator op = c.operator();
      String cAt = conditionAt(at, c);
      if (c.values().isEmpty()) {
        add(LintRule.CONDITION_NO_VALUES, cAt, "Condition " + op + " on " + c.key()
            + " has no value.", "Give at least one value, or remove the condition.");
      }
      if (op.base() == Base.NULL && op.ifExists()) {
        add(LintRule.NULL_WITH_IF_EXISTS, at + "/Condition/" + escape(op.jsonName()),
            "The Null operator cannot have IfExists (" + op + "); IAM rejects it.",
            "Use Null without IfExists: Null already tests whether the key exists.");
      }
      if (op.base().family() == Family.STRING && !op.base().supportsWildcards()) {
        for (int j = 0; j < c.values().size(); j++) {
          String v = c.values().get(j);
          if (hasWildcard(v)) {
            boolean sub = isProviderClaimKey(c.key(), "sub");
            add(LintRule.WILDCARD_WITHOUT_LIKE, sub ? Severity.ERROR : Severity.WARNING,
                valueAt(cAt, c, j), "Value \"" + v + "\" of " + op + " on " + c.key()
                    + " contains * or ?, which " + op + " compares literally, so it matches"
                    + " only that exact text" + (sub ? " and no workspace's subject." : "."),
                "Use " + likeOf(op) + " for patterns, or remove the wildcard.");
          }
        }
      }
      boolean claimKey = isProviderClaimKey(c.key(), "sub") || isProviderClaimKey(c.key(), "aud");
      if (op.qualifier() == SetQualifier.FOR_ALL_VALUES && s.effect() == Effect.ALLOW
          && claimKey) {
        String plain = op.jsonName().substring("ForAllValues:".length());
        add(LintRule.TRUST_FOR_ALL_VALUES_ON_CLAIM, cAt, op + " on " + c.key() + " is true for"
                + " a token without the claim (and for a misspelled key), and sub is"
                + " single-valued: the condition does not restrict the role the way it reads.",
            "Use " + plain + " on " + c.key() + " (for an aud array a plain operator is true"
                + " when any of the token's audiences matches).");
      } else if (op.qualifier() == SetQualifier.FOR_ALL_VALUES && s.effect() == Effect.ALLOW
          && !hasNullFalse(s, c.key())) {
        add(LintRule.FOR_ALL_VALUES_WITH_ALLOW, cAt, op + " on " + c.key() + " is true when"
                + " the request has no " + c.key() + " at all, so this Allow also applies to"
                + " requests without the key.",
            "Add a condition \"Null\": {\"" + c.key() + "\": \"false\"}, or use ForAnyValue.");
      }
    }
  }

  // ---------------------------------------------------------------- trust policies

  private void checkTrust(Statement s, String at) {
    if (s.effect() != Effect.ALLOW || s.principal().isEmpty()) {
      return;
    }
    Principal p = s.principal().get();
    if (p.isWildcard() || p.aws().contains("*")) {
      add(LintRule.TRUST_PRINCIPAL_WILDCARD, wildcardPrincipalAt(at, p),
          "Principal \"*\" lets anyone, in any account, assume the role when the conditions"
              + " hold.",
          "Name the principal: for Gitpod workspaces the OIDC provider, {\"Federated\":"
              + " \"arn:aws:iam::<account>:oidc-provider/services.<domain>/idp\"}.");
      return;
    }
    List<String> providers = new ArrayList<>();
    for (int j = 0; j < p.federated().size(); j++) {
      String f = p.federated().get(j);
      String fAt = valueAt(at + "/Principal/Federated", p.federated(), j);
      Optional<Arns.ProviderArn> arn = Arns.parseOidcProviderArn(f);
      if (arn.isPresent() && !arn.get().hostPath().contains("://")) {
        providers.add(arn.get().hostPath());
      } else if (arn.isPresent()) {
        add(LintRule.TRUST_FEDERATED_NOT_OIDC_PROVIDER, fAt, "The provider ARN \"" + f
                + "\" contains a URL scheme; IAM provider ARNs end with the issuer's host and"
                + " path only, so this principal never matches.",
            "Use \"" + f.replaceFirst("oidc-provider/[a-zA-Z]+://", "oidc-provider/") + "\".");
      } else if (isSamlOnly(f, s)) {
        continue;
      } else if (BUILT_IN_WEB_IDENTITY_PROVIDERS.contains(f)) {
        add(LintRule.TRUST_FEDERATED_NOT_OIDC_PROVIDER, Severity.WARNING, fAt, "\"" + f
                + "\" is a built-in web identity provider, not an IAM OIDC provider such as a"
                + " Gitpod installation.",
            "For Gitpod use \"arn:aws:iam::<account>:oidc-provider/services.<domain>/idp\".");
      } else {
        add(LintRule.TRUST_FEDERATED_NOT_OIDC_PROVIDER, fAt, "Federated principal \"" + f
                + "\" is not an OIDC provider ARN, so no web identity token matches it.",
            "Use \"arn:aws:iam::<12-digit account>:oidc-provider/<issuer host and path>\", such"
                + " as arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp.");
      }
    }
    checkTrustActions(s, at, p, !providers.isEmpty());
    if (!providers.isEmpty()) {
      checkOidcConditions(s, at, providers);
    }
  }

  private static boolean isSamlOnly(String federated, Statement s) {
    return federated.contains(":saml-provider/") && !s.actions().isEmpty()
        && s.actions().stream().noneMatch(a -> matches(a, WEB_IDENTITY, true));
  }

  private void checkTrustActions(Statement s, String at, Principal p, boolean oidc) {
    List<String> actions = s.actions();
    if (oidc) {
      for (int j = 0; j < actions.size(); j++) {
        String a = actions.get(j);
        if (matches(a, WEB_IDENTITY, true)
            || WEB_IDENTITY_COMPANIONS.contains(a.toLowerCase(Locale.ROOT))) {
          continue;
        }
        add(LintRule.TRUST_ACTION_MISMATCH, valueAt(at + "/Action", actions, j), "Action \"" + a
                + "\" does not go with a Federated OIDC principal: web identity tokens are"
                + " exchanged only with " + WEB_IDENTITY + ".",
            "Use \"Action\": \"" + WEB_IDENTITY + "\".");
      }
    } else if (p.federated().isEmpty()) {
      for (int j = 0; j < actions.size(); j++) {
        if (actions.get(j).equalsIgnoreCase(WEB_IDENTITY)) {
          add(LintRule.TRUST_ACTION_MISMATCH, valueAt(at + "/Action", actions, j), WEB_IDENTITY
                  + " needs a Federated principal (the OIDC provider); with "
                  + principalTypes(p) + " principals it never applies.",
              "Use {\"Federated\": \"arn:aws:iam::<account>:oidc-provider/<host/path>\"} as the"
                  + " principal, or sts:AssumeRole for AWS principals.");
        }
      }
    }
  }

  private void checkOidcConditions(Statement s, String at, List<String> providers) {
    Map<String, Boolean> hasSub = new HashMap<>();
    Map<String, Boolean> hasAud = new HashMap<>();
    for (Condition c : s.conditions()) {
      String key = c.key();
      int colon = key.lastIndexOf(':');
      if (colon <= 0) {
        continue;
      }
      String prefix = key.substring(0, colon);
      String claim = key.substring(colon + 1).toLowerCase(Locale.ROOT);
      if (!isProviderPrefix(prefix)) {
        continue;
      }
      String provider = providers.stream().filter(h -> h.equalsIgnoreCase(prefix)).findFirst()
          .orElse(null);
      String cAt = conditionAt(at, c);
      if (provider == null) {
        add(LintRule.TRUST_CONDITION_KEY_OTHER_PROVIDER, cAt, "Condition key \"" + key
                + "\" belongs to the provider " + prefix + ", but the statement's principal is "
                + String.join(", ", providers) + "; tokens of that principal never carry the"
                + " key.",
            "Use the principal's keys, such as \"" + providers.get(0) + ":" + claim + "\".");
        continue;
      }
      boolean positive = !c.operator().base().isNegated() && c.operator().base() != Base.NULL
          && !c.values().isEmpty();
      if (positive && claim.equals("sub")) {
        hasSub.put(provider, true);
        IssuerProfile profile = Profiles.detectHostPath(provider);
        if (profile.id().equals("gitpod") || profile.id().equals("generic")) {
          // Context URLs keep their finer segment-based rules (and unknown issuers are checked
          // as if they might be a Gitpod installation).
          checkSubValues(c, cAt, provider);
        } else {
          checkSubValuesByProfile(c, cAt, provider, profile);
        }
      }
      if (positive && claim.equals("aud")) {
        hasAud.put(provider, true);
      }
    }
    for (String provider : providers) {
      IssuerProfile profile = Profiles.detectHostPath(provider);
      String issuer = "https://" + provider;
      if (!hasSub.containsKey(provider)) {
        if (profile.iamRequiresSubCondition(issuer)) {
          add(LintRule.TRUST_NO_SUB_CONDITION, at, "IAM refuses this policy: " + provider
                  + " is an OIDC issuer every " + profile.displayName() + " customer shares,"
                  + " and IAM rejects CreateRole and UpdateAssumeRolePolicy for a trust policy"
                  + " of a shared issuer that does not check " + provider + ":sub (without"
                  + " it any " + profile.displayName() + " customer's token could assume the"
                  + " role).",
              "Add a " + provider + ":sub condition; " + profile.builderHint() + " writes one.");
        } else if (profile.sharedIssuer(issuer)) {
          add(LintRule.TRUST_NO_SUB_CONDITION, at, "The statement has no condition on "
                  + provider + ":sub, and " + provider + " is an OIDC issuer every "
                  + profile.displayName() + " customer shares: any " + profile.displayName()
                  + " customer's token could assume the role. (IAM accepts this policy, since"
                  + " the issuer is not on AWS's list of shared providers.)",
              "Add a " + provider + ":sub condition; " + profile.builderHint() + " writes one.");
        } else if (profile.id().equals("gitpod") || profile.id().equals("generic")) {
          add(LintRule.TRUST_NO_SUB_CONDITION, at, "The statement has no condition on "
                  + provider + ":sub, so any workspace of any user of the installation (any"
                  + " token of " + provider + ") can assume the role.",
              "Add \"StringLike\": {\"" + provider + ":sub\": [\"https://github.com/acme/app\","
                  + " \"https://github.com/acme/app/*\"]} for one repository with all its"
                  + " branches (TrustPolicy.builder().repository(url) writes it).");
        } else {
          add(LintRule.TRUST_NO_SUB_CONDITION, at, "The statement has no condition on "
                  + provider + ":sub, so any token of " + provider + " (any "
                  + profile.displayName() + " job of the issuer) can assume the role.",
              "Add a " + provider + ":sub condition; " + profile.builderHint() + " writes one.");
        }
      }
      if (!hasAud.containsKey(provider)) {
        String aud = profile.defaultAudience(issuer).orElse("<the aud your tokens carry>");
        add(LintRule.TRUST_NO_AUD_CONDITION, at, "The statement has no condition on "
                + provider + ":aud, so tokens issued for any of the provider's client ids"
                + " are accepted.",
            "Add \"StringEquals\": {\"" + provider + ":aud\": \"" + aud + "\"}.");
      }
    }
  }

  private void checkSubValuesByProfile(Condition c, String cAt, String provider,
      IssuerProfile profile) {
    ConditionOperator op = c.operator();
    if (op.base().family() != Family.STRING) {
      return;
    }
    boolean like = op.base().supportsWildcards();
    for (int j = 0; j < c.values().size(); j++) {
      String v = c.values().get(j);
      String vAt = valueAt(cAt, c, j);
      if (!like && hasWildcard(v)) {
        continue;  // WILDCARD_WITHOUT_LIKE already says why this never matches
      }
      if (like && v.indexOf('*') >= 0 && v.chars().allMatch(ch -> ch == '*' || ch == '?')) {
        add(LintRule.TRUST_SUB_WILDCARD_ALL, vAt, "Subject pattern \"" + v + "\" matches every"
                + " token of " + provider + ": any " + profile.displayName() + " job of the"
                + " issuer can assume the role.",
            "Name what may assume the role: " + profile.builderHint() + ".");
        continue;
      }
      // A literal under StringEquals is a pattern without wildcards: the grammar judges both.
      String pattern = like ? v : v.replace("*", "").replace("?", "");
      IssuerProfile.PatternCheck check = profile.check(pattern, op.base().ignoresCase());
      String fix = "Use " + profile.builderHint() + ".";
      switch (check.verdict()) {
        case NEVER_MATCHES -> add(LintRule.TRUST_SUB_NEVER_MATCHES, vAt, "Subject "
            + check.reason(), fix);
        case MATCHES_SIBLINGS -> add(LintRule.TRUST_SUB_MATCHES_SIBLINGS, vAt, "Subject pattern "
            + check.reason() + ".", "End the name before the wildcard with its separator"
                + " (such as repo:acme/app:* instead of repo:acme/app*). " + fix);
        case TOO_BROAD -> add(LintRule.TRUST_SUB_TOO_BROAD, vAt, "Subject pattern "
            + check.reason() + ".", fix);
        case OTHER_FORM_ONLY -> add(LintRule.TRUST_SUB_OTHER_TOKEN_VERSION, vAt, "Subject "
            + check.reason() + ".", "Add the current form too (or instead): " + fix);
        case TENANT_WIDE -> add(LintRule.TRUST_SUB_ORG_WIDE, vAt, "Subject pattern "
            + check.reason() + ".", "If that is not on purpose, name the repository or"
                + " project: " + fix);
        default -> { }
      }
      if (!op.base().ignoresCase()) {
        profile.caseNote(v).ifPresent(note -> add(LintRule.TRUST_SUB_CASE_SENSITIVE, vAt,
            note + ".", "Copy the names from the token's sub (or the repository page), or"
                + " match the immutable ids: TrustPolicy.githubActions().repository(..)"
                + ".immutableIds(ownerId, repositoryId)."));
      }
    }
  }

  private void checkSubValues(Condition c, String cAt, String provider) {
    ConditionOperator op = c.operator();
    if (op.base().family() != Family.STRING) {
      return;
    }
    boolean like = op.base().supportsWildcards();
    boolean ignoreCase = op.base().ignoresCase();
    Severity neverSeverity = gitpodShape(provider);
    for (int j = 0; j < c.values().size(); j++) {
      String v = c.values().get(j);
      String vAt = valueAt(cAt, c, j);
      boolean pattern = like && hasWildcard(v);
      if (!like && hasWildcard(v)) {
        continue;  // WILDCARD_WITHOUT_LIKE already says why this never matches
      }
      if (pattern && v.indexOf('*') >= 0 && v.chars().allMatch(ch -> ch == '*' || ch == '?')) {
        add(LintRule.TRUST_SUB_WILDCARD_ALL, vAt, "Subject pattern \"" + v + "\" matches every"
                + " token of " + provider + ": any workspace of any user can assume the role.",
            "Restrict it to a repository: [\"https://github.com/acme/app\","
                + " \"https://github.com/acme/app/*\"].");
        continue;
      }
      if (neverSeverity != null && !canMatchGitpodSubject(v, pattern, ignoreCase)) {
        String github = v.startsWith("repo:")
            ? " It is a GitHub Actions subject; Gitpod subjects are context URLs such as"
                + " https://github.com/acme/app/pull/1."
            : " Gitpod subjects are https context URLs (or no-context).";
        add(LintRule.TRUST_SUB_NEVER_MATCHES, neverSeverity, vAt, "Subject \"" + v
                + "\" can never match the sub of a token from " + provider + "." + github,
            "Use the repository URL and its sub-paths: [\"https://github.com/acme/app\","
                + " \"https://github.com/acme/app/*\"].");
        continue;
      }
      if (pattern && v.startsWith("https://")) {
        checkSubPatternScope(v, vAt);
      }
    }
  }

  private void checkSubPatternScope(String v, String vAt) {
    String rest = v.substring("https://".length());
    int w = firstWildcard(rest);
    int segment = (int) rest.substring(0, w).chars().filter(ch -> ch == '/').count();
    boolean wholeSegment = w == 0 || rest.charAt(w - 1) == '/';
    String literal = v.substring(0, "https://".length() + w);
    if (!wholeSegment) {
      String example = literal + "-evil";
      add(LintRule.TRUST_SUB_MATCHES_SIBLINGS, segment <= 2 ? Severity.ERROR : Severity.WARNING,
          vAt, "Subject pattern \"" + v + "\" has a wildcard inside a name, so it also matches"
              + " siblings such as " + example + (segment <= 2
                  ? " (another repository or owner)." : " (another project, branch or request)."),
          "If you meant the one repository " + literal + ", match it and its sub-paths"
              + " only: [\"" + literal + "\", \"" + literal + "/*\"].");
    } else if (segment <= 1) {
      add(LintRule.TRUST_SUB_TOO_BROAD, vAt, "Subject pattern \"" + v + "\" has a wildcard in"
              + (segment == 0 ? " the host, so it matches workspaces of any host"
                  : " the owner, so it matches workspaces of every owner's repositories")
              + ".",
          "Name the organization (https://github.com/acme/*) or the repository"
              + " ([\"https://github.com/acme/app\", \"https://github.com/acme/app/*\"]).");
    }
  }

  /** Returns ERROR for Gitpod-looking issuers, WARNING for unknown ones, null for others. */
  private static Severity gitpodShape(String hostPath) {
    String lower = hostPath.toLowerCase(Locale.ROOT);
    if (lower.endsWith("/idp")) {
      return Severity.ERROR;
    }
    for (String other : OTHER_ISSUER_PREFIXES) {
      if (lower.startsWith(other)) {
        return null;
      }
    }
    return Severity.WARNING;
  }

  private static boolean canMatchGitpodSubject(String v, boolean pattern, boolean ignoreCase) {
    String value = ignoreCase ? v.toLowerCase(Locale.ROOT) : v;
    if (!pattern) {
      return value.startsWith("https://") || value.equals("no-context");
    }
    return matches(value, "no-context", false) || canStartWith(value, "https://");
  }

  /**
   * Returns whether the wildcard pattern matches some text that starts with the prefix: the
   * pattern can consume the whole prefix, and whatever pattern is left matches some rest.
   */
  static boolean canStartWith(String pattern, String prefix) {
    BitSet states = new BitSet(pattern.length() + 1);
    states.set(0);
    for (int k = 0; k < prefix.length() && !states.isEmpty(); k++) {
      char c = prefix.charAt(k);
      BitSet next = new BitSet(pattern.length() + 1);
      BitSet current = skipStars(pattern, states);
      for (int i = current.nextSetBit(0); i >= 0 && i < pattern.length();
          i = current.nextSetBit(i + 1)) {
        char p = pattern.charAt(i);
        if (p == '*') {
          next.set(i);
        } else if (p == '?' || p == c) {
          next.set(i + 1);
        }
      }
      states = next;
    }
    return !states.isEmpty();
  }

  /** Adds the states reached by letting each {@code *} match nothing. */
  private static BitSet skipStars(String pattern, BitSet states) {
    BitSet closed = (BitSet) states.clone();
    for (int i = closed.nextSetBit(0); i >= 0 && i < pattern.length();
        i = closed.nextSetBit(i + 1)) {
      if (pattern.charAt(i) == '*') {
        closed.set(i + 1);
      }
    }
    return closed;
  }

  // ---------------------------------------------------------------- repository policies

  private void checkRepository(Statement s, String at) {
    if (s.effect() != Effect.ALLOW || s.principal().isEmpty() || !s.conditions().isEmpty()) {
      return;
    }
    Principal p = s.principal().get();
    if (p.isWildcard() || p.aws().contains("*")) {
      add(LintRule.REPOSITORY_PUBLIC, wildcardPrincipalAt(at, p),
          "Principal \"*\" without a condition lets every AWS principal of every account use"
              + " the repository.",
          "Name the accounts or roles, or keep \"*\" with a condition such as"
              + " \"StringEquals\": {\"aws:PrincipalOrgID\": \"o-...\"}.");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String wildcardPrincipalAt(String statementAt, Principal p) {
    return p.isWildcard() ? statementAt + "/Principal"
        : valueAt(statementAt + "/Principal/AWS", p.aws(), p.aws().indexOf("*"));
  }

  private String kindName() {
    return kind == PolicyKind.TRUST ? "trust policy" : "repository policy";
  }

  private static String principalTypes(Principal p) {
    List<String> types = new ArrayList<>();
    if (!p.aws().isEmpty()) {
      types.add("AWS");
    }
    if (!p.service().isEmpty()) {
      types.add("Service");
    }
    if (!p.canonicalUser().isEmpty()) {
      types.add("CanonicalUser");
    }
    return String.join("/", types);
  }

  private static boolean hasNullFalse(Statement s, String key) {
    return s.conditions().stream().anyMatch(c -> c.operator().base() == Base.NULL
        && c.key().equalsIgnoreCase(key) && c.values().equals(List.of("false")));
  }

  private static boolean isProviderPrefix(String prefix) {
    return prefix.indexOf('.') >= 0 || prefix.indexOf('/') >= 0;
  }

  private static boolean isProviderClaimKey(String key, String claim) {
    int colon = key.lastIndexOf(':');
    return colon > 0 && isProviderPrefix(key.substring(0, colon))
        && key.substring(colon + 1).equalsIgnoreCase(claim);
  }

  private static String likeOf(ConditionOperator op) {
    String like = op.base().isNegated() ? "StringNotLike" : "StringLike";
    return op.qualifier().prefix() + like + (op.ifExists() ? "IfExists" : "");
  }

  private static boolean hasWildcard(String v) {
    return firstWildcard(v) < v.length();
  }

  private static int firstWildcard(String v) {
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '*' || ch == '?') {
        return i;
      }
    }
    return v.length();
  }

  /** Matches IAM's {@code *} (any run) and {@code ?} (one character) wildcards. */
  static boolean matches(String pattern, String text, boolean ignoreCase) {
    String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    String t = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
    int pi = 0;
    int ti = 0;
    int star = -1;
    int mark = 0;
    while (ti < t.length()) {
      if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == t.charAt(ti))) {
        pi++;
        ti++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = ti;
      } else if (star >= 0) {
        pi = star + 1;
        ti = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  private static String conditionAt(String statementAt, Condition c) {
    return statementAt + "/Condition/" + escape(c.operator().jsonName()) + "/" + escape(c.key());
  }

  private static String valueAt(String conditionAt, Condition c, int index) {
    return valueAt(conditionAt, c.values(), index);
  }

  /** A single value is written as a scalar, so its pointer is the element itself. */
  private static String valueAt(String elementAt, List<String> values, int index) {
    return values.size() == 1 ? elementAt : elementAt + "/" + index;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
