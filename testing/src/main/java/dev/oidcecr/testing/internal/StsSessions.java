package dev.oidcecr.testing.internal;

import dev.oidcecr.policies.Decision;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STS's AssumeRole, and what every assume shares: session tags, source identity and session
 * policies. Rules from the IAM User Guide ("Pass session tags in AWS STS", "Monitor and control
 * actions taken with assumed roles" for source identity, "Session policies", "Role chaining":
 * a chained session lasts at most one hour) and the STS API Reference (AssumeRole: at most 50
 * session tags, keys up to 128 and values up to 256 characters, at most 10 managed session
 * policy ARNs; source identity 2-64 characters of {@code [\w+=,.@-]}).
 */
final class StsSessions {
  static final String TAGS_CLAIM = "https://aws.amazon.com/tags";
  static final String SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity";
  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]*");
  private static final Pattern ROLE_ARN = Pattern.compile(
      "arn:aws[a-z-]*:iam::(\\d{12}):role/(?:[\\x21-\\x7E]*/)?([\\w+=,.@-]{1,64})");
  private static final int CHAINED_MAX = 3600;

  private final Engine engine;

  StsSessions(Engine engine) {
    this.engine = engine;
  }

  /** Requested tags, transitive keys, source identity and session policies of one call. */
  record Requested(Map<String, String> tags, Set<String> transitive, String sourceIdentity,
      List<String> policies, int packedPercent) {
    boolean hasTags() {
      return !tags.isEmpty();
    }

    /** The context keys STS adds for the request: aws:RequestTag/*, aws:TagKeys. */
    Map<String, List<String>> context() {
      Map<String, List<String>> ctx = new LinkedHashMap<>();
      tags.forEach((k, v) -> ctx.put("aws:RequestTag/" + k, List.of(v)));
      if (!tags.isEmpty()) {
        ctx.put("aws:TagKeys", List.copyOf(tags.keySet()));
      }
      if (sourceIdentity != null) {
        ctx.put("sts:SourceIdentity", List.of(sourceIdentity));
      }
      return ctx;
    }
  }

  // --- AssumeRole ---

  HttpAnswer assumeRole(Map<String, String> form, HttpCall call) {
    Caller caller = engine.caller(call, "sts");
    String roleArn = required(form, "RoleArn", "roleArn");
    String sessionName = sessionName(form);
    int duration = duration(form);
    Matcher arn = ROLE_ARN.matcher(roleArn);
    if (!arn.matches()) {
      throw AwsError.validation("Request ARN is invalid: '" + roleArn
          + "' is not a role ARN such as arn:aws:iam::123456789012:role/name");
    }
    String roleAccount = arn.group(1);
    State.Session callerSession = engine.session(caller);
    State.SessionExtras incoming = callerSession == null ? State.SessionExtras.NONE
        : callerSession.extras();

    Map<String, String> tags = tags(form);
    Set<String> transitive = new LinkedHashSet<>(Iam.members(form, "TransitiveTagKeys"));
    for (String k : transitive) {
      if (!tags.containsKey(k)) {
        throw AwsError.validation("Transitive tag key " + k + " is not among the session tags:"
            + " name only keys passed in Tags.");
      }
    }
    // Incoming transitive tags carry over in a role chain, and cannot be overridden.
    for (String k : incoming.transitiveTagKeys()) {
      if (tags.containsKey(k) && !tags.get(k).equals(incoming.tags().get(k))) {
        throw new AwsError("InvalidParameterValue", 400, "The session tag " + k
            + " is a transitive tag of the calling session: it cannot be changed in a role "
            + "chain.");
      }
      tags.putIfAbsent(k, incoming.tags().get(k));
      transitive.add(k);
    }
    String sourceIdentity = form.get("SourceIdentity");
    if (sourceIdentity != null) {
      checkSourceIdentity(sourceIdentity);
      if (incoming.sourceIdentity() != null
          && !incoming.sourceIdentity().equals(sourceIdentity)) {
        throw new AwsError("AccessDenied", 403, "The source identity of a role chain cannot "
            + "be changed: the calling session has source identity "
            + incoming.sourceIdentity() + ".");
      }
    }
    boolean setsSourceIdentity = sourceIdentity != null;
    if (sourceIdentity == null) {
      sourceIdentity = incoming.sourceIdentity();
    }
    Requested req = new Requested(tags, transitive, sourceIdentity,
        sessionPolicies(form, roleAccount), 0);

    // The role, then trust and identity policies, as STS decides a cross-account call.
    State account = engine.stateOf(roleAccount);
    State.Role role = null;
    if (account != null) {
      synchronized (account) {
        role = account.roles.get(arn.group(2));
      }
    }
    String denied = "User: " + caller.arn() + " is not authorized to perform: sts:AssumeRole on "
        + "resource: " + roleArn;
    if (role == null || !role.arn.equals(roleArn)) {
      engine.deny("AssumeRole", caller.arn(), "sts:AssumeRole", roleArn, "Role " + roleArn
          + " does not exist: create it with IAM CreateRole (check the name, path and account).");
      throw new AwsError("AccessDenied", 403, denied);
    }
    Map<String, List<String>> ctx = new LinkedHashMap<>();
    engine.principalContext(caller).forEach((k, v) -> ctx.put(k, List.of(v)));
    ctx.putAll(req.context());
    ctx.put("sts:RoleSessionName", List.of(sessionName));
    if (form.containsKey("ExternalId")) {
      ctx.put("sts:ExternalId", List.of(form.get("ExternalId")));
    }
    String principal = caller.roleArn().orElse(caller.arn());
    List<String> actions = new ArrayList<>(List.of("sts:AssumeRole"));
    if (req.hasTags()) {
      actions.add("sts:TagSession");
    }
    if (setsSourceIdentity) {
      actions.add("sts:SetSourceIdentity");
    }
    for (String action : actions) {
      String why = refusal(caller, role, action, principal, roleAccount, ctx);
      if (why != null) {
        engine.deny("AssumeRole", caller.arn(), action, roleArn, why);
        throw new AwsError("AccessDenied", 403, "User: " + caller.arn()
            + " is not authorized to perform: " + action + " on resource: " + roleArn);
      }
    }

    boolean chained = callerSession != null;
    if (chained && duration > CHAINED_MAX) {
      throw AwsError.validation("The requested DurationSeconds exceeds the 1 hour session "
          + "limit for roles assumed by role chaining.");
    }
    if (duration > role.maxSessionDuration) {
      throw AwsError.validation(
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    State.Session session = newSession(role, roleAccount, sessionName, duration, req, chained);
    Xml x = new Xml().openNs("AssumeRoleResponse", Sts.NS).open("AssumeRoleResult");
    credentials(x, session);
    x.open("AssumedRoleUser").leaf("Arn", session.assumedRoleArn())
        .leaf("AssumedRoleId", role.id + ":" + sessionName).close("AssumedRoleUser");
    packedPolicySize(x, req);
    x.leaf("SourceIdentity", session.extras().sourceIdentity()).close("AssumeRoleResult");
    return ok(x, "AssumeRoleResponse");
  }

  /**
   * Decides one action of an AssumeRole call: an explicit deny anywhere refuses; the trust
   * policy must allow; the caller's identity policies must allow too, unless the role is in
   * the caller's account and the trust policy names the caller itself (not only its account).
   *
   * @return null when allowed, else the explanation
   */
  private String refusal(Caller caller, State.Role role, String action, String principal,
      String roleAccount, Map<String, List<String>> ctx) {
    Authz.Verdict trust = engine.authz.trustFor(role.trustPolicy, action, principal, role.arn,
        ctx);
    Map<String, String> flat = new LinkedHashMap<>();
    ctx.forEach((k, v) -> flat.put(k, v.get(0)));
    Authz.Verdict identity = caller.isAdmin()
        ? new Authz.Verdict(Decision.ALLOWED, "")
        : engine.authz.authorize(caller, identityPolicies(caller),
            engine.sessionPolicies(caller), Optional.empty(), caller.account(), action,
            role.arn, flat);
    if (trust.decision() == Decision.EXPLICIT_DENY
        || identity.decision() == Decision.EXPLICIT_DENY) {
      return "An explicit deny refuses " + action + ".\n" + trust.explanation() + "\n"
          + identity.explanation();
    }
    if (!trust.allowed()) {
      return "Trust policy of " + role.arn + ": " + trust.decision() + " for " + principal
          + "\n" + trust.explanation();
    }
    if (identity.allowed()) {
      return null;
    }
    boolean sameAccount = roleAccount.equals(caller.account());
    // A trust policy that allows any principal of the account (its root) delegates to the
    // account's identity policies; one naming the caller itself is enough on its own.
    boolean byAccountOnly = engine.authz.trustFor(role.trustPolicy, action,
        "arn:aws:iam::" + caller.account() + ":role/oidc-ecr-fake-probe", role.arn, ctx)
        .allowed();
    if (sameAccount && !byAccountOnly) {
      return null;
    }
    return (sameAccount ? "The trust policy of " + role.arn + " allows the account "
        + caller.account() + ", so the caller's identity policies must allow " + action
        : "Cross-account call from account " + caller.account() + " to account " + roleAccount
            + ": the trust policy allows it, but " + caller.arn()
            + "'s identity policies must allow " + action + " too") + ".\n"
        + identity.explanation();
  }

  private List<String> identityPolicies(Caller caller) {
    State st = engine.stateOf(caller.account());
    if (st == null) {
      return List.of();
    }
    State.Role r;
    synchronized (st) {
      r = st.roles.get(caller.roleName().orElse(""));
    }
    return r == null ? List.of() : r.policies();
  }

  // --- shared by every assume ---

  /** Session tags and source identity from a web identity token's AWS claims. */
  Requested fromToken(Map<String, Object> claims, Map<String, String> form, String account) {
    Map<String, String> tags = new LinkedHashMap<>();
    Set<String> transitive = new LinkedHashSet<>();
    Object claim = claims.get(TAGS_CLAIM);
    if (claim instanceof List<?> l && !l.isEmpty()) {
      claim = l.get(0);
    }
    if (claim instanceof Map<?, ?> m) {
      if (m.get("principal_tags") instanceof Map<?, ?> pt) {
        pt.forEach((k, v) -> {
          Object value = v instanceof List<?> vl ? (vl.isEmpty() ? "" : vl.get(0)) : v;
          tags.put(String.valueOf(k), String.valueOf(value));
        });
      }
      if (m.get("transitive_tag_keys") instanceof List<?> tk) {
        tk.forEach(k -> transitive.add(String.valueOf(k)));
      }
    } else if (claim != null) {
      throw new AwsError("InvalidIdentityToken", 400, "The " + TAGS_CLAIM + " claim must be an "
          + "object with principal_tags (key to a list of one value) and transitive_tag_keys.");
    }
    checkTags(tags);
    String sourceIdentity = claims.get(SOURCE_IDENTITY_CLAIM) instanceof String s ? s : null;
    if (sourceIdentity != null) {
      checkSourceIdentity(sourceIdentity);
    }
    return new Requested(tags, transitive, sourceIdentity, sessionPolicies(form, account), 0);
  }

  /** Parses Policy and PolicyArns.member.N.arn into documents, as STS validates them. */
  List<String> sessionPolicies(Map<String, String> form, String account) {
    List<String> out = new ArrayList<>();
    String policy = form.get("Policy");
    if (policy != null) {
      try {
        PolicyDocument.parse(policy);
      } catch (PolicyException e) {
        throw new AwsError("MalformedPolicyDocument", 400,
            "The policy is not in the valid JSON format: " + e.getMessage());
      }
      if (policy.length() > 2048) {
        throw new AwsError("PackedPolicyTooLarge", 400, "The session policy is larger than "
            + "2048 characters: shorten it or use PolicyArns.");
      }
      out.add(policy);
    }
    List<String> arns = new ArrayList<>();
    form.forEach((k, v) -> {
      if (k.startsWith("PolicyArns.member.") && k.endsWith(".arn")) {
        arns.add(v);
      }
    });
    if (arns.size() > 10) {
      throw AwsError.validation("1 validation error detected: Value at 'policyArns' failed to "
          + "satisfy constraint: Member must have length less than or equal to 10");
    }
    State st = engine.stateOf(account);
    for (String a : arns) {
      State.ManagedPolicy p;
      try {
        if (st == null) {
          p = AwsManagedPolicies.find(a).orElseThrow(() ->
              new AwsError("NoSuchEntity", 404, "Policy " + a + " does not exist."));
        } else {
          synchronized (st) {
            p = IamPolicies.find(st, a);
          }
        }
      } catch (AwsError e) {
        throw AwsError.validation("The policy " + a + " does not exist or is not attachable: "
            + "session policy ARNs name managed policies of the role's account.");
      }
      out.add(p.defaultDocument());
    }
    return out;
  }

  /** Creates and stores a session. */
  State.Session newSession(State.Role role, String roleAccount, String sessionName,
      int duration, Requested req, boolean chained) {
    Instant expiration = engine.config.clock().instant().plusSeconds(duration)
        .truncatedTo(ChronoUnit.SECONDS);
    String assumedArn = "arn:aws:sts::" + roleAccount + ":assumed-role/" + role.name + "/"
        + sessionName;
    State.SessionExtras extras = req.tags().isEmpty() && req.sourceIdentity() == null
        && req.policies().isEmpty() && !chained ? State.SessionExtras.NONE
        : new State.SessionExtras(Map.copyOf(req.tags()), Set.copyOf(req.transitive()),
            req.sourceIdentity(), List.copyOf(req.policies()), chained);
    State.Session session = engine.sessionCodec.issue(State.randomId("ASIA", 16), role.arn,
        role.name, role.id, sessionName, assumedArn, expiration, extras);
    engine.remember(session);
    return session;
  }

  static void credentials(Xml x, State.Session session) {
    x.open("Credentials")
        .leaf("AccessKeyId", session.accessKeyId())
        .leaf("SecretAccessKey", session.secretAccessKey())
        .leaf("SessionToken", session.sessionToken())
        .leaf("Expiration", DateTimeFormatter.ISO_INSTANT.format(session.expiration()))
        .close("Credentials");
  }

  /**
   * STS reports how full the packed policies and tags are, in percent of its limit, when a
   * call passed any; the fake counts characters against 2048.
   */
  static void packedPolicySize(Xml x, Requested req) {
    if (req.tags().isEmpty() && req.policies().isEmpty()) {
      return;
    }
    int size = 0;
    for (String p : req.policies()) {
      size += p.length();
    }
    for (Map.Entry<String, String> t : req.tags().entrySet()) {
      size += t.getKey().length() + t.getValue().length();
    }
    x.leaf("PackedPolicySize", Math.min(100, Math.max(1, size * 100 / 2048)));
  }

  private static HttpAnswer ok(Xml x, String root) {
    x.open("ResponseMetadata").leaf("RequestId", UUID.randomUUID()).close("ResponseMetadata")
        .close(root);
    return HttpAnswer.of(200, "text/xml", x.toString());
  }

  private static Map<String, String> tags(Map<String, String> form) {
    Map<String, String> tags = Iam.tags(form);
    checkTags(tags);
    return tags;
  }

  private static void checkTags(Map<String, String> tags) {
    if (tags.size() > 50) {
      throw AwsError.validation("1 validation error detected: Value at 'tags' failed to "
          + "satisfy constraint: Member must have length less than or equal to 50");
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (t.getKey().isEmpty() || t.getKey().length() > 128 || t.getValue().length() > 256) {
        throw AwsError.validation("Session tag " + t.getKey() + " must have a key of 1-128 "
            + "and a value of at most 256 characters.");
      }
    }
  }

  private static void checkSourceIdentity(String s) {
    if (s.length() < 2 || s.length() > 64 || !NAME.matcher(s).matches()
        || s.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
      throw AwsError.validation("1 validation error detected: Value '" + s + "' at "
          + "'sourceIdentity' failed to satisfy constraint: Member must have length between 2 "
          + "and 64, satisfy regular expression pattern: [\\w+=,.@-]*, and not start with "
          + "aws:");
    }
  }

  private static String required(Map<String, String> form, String name, String member) {
    String v = form.get(name);
    if (v == null) {
      throw AwsError.validation("1 validation error detected: Value null at '" + member
          + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  static String sessionName(Map<String, String> form) {
    String sessionName = required(form, "RoleSessionName", "roleSessionName");
    if (sessionName.length() < 2 || sessionName.length() > 64) {
      throw AwsError.validation("1 validation error detected: Value '" + sessionName
          + "' at 'roleSessionName' failed to satisfy constraint: Member must have length "
          + (sessionName.length() < 2 ? "greater than or equal to 2" : "less than or equal to 64"));
    }
    if (!NAME.matcher(sessionName).matches()) {
      throw AwsError.validation("1 validation error detected: Value '" + sessionName
          + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular "
          + "expression pattern: [\\w+=,.@-]*");
    }
    return sessionName;
  }

  static int duration(Map<String, String> form) {
    int duration = 3600;
    if (form.containsKey("DurationSeconds")) {
      String d = form.get("DurationSeconds");
      try {
        duration = Integer.parseInt(d);
      } catch (NumberFormatException e) {
        throw AwsError.validation("Value '" + d + "' at 'durationSeconds' is not a number");
      }
      if (duration < 900 || duration > 43200) {
        throw AwsError.validation("1 validation error detected: Value '" + duration
            + "' at 'durationSeconds' failed to satisfy constraint: Member must have value "
            + (duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200"));
      }
    }
    return duration;
  }
}
