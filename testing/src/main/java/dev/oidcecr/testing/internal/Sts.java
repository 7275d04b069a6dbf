package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.nimbusds.jose.JWSObject;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyException;
import java.text.ParseException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** STS: AssumeRoleWithWebIdentity with every check STS makes, in its order; GetCallerIdentity. */
final class Sts {
  static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::(\\d{12}):role/(?:[\\x21-\\x7E]*/)?([\\w+=,.@-]{1,64})");
  private static final long SKEW_SECONDS = 300;

  private final Engine engine;
  private final StsSessions sessions;

  Sts(Engine engine) {
    this.engine = engine;
    this.sessions = new StsSessions(engine);
  }

  HttpAnswer handle(String action, Map<String, String> form, HttpCall call) {
    return switch (action) {
      case "AssumeRoleWithWebIdentity" -> assume(form);
      case "AssumeRole" -> sessions.assumeRole(form, call);
      case "GetCallerIdentity" -> callerIdentity(call);
      default -> throw new AwsError("InvalidAction", 400,
          "Could not find operation " + action + " for version 2011-06-15");
    };
  }

  private HttpAnswer callerIdentity(HttpCall call) {
    Caller c = engine.caller(call, "sts");
    Xml x = new Xml().openNs("GetCallerIdentityResponse", NS).open("GetCallerIdentityResult")
        .leaf("Arn", c.arn()).leaf("UserId", c.userId()).leaf("Account", c.account())
        .close("GetCallerIdentityResult");
    return ok(x, "GetCallerIdentityResponse");
  }

