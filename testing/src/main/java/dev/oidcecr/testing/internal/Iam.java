package dev.oidcecr.testing.internal;

import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.PolicyKind;
import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/** IAM's query-protocol operations for OIDC providers, roles and inline role policies. */
final class Iam {
  static final String NS = "https://iam.amazonaws.com/doc/2010-05-08/";
  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]+");
  private static final Pattern THUMBPRINT = Pattern.compile("[0-9A-Fa-f]{40}");
  private static final int TRUST_QUOTA = 2048;
  private static final int INLINE_QUOTA = 10240;

  private final Engine engine;
  private final State state;
  private final String account;
  private final IamPolicies policies;

  /** IAM of one account of the fake. */
  Iam(Engine engine, State state, String account) {
    this.engine = engine;
    this.state = state;
    this.account = account;
    this.policies = new IamPolicies(engine, this);
  }

  HttpAnswer handle(String action, Map<String, String> form, HttpCall call) {
    Caller caller = engine.caller(call, "iam");
    authorize(caller, action, form);
    Xml result = new Xml();
    synchronized (state) {
      switch (action) {
        case "CreateOpenIDConnectProvider" -> createProvider(form, result);
        case "GetOpenIDConnectProvider" -> getProvider(form, result);
        case "ListOpenIDConnectProviders" -> listProviders(result);
        case "AddClientIDToOpenIDConnectProvider" -> addClientId(form);
        case "DeleteOpenIDConnectProvider" -> state.providers.remove(provider(form).url);
        case "CreateRole" -> createRole(form, result);
        case "GetRole" -> role(result, role(form));
        case "UpdateAssumeRolePolicy" -> updateTrust(form);
        case "UpdateRole" -> updateRole(form);
        case "DeleteRole" -> deleteRole(form);
        case "PutRolePolicy" -> putRolePolicy(form);
        case "GetRolePolicy" -> getRolePolicy(form, result);
        case "ListRolePolicies" -> listRolePolicies(form, result);
        case "DeleteRolePolicy" -> deleteRolePolicy(form);
        default -> {
          if (!policies.handles(action)) {
            throw new AwsError("InvalidAction", 400,
                "Could not find operation " + action + " for version 2010-05-08");
          }
          policies.handle(action, state, account, form, result);
        }
      }
    }
    String root = action + "Response";
    Xml x = new Xml().openNs(root, NS);
    if (!result.toString().isEmpty()) {
      x.open(action + "Result").append(result).close(action + "Result");
    }
    x.open("ResponseMetadata").leaf("RequestId", UUID.randomUUID()).close("ResponseMetadata")
        .close(root);
    return HttpAnswer.of(200, "text/xml", x.toString());
  }

  private void authorize(Caller caller, String action, Map<String, String> form) {
    if (caller.isAdmin()) {
      return;
    }
    String resource = form.containsKey("RoleName")
        ? "arn:aws:iam::" + account + ":role/" + form.get("RoleName")
        : form.containsKey("PolicyArn") ? form.get("PolicyArn")
        : "CreatePolicy".equals(action) ? "arn:aws:iam::" + account
            + ":policy" + form.getOrDefault("Path", "/") + form.get("PolicyName")
        : form.getOrDefault("OpenIDConnectProviderArn", "*");
    State.Role role;
    synchronized (state) {
      role = state.roles.get(caller.roleName().orElseThrow());
    }
    Authz.Verdict v = engine.authz.authorize(caller, role == null ? List.of() : role.policies(),
        engine.sessionPolicies(caller), Optional.empty(), account, "iam:" + action, resource,
        engine.principalContext(caller));
    if (!v.allowed()) {
      engine.deny(action, caller.arn(), "iam:" + action, resource, v.explanation());
      throw new AwsError("AccessDenied", 403, "User: " + caller.arn()
          + " is not authorized to perform: iam:" + action + " on resource: " + resource);
    }
  }

  // --- OIDC providers ---

  private void createProvider(Map<String, String> form, Xml out) {
    String url = required(form, "Url");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw invalidUrl(url);
    }
    boolean loopbackHttp = "http".equals(uri.getScheme()) && isLoopback(uri.getHost());
    if (uri.getHost() == null || !("https".equals(uri.getScheme()) || loopbackHttp)
        || uri.getRawQuery() != null || uri.getRawFragment() != null
        || (uri.getPort() != -1 && !loopbackHttp)) {
      throw invalidUrl(url);
    }
    List<String> clientIds = members(form, "ClientIDList");
    List<String> thumbprints = members(form, "ThumbprintList");
    if (clientIds.size() > 100) {
      throw new AwsError("LimitExceeded", 409,
          "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
    }
    for (String id : clientIds) {
      if (id.isEmpty() || id.length() > 255) {
        throw new AwsError("InvalidInput", 400, "Client ID '" + id
            + "' must be 1 to 255 characters long.");
      }
    }
    if (thumbprints.size() > 5) {
      throw new AwsError("InvalidInput", 400,
          "Thumbprint list must contain at most 5 thumbprints; it has " + thumbprints.size());
    }
    for (String t : thumbprints) {
      if (!THUMBPRINT.matcher(t).matches()) {
        throw new AwsError("InvalidInput", 400, "Thumbprint '" + t
            + "' must be 40 hexadecimal characters (the SHA-1 of the certificate).");
      }
    }
    String key = url.replaceFirst("^https?://", "").replaceFirst("/$", "");
    if (state.providers.containsKey(key)) {
      throw new AwsError("EntityAlreadyExists", 409,
          "Provider with url " + url + " already exists.");
    }
    String arn = "arn:aws:iam::" + account + ":oidc-provider/" + key;
    State.Provider p = new State.Provider(key, arn,
        engine.config.clock().instant().truncatedTo(ChronoUnit.SECONDS));
    clientIds.stream().distinct().forEach(p.clientIds::add);
    p.thumbprints.addAll(thumbprints);
    p.tags.putAll(tags(form));
    state.providers.put(key, p);
    out.leaf("OpenIDConnectProviderArn", arn);
    tagsXml(out, p.tags);
  }

  private static boolean isLoopback(String host) {
    return host != null && (host.equals("localhost") || host.startsWith("127.")
        || host.equals("[::1]"));
  }

  private static AwsError invalidUrl(String url) {
    return new AwsError("InvalidInput", 400, "Invalid Url '" + url
        + "': an OIDC provider URL starts with https://, has a host, and no port, query or "
        + "fragment.");
  }

  private State.Provider provider(Map<String, String> form) {
    String arn = required(form, "OpenIDConnectProviderArn");
    return state.providers.values().stream().filter(p -> p.arn.equals(arn)).findFirst()
        .orElseThrow(() -> new AwsError("NoSuchEntity", 404,
            "OpenIDConnect Provider not found for arn " + arn));
  }

  private void getProvider(Map<String, String> form, Xml out) {
    State.Provider p = provider(form);
    out.leaf("Url", p.url).members("ClientIDList", p.clientIds)
        .members("ThumbprintList", p.thumbprints)
        .leaf("CreateDate", DateTimeFormatter.ISO_INSTANT.format(p.created));
    tagsXml(out, p.tags);
  }

  private void listProviders(Xml out) {
    out.open("OpenIDConnectProviderList");
    for (State.Provider p : state.providers.values()) {
      out.open("member").leaf("Arn", p.arn).close("member");
    }
    out.close("OpenIDConnectProviderList");
  }

  private void addClientId(Map<String, String> form) {
    State.Provider p = provider(form);
    String id = required(form, "ClientID");
    if (id.isEmpty() || id.length() > 255) {
      throw new AwsError("InvalidInput", 400, "Client ID must be 1 to 255 characters long.");
    }
    if (!p.clientIds.contains(id)) {
      if (p.clientIds.size() >= 100) {
        throw new AwsError("LimitExceeded", 409,
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
      }
      p.clientIds.add(id);
    }
  }

  // --- roles ---

  private void createRole(Map<String, String> form, Xml out) {
    String name = roleName(form);
    String path = path(form);
    int max = maxSession(form).orElse(3600);
    String trust = required(form, "AssumeRolePolicyDocument");
    validateTrust(trust);
    if (state.roles.containsKey(name)) {
      throw new AwsError("EntityAlreadyExists", 409, "Role with name " + name
          + " already exists.");
    }
    String arn = "arn:aws:iam::" + account + ":role" + path + name;
    State.Role r = new State.Role(name, path, State.randomId("AROA", 17), arn,
        engine.config.clock().instant().truncatedTo(ChronoUnit.SECONDS));
    r.trustPolicy = trust;
    r.maxSessionDuration = max;
    r.description = form.get("Description");
    r.tags.putAll(tags(form));
    state.roles.put(name, r);
    role(out, r);
  }

  private State.Role role(Map<String, String> form) {
    return role(state, form);
  }

  State.Role role(State st, Map<String, String> form) {
    String name = roleName(form);
    State.Role r = st.roles.get(name);
    if (r == null) {
      throw new AwsError("NoSuchEntity", 404, "The role with name " + name
          + " cannot be found.");
    }
    return r;
  }

  private void role(Xml out, State.Role r) {
    out.open("Role").leaf("Path", r.path).leaf("RoleName", r.name).leaf("RoleId", r.id)
        .leaf("Arn", r.arn).leaf("CreateDate", DateTimeFormatter.ISO_INSTANT.format(r.created))
        .leaf("AssumeRolePolicyDocument", Xml.urlEncode(r.trustPolicy))
        .leaf("Description", r.description)
        .leaf("MaxSessionDuration", r.maxSessionDuration);
    tagsXml(out, r.tags);
    out.close("Role");
  }

  private void updateTrust(Map<String, String> form) {
    State.Role r = role(form);
    String doc = required(form, "PolicyDocument");
    validateTrust(doc);
    r.trustPolicy = doc;
  }

  private void updateRole(Map<String, String> form) {
    State.Role r = role(form);
    Optional<Integer> max = maxSession(form);
    max.ifPresent(m -> r.maxSessionDuration = m);
    if (form.containsKey("Description")) {
      r.description = form.get("Description");
    }
  }

  private void deleteRole(Map<String, String> form) {
    State.Role r = role(form);
    synchronized (r) {
      if (!r.inlinePolicies.isEmpty()) {
        throw new AwsError("DeleteConflict", 409,
            "Cannot delete entity, must delete policies first.");
      }
      if (!r.attached.isEmpty()) {
        throw new AwsError("DeleteConflict", 409,
            "Cannot delete entity, must detach all policies first.");
      }
    }
    state.roles.remove(r.name);
  }

  private void putRolePolicy(Map<String, String> form) {
    State.Role r = role(form);
    String policyName = policyName(form);
    String doc = required(form, "PolicyDocument");
    Optional<String> problem = lint(doc, PolicyKind.IDENTITY);
    if (engine.authz.quotaSize(doc) > INLINE_QUOTA) {
      throw new AwsError("LimitExceeded", 409, "Maximum policy size of " + INLINE_QUOTA
          + " bytes exceeded for role " + r.name);
    }
    problem.ifPresent(p -> {
      throw new AwsError("MalformedPolicyDocument", 400, p);
    });
    synchronized (r) {
      r.inlinePolicies.put(policyName, doc);
    }
  }

  private void getRolePolicy(Map<String, String> form, Xml out) {
    State.Role r = role(form);
    String policyName = policyName(form);
    String doc;
    synchronized (r) {
      doc = r.inlinePolicies.get(policyName);
    }
    if (doc == null) {
      throw new AwsError("NoSuchEntity", 404, "The role policy with name " + policyName
          + " cannot be found.");
    }
    out.leaf("RoleName", r.name).leaf("PolicyName", policyName)
        .leaf("PolicyDocument", Xml.urlEncode(doc));
  }

  private void listRolePolicies(Map<String, String> form, Xml out) {
    State.Role r = role(form);
    List<String> names;
    synchronized (r) {
      names = new ArrayList<>(r.inlinePolicies.keySet());
    }
    out.members("PolicyNames", names).leaf("IsTruncated", false);
  }

  private void deleteRolePolicy(Map<String, String> form) {
    State.Role r = role(form);
    String policyName = policyName(form);
    synchronized (r) {
      if (r.inlinePolicies.remove(policyName) == null) {
        throw new AwsError("NoSuchEntity", 404, "The role policy with name " + policyName
            + " cannot be found.");
      }
    }
  }

  private void validateTrust(String doc) {
    Optional<String> problem = lint(doc, PolicyKind.TRUST);
    if (engine.authz.quotaSize(doc) > TRUST_QUOTA) {
      throw new AwsError("LimitExceeded", 409,
          "Cannot exceed quota for ACLSizePerRole: " + TRUST_QUOTA);
    }
    problem.ifPresent(p -> {
      throw new AwsError("MalformedPolicyDocument", 400, p);
    });
    invalidPrincipal(doc).ifPresent(p -> {
      throw new AwsError("MalformedPolicyDocument", 400, "Invalid principal in policy: " + p);
    });
    SharedIssuers.check(dev.oidcecr.policies.PolicyDocument.parse(doc)).ifPresent(e -> {
      throw e;
    });
  }

  private static final Pattern AWS_PRINCIPAL = Pattern.compile(
      "\\*|\\d{12}|arn:aws[a-z-]*:(iam::\\d{12}:(root|(role|user)/.+)"
          + "|sts::\\d{12}:assumed-role/.+)");
  private static final Pattern FEDERATED_PRINCIPAL = Pattern.compile(
      "arn:aws[a-z-]*:iam::\\d{12}:(oidc-provider|saml-provider)/.+|[a-z0-9.-]+\\.[a-z]{2,}");

  /**
   * Finds a principal IAM would refuse: a malformed AWS or Federated value, or a role of this
   * account that does not exist.
   */
  private Optional<String> invalidPrincipal(String doc) {
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = Engine.JSON.readTree(dev.oidcecr.policies.PolicyDocument.parse(doc).toJson());
    } catch (java.io.IOException | PolicyException e) {
      return Optional.empty();
    }
    for (com.fasterxml.jackson.databind.JsonNode st : root.path("Statement")) {
      com.fasterxml.jackson.databind.JsonNode principal = st.path("Principal");
      for (String type : List.of("AWS", "Federated")) {
        com.fasterxml.jackson.databind.JsonNode values = principal.path(type);
        List<String> list = new ArrayList<>();
        if (values.isTextual()) {
          list.add(values.asText());
        } else {
          values.forEach(v -> list.add(v.asText()));
        }
        for (String v : list) {
          boolean ok = type.equals("AWS") ? AWS_PRINCIPAL.matcher(v).matches()
              : FEDERATED_PRINCIPAL.matcher(v).matches();
          if (!ok) {
            return Optional.of(type + " '" + v + "'");
          }
          // IAM checks that a role named as principal exists, in whichever account.
          State named = engine.stateOf(Engine.accountOf(v));
          if (named != null && v.startsWith("arn:aws:iam::" + Engine.accountOf(v) + ":role/")) {
            String name = v.substring(v.lastIndexOf('/') + 1);
            State.Role r;
            synchronized (named) {
              r = named.roles.get(name);
            }
            if (r == null || !r.arn.equals(v)) {
              return Optional.of("role " + v + " does not exist");
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  Optional<String> lint(String doc, PolicyKind kind) {
    try {
      return engine.authz.problems(doc, kind);
    } catch (PolicyException e) {
      throw new AwsError("MalformedPolicyDocument", 400,
          "Syntax errors in policy. " + e.getMessage());
    }
  }

  static String path(Map<String, String> form) {
    String path = form.getOrDefault("Path", "/");
    if (!path.startsWith("/") || !path.endsWith("/") || path.length() > 512) {
      throw AwsError.validation("1 validation error detected: Value '" + path
          + "' at 'path' failed to satisfy constraint: Member must start and end with /");
    }
    return path;
  }

  private static String roleName(Map<String, String> form) {
    String name = required(form, "RoleName");
    if (name.isEmpty() || name.length() > 64 || !NAME.matcher(name).matches()) {
      throw AwsError.validation("1 validation error detected: Value '" + name
          + "' at 'roleName' failed to satisfy constraint: Member must satisfy regular "
          + "expression pattern: [\\w+=,.@-]+ and have length between 1 and 64");
    }
    return name;
  }

  static String policyName(Map<String, String> form) {
    String name = required(form, "PolicyName");
    if (name.isEmpty() || name.length() > 128 || !NAME.matcher(name).matches()) {
      throw AwsError.validation("1 validation error detected: Value '" + name
          + "' at 'policyName' failed to satisfy constraint: Member must satisfy regular "
          + "expression pattern: [\\w+=,.@-]+");
    }
    return name;
  }

  private static Optional<Integer> maxSession(Map<String, String> form) {
    String v = form.get("MaxSessionDuration");
    if (v == null) {
      return Optional.empty();
    }
    int max;
    try {
      max = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw AwsError.validation("MaxSessionDuration '" + v + "' is not a number");
    }
    if (max < 3600 || max > 43200) {
      throw AwsError.validation("1 validation error detected: Value '" + max
          + "' at 'maxSessionDuration' failed to satisfy constraint: Member must have value "
          + (max < 3600 ? "greater than or equal to 3600" : "less than or equal to 43200"));
    }
    return Optional.of(max);
  }

  static String required(Map<String, String> form, String name) {
    String v = form.get(name);
    if (v == null) {
      throw AwsError.validation("1 validation error detected: Value null at '"
          + Character.toLowerCase(name.charAt(0)) + name.substring(1)
          + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  static List<String> members(Map<String, String> form, String list) {
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    String prefix = list + ".member.";
    form.forEach((k, v) -> {
      if (k.startsWith(prefix) && k.indexOf('.', prefix.length()) < 0) {
        try {
          byIndex.put(Integer.parseInt(k.substring(prefix.length())), v);
        } catch (NumberFormatException ignored) {
          // not a list member
        }
      }
    });
    return new ArrayList<>(byIndex.values());
  }

  static Map<String, String> tags(Map<String, String> form) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    TreeMap<Integer, String> k = new TreeMap<>();
    form.forEach((name, v) -> {
      if (name.startsWith("Tags.member.") && name.endsWith(".Key")) {
        k.put(Integer.parseInt(name.substring(12, name.length() - 4)), v);
      }
    });
    k.forEach((i, key) -> {
      keys.add(key);
      out.put(key, form.getOrDefault("Tags.member." + i + ".Value", ""));
    });
    return out;
  }

  static void tagsXml(Xml out, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return;
    }
    out.open("Tags");
    tags.forEach((k, v) -> out.open("member").leaf("Key", k).leaf("Value", v).close("member"));
    out.close("Tags");
  }
}