  private HttpAnswer assume(Map<String, String> form) {
    // 1. Parameters, as the service model validates them.
    String roleArn = required(form, "RoleArn", "roleArn");
    String sessionName = required(form, "RoleSessionName", "roleSessionName");
    String token = form.get("WebIdentityToken");
    if (token == null) {
      throw AwsError.validation("1 validation error detected: Value null at 'webIdentityToken' "
          + "failed to satisfy constraint: Member must not be null");
    }
    if (token.length() < 4 || token.length() > 20000) {
      throw AwsError.validation("1 validation error detected: Value at 'webIdentityToken' failed "
          + "to satisfy constraint: Member must have length between 4 and 20000");
    }
    StsSessions.sessionName(form);
    int duration = StsSessions.duration(form);
    Matcher arn = ROLE_ARN.matcher(roleArn);
    if (!arn.matches()) {
      throw AwsError.validation("Request ARN is invalid: '" + roleArn
          + "' is not a role ARN such as arn:aws:iam::123456789012:role/name");
    }
    String roleAccount = arn.group(1);

    // 2. JWT shape.
    JWSObject jws;
    Map<String, Object> claims;
    try {
      jws = JWSObject.parse(token);
      claims = Json.MAPPER.readValue(jws.getPayload().toString(),
          new TypeReference<Map<String, Object>>() {});
    } catch (ParseException | java.io.IOException | RuntimeException e) {
      throw new AwsError("InvalidIdentityToken", 400,
          "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
              + "Access Token)");
    }
    Object issClaim = claims.get("iss");
    if (!(issClaim instanceof String iss) || iss.isEmpty()) {
      throw new AwsError("InvalidIdentityToken", 400, "The ID Token has no 'iss' claim.");
    }

    // 3. A provider for the issuer in the role's account.
    String providerUrl = iss.replaceFirst("^https?://", "");
    State.Provider provider = null;
    State account = engine.stateOf(roleAccount);
    if (account != null) {
      synchronized (account) {
        provider = account.providers.get(providerUrl);
      }
    }
    if (provider == null) {
      throw new AwsError("InvalidIdentityToken", 400,
          "No OpenIDConnect provider found in your account for " + iss);
    }

    // 4. Audience among the provider's client ids.
    List<String> auds = audiences(claims.get("aud"));
    String audience;
    if (auds.size() > 1 && claims.get("azp") instanceof String azp) {
      audience = azp;
    } else {
      audience = auds.isEmpty() ? "" : auds.get(0);
    }
    List<String> clientIds;
    synchronized (account) {
      clientIds = List.copyOf(provider.clientIds);
    }
    final String aud = audience;
    if (auds.isEmpty() || !clientIds.contains(aud)
        || auds.size() > 1 && !auds.contains(aud)) {
      throw new AwsError("InvalidIdentityToken", 400, "Incorrect token audience");
    }

    // 5. Signature against the issuer's JWKS.
    switch (engine.verifier.verify(jws, iss)) {
      case UNKNOWN_KEY -> throw new AwsError("InvalidIdentityToken", 400,
          "Couldn't retrieve verification key from your identity provider,  please reference "
              + "AssumeRoleWithWebIdentity documentation for requirements");
      case BAD_SIGNATURE -> throw new AwsError("InvalidIdentityToken", 400,
          "The web identity token that was passed could not be validated by AWS: its signature "
              + "does not verify with the issuer's key. Get a new identity token from the "
              + "identity provider and then retry the request.");
      default -> { }
    }

    // 6. Time claims, with 5 minutes of skew.
    Instant now = engine.config.clock().instant();
    long exp = number(claims.get("exp"), "exp");
    if (exp + SKEW_SECONDS < now.getEpochSecond()) {
      throw new AwsError("ExpiredTokenException", 400, "Token expired: current date/time "
          + now.getEpochSecond() + " must be before the expiration date/time " + exp);
    }
    if (claims.get("nbf") != null
        && number(claims.get("nbf"), "nbf") - SKEW_SECONDS > now.getEpochSecond()) {
      throw new AwsError("InvalidIdentityToken", 400,
          "Token used before its 'nbf' (not before) time: check the clock of the issuer");
    }
    if (claims.get("iat") != null
        && number(claims.get("iat"), "iat") - SKEW_SECONDS > now.getEpochSecond()) {
      throw new AwsError("InvalidIdentityToken", 400,
          "Token used before issued: its 'iat' is in the future; check the clock of the issuer");
    }

    // 7. The role and its trust policy.
    String roleName = arn.group(2);
    State.Role role;
    synchronized (account) {
      role = account.roles.get(roleName);
    }
    String denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
    if (role == null || !role.arn.equals(roleArn)) {
      engine.deny("AssumeRoleWithWebIdentity", provider.arn, "sts:AssumeRoleWithWebIdentity",
          roleArn, "Role " + roleArn + " does not exist in account " + roleAccount
              + ": create it with IAM CreateRole (check the role name and path).");
      throw new AwsError("AccessDenied", 403, denied);
    }
    Authz.Verdict verdict = engine.authz.trust(role.trustPolicy, provider.arn, claims);
    if (!verdict.allowed()) {
      engine.deny("AssumeRoleWithWebIdentity", provider.arn, "sts:AssumeRoleWithWebIdentity",
          roleArn, "Trust policy of " + roleArn + ": " + verdict.decision() + "\n"
              + verdict.explanation());
      throw new AwsError("AccessDenied", 403, denied);
    }

    // 8. Duration against the role's maximum.
    if (duration > role.maxSessionDuration) {
      throw AwsError.validation(
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    // 9. Session policies, then session tags and source identity from the token's claims:
    // the trust policy must also allow sts:TagSession and sts:SetSourceIdentity.
    StsSessions.Requested req = sessions.fromToken(claims, form, roleAccount);
    List<String> extraActions = new java.util.ArrayList<>();
    if (req.hasTags()) {
      extraActions.add("sts:TagSession");
    }
    if (req.sourceIdentity() != null) {
      extraActions.add("sts:SetSourceIdentity");
    }
    for (String action : extraActions) {
      Authz.Verdict v = engine.authz.trust(role.trustPolicy, provider.arn, claims, action,
          req.context());
      if (!v.allowed()) {
        engine.deny("AssumeRoleWithWebIdentity", provider.arn, action, roleArn,
            "Trust policy of " + roleArn + ": " + v.decision() + " for " + action
                + " (the token carries " + (action.equals("sts:TagSession")
                    ? "session tags " + req.tags().keySet() : "a source identity") + ")\n"
                + v.explanation());
        throw new AwsError("AccessDenied", 403, "Not authorized to perform " + action);
      }
    }

    State.Session session = sessions.newSession(role, roleAccount, sessionName, duration, req,
        false);
    String assumedArn = session.assumedRoleArn();
    Instant expiration = session.expiration();

    Xml x = new Xml().openNs("AssumeRoleWithWebIdentityResponse", NS)
        .open("AssumeRoleWithWebIdentityResult")
        .leaf("SubjectFromWebIdentityToken", claims.get("sub"))
        .leaf("Audience", aud)
        .open("AssumedRoleUser").leaf("Arn", assumedArn)
        .leaf("AssumedRoleId", role.id + ":" + sessionName).close("AssumedRoleUser")
        .open("Credentials")
        .leaf("AccessKeyId", session.accessKeyId())
        .leaf("SecretAccessKey", session.secretAccessKey())
        .leaf("SessionToken", session.sessionToken())
        .leaf("Expiration", DateTimeFormatter.ISO_INSTANT.format(expiration))
        .close("Credentials")
        .leaf("Provider", provider.arn);
    StsSessions.packedPolicySize(x, req);
    x.leaf("SourceIdentity", req.sourceIdentity()).close("AssumeRoleWithWebIdentityResult");
    return ok(x, "AssumeRoleWithWebIdentityResponse");
  }

  private static HttpAnswer ok(Xml x, String root) {
    x.open("ResponseMetadata").leaf("RequestId", UUID.randomUUID()).close("ResponseMetadata")
        .close(root);
    return HttpAnswer.of(200, "text/xml", x.toString());
  }

  private static String required(Map<String, String> form, String name, String member) {
    String v = form.get(name);
    if (v == null) {
      throw AwsError.validation("1 validation error detected: Value null at '" + member
          + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  static List<String> audiences(Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    if (aud instanceof List<?> l) {
      return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  private static long number(Object v, String claim) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new AwsError("InvalidIdentityToken", 400,
        "The ID Token's '" + claim + "' claim is missing or not a number.");
  }
}
