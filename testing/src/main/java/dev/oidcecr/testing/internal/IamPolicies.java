package dev.oidcecr.testing.internal;

import dev.oidcecr.policies.PolicyKind;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IAM's managed-policy operations: customer managed policies with versions, AWS managed
 * policies (read-only, shared by every account) and their attachment to roles. Called by
 * {@link Iam} with the account's state locked.
 *
 * <p>Quotas and messages follow the IAM User Guide's "IAM and AWS STS quotas": at most 5
 * versions of a managed policy, 6,144 characters (white space not counted) per managed policy,
 * 10 managed policies attached to a role by default.
 */
final class IamPolicies {
  private static final int VERSION_LIMIT = 5;
  private static final int SIZE_QUOTA = 6144;
  private static final int ATTACHED_PER_ROLE = 10;

  private final Engine engine;
  private final Iam iam;

  IamPolicies(Engine engine, Iam iam) {
    this.engine = engine;
    this.iam = iam;
  }

  boolean handles(String action) {
    return switch (action) {
      case "CreatePolicy", "GetPolicy", "GetPolicyVersion", "CreatePolicyVersion",
          "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicy",
          "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "ListPolicies"
          -> true;
      default -> false;
    };
  }

  void handle(String action, State st, String account, Map<String, String> form, Xml out) {
    switch (action) {
      case "CreatePolicy" -> create(st, account, form, out);
      case "GetPolicy" -> policyXml(st, out, policy(st, form), true);
      case "GetPolicyVersion" -> getVersion(st, form, out);
      case "CreatePolicyVersion" -> createVersion(st, form, out);
      case "ListPolicyVersions" -> listVersions(st, form, out);
      case "DeletePolicyVersion" -> deleteVersion(st, form);
      case "SetDefaultPolicyVersion" -> setDefault(st, form);
      case "DeletePolicy" -> delete(st, form);
      case "AttachRolePolicy" -> attach(st, form);
      case "DetachRolePolicy" -> detach(st, form);
      case "ListAttachedRolePolicies" -> listAttached(st, form, out);
      case "ListPolicies" -> list(st, form, out);
      default -> throw new IllegalArgumentException(action);
    }
  }

  private void create(State st, String account, Map<String, String> form, Xml out) {
    String name = Iam.policyName(form);
    String path = Iam.path(form);
    String doc = Iam.required(form, "PolicyDocument");
    validate(doc);
    String arn = "arn:aws:iam::" + account + ":policy" + path + name;
    boolean taken = st.managedPolicies.values().stream().anyMatch(p -> p.name.equals(name));
    if (taken) {
      throw new AwsError("EntityAlreadyExists", 409, "A policy called " + name
          + " already exists. Duplicate names are not allowed.");
    }
    Instant now = engine.config.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    State.ManagedPolicy p = new State.ManagedPolicy(name, path, State.randomId("ANPA", 17), arn,
        now, false, form.get("Description"));
    p.tags.putAll(Iam.tags(form));
    p.versions.put(1, new State.PolicyVersion(1, doc, now));
    p.defaultVersion = 1;
    p.nextVersion = 2;
    st.managedPolicies.put(arn, p);
    policyXml(st, out, p, true);
  }

  private void validate(String doc) {
    Optional<String> problem = iam.lint(doc, PolicyKind.IDENTITY);
    if (engine.authz.quotaSize(doc) > SIZE_QUOTA) {
      throw new AwsError("LimitExceeded", 409, "Cannot exceed quota for PolicySize: "
          + SIZE_QUOTA);
    }
    problem.ifPresent(p -> {
      throw new AwsError("MalformedPolicyDocument", 400, p);
    });
  }

  /** Finds a customer managed policy of this account or an AWS managed policy. */
  static State.ManagedPolicy find(State st, String arn) {
    State.ManagedPolicy p = st.managedPolicies.get(arn);
    if (p == null) {
      p = AwsManagedPolicies.find(arn).orElse(null);
    }
    if (p == null) {
      throw new AwsError("NoSuchEntity", 404, "Policy " + arn
          + " does not exist or is not attachable.");
    }
    return p;
  }

  private static State.ManagedPolicy policy(State st, Map<String, String> form) {
    return find(st, Iam.required(form, "PolicyArn"));
  }

  private static State.ManagedPolicy customer(State st, Map<String, String> form) {
    State.ManagedPolicy p = policy(st, form);
    if (p.awsManaged) {
      throw new AwsError("AccessDenied", 403, "Policy " + p.arn + " is an AWS managed policy:"
          + " it cannot be changed or deleted. Create a customer managed policy instead.");
    }
    return p;
  }

  private static int attachments(State st, State.ManagedPolicy p) {
    int n = 0;
    for (State.Role r : st.roles.values()) {
      synchronized (r) {
        if (r.attached.contains(p)) {
          n++;
        }
      }
    }
    return n;
  }

  private static void policyXml(State st, Xml out, State.ManagedPolicy p, boolean full) {
    String date;
    String updated;
    String defaultVersion;
    synchronized (p) {
      date = DateTimeFormatter.ISO_INSTANT.format(p.created);
      updated = DateTimeFormatter.ISO_INSTANT.format(p.updated);
      defaultVersion = p.defaultVersionId();
    }
    out.open(full ? "Policy" : "member").leaf("PolicyName", p.name).leaf("PolicyId", p.id)
        .leaf("Arn", p.arn).leaf("Path", p.path).leaf("DefaultVersionId", defaultVersion)
        .leaf("AttachmentCount", attachments(st, p)).leaf("PermissionsBoundaryUsageCount", 0)
        .leaf("IsAttachable", true);
    if (full) {
      out.leaf("Description", p.description);
    }
    out.leaf("CreateDate", date).leaf("UpdateDate", updated);
    if (full && !p.tags.isEmpty()) {
      Iam.tagsXml(out, p.tags);
    }
    out.close(full ? "Policy" : "member");
  }

  private static State.PolicyVersion version(State.ManagedPolicy p, String versionId) {
    State.PolicyVersion v = null;
    if (versionId.matches("v[1-9][0-9]*")) {
      v = p.versions.get(Integer.parseInt(versionId.substring(1)));
    }
    if (v == null) {
      throw new AwsError("NoSuchEntity", 404, "Policy " + p.arn + " version " + versionId
          + " does not exist or is not attachable.");
    }
    return v;
  }

  private static void versionXml(Xml out, State.ManagedPolicy p, State.PolicyVersion v,
      boolean withDocument, String element) {
    out.open(element);
    if (withDocument) {
      out.leaf("Document", Xml.urlEncode(v.document()));
    }
    out.leaf("VersionId", v.id()).leaf("IsDefaultVersion", v.number() == p.defaultVersion)
        .leaf("CreateDate", DateTimeFormatter.ISO_INSTANT.format(v.created())).close(element);
  }

  private static void getVersion(State st, Map<String, String> form, Xml out) {
    State.ManagedPolicy p = policy(st, form);
    String versionId = Iam.required(form, "VersionId");
    synchronized (p) {
      versionXml(out, p, version(p, versionId), true, "PolicyVersion");
    }
  }

  private void createVersion(State st, Map<String, String> form, Xml out) {
    State.ManagedPolicy p = customer(st, form);
    String doc = Iam.required(form, "PolicyDocument");
    validate(doc);
    boolean setDefault = Boolean.parseBoolean(form.getOrDefault("SetAsDefault", "false"));
    Instant now = engine.config.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    synchronized (p) {
      if (p.versions.size() >= VERSION_LIMIT) {
        throw new AwsError("LimitExceeded", 409, "A managed policy can have up to "
            + VERSION_LIMIT + " versions. Before you create a new version, you must delete an "
            + "existing version.");
      }
      State.PolicyVersion v = new State.PolicyVersion(p.nextVersion++, doc, now);
      p.versions.put(v.number(), v);
      if (setDefault) {
        p.defaultVersion = v.number();
        p.updated = now;
      }
      versionXml(out, p, v, false, "PolicyVersion");
    }
  }

  private static void listVersions(State st, Map<String, String> form, Xml out) {
    State.ManagedPolicy p = policy(st, form);
    out.open("Versions");
    synchronized (p) {
      for (State.PolicyVersion v : p.versions.descendingMap().values()) {
        versionXml(out, p, v, false, "member");
      }
    }
    out.close("Versions").leaf("IsTruncated", false);
  }

  private static void deleteVersion(State st, Map<String, String> form) {
    State.ManagedPolicy p = customer(st, form);
    String versionId = Iam.required(form, "VersionId");
    synchronized (p) {
      State.PolicyVersion v = version(p, versionId);
      if (v.number() == p.defaultVersion) {
        throw new AwsError("DeleteConflict", 409,
            "Cannot delete the default version of a policy.");
      }
      p.versions.remove(v.number());
    }
  }

  private void setDefault(State st, Map<String, String> form) {
    State.ManagedPolicy p = customer(st, form);
    String versionId = Iam.required(form, "VersionId");
    synchronized (p) {
      p.defaultVersion = version(p, versionId).number();
      p.updated = engine.config.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    }
  }

  private static void delete(State st, Map<String, String> form) {
    State.ManagedPolicy p = customer(st, form);
    if (attachments(st, p) > 0) {
      throw new AwsError("DeleteConflict", 409, "Cannot delete a policy attached to entities.");
    }
    synchronized (p) {
      if (p.versions.size() > 1) {
        throw new AwsError("DeleteConflict", 409, "This policy has more than one version. "
            + "Before you delete a policy, you must delete the policy's versions. The default "
            + "version is deleted with the policy.");
      }
    }
    st.managedPolicies.remove(p.arn);
  }

  private void attach(State st, Map<String, String> form) {
    State.Role r = iam.role(st, form);
    State.ManagedPolicy p = policy(st, form);
    synchronized (r) {
      if (r.attached.contains(p)) {
        return;
      }
      if (r.attached.size() >= ATTACHED_PER_ROLE) {
        throw new AwsError("LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: "
            + ATTACHED_PER_ROLE);
      }
      r.attached.add(p);
    }
  }

  private void detach(State st, Map<String, String> form) {
    State.Role r = iam.role(st, form);
    String arn = Iam.required(form, "PolicyArn");
    synchronized (r) {
      if (!r.attached.removeIf(p -> p.arn.equals(arn))) {
        throw new AwsError("NoSuchEntity", 404, "Policy " + arn + " was not found.");
      }
    }
  }

  private void listAttached(State st, Map<String, String> form, Xml out) {
    State.Role r = iam.role(st, form);
    String prefix = form.getOrDefault("PathPrefix", "/");
    List<State.ManagedPolicy> list;
    synchronized (r) {
      list = new ArrayList<>(r.attached);
    }
    out.open("AttachedPolicies");
    for (State.ManagedPolicy p : list) {
      if (p.path.startsWith(prefix)) {
        out.open("member").leaf("PolicyName", p.name).leaf("PolicyArn", p.arn).close("member");
      }
    }
    out.close("AttachedPolicies").leaf("IsTruncated", false);
  }

  private static void list(State st, Map<String, String> form, Xml out) {
    String scope = form.getOrDefault("Scope", "All");
    if (!List.of("All", "AWS", "Local").contains(scope)) {
      throw AwsError.validation("1 validation error detected: Value '" + scope + "' at 'scope' "
          + "failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
    }
    boolean onlyAttached = Boolean.parseBoolean(form.getOrDefault("OnlyAttached", "false"));
    String prefix = form.getOrDefault("PathPrefix", "/");
    List<State.ManagedPolicy> candidates = new ArrayList<>();
    if (!scope.equals("Local")) {
      candidates.addAll(AwsManagedPolicies.ALL);
    }
    if (!scope.equals("AWS")) {
      candidates.addAll(st.managedPolicies.values());
    }
    out.open("Policies");
    for (State.ManagedPolicy p : candidates) {
      if (p.path.startsWith(prefix) && (!onlyAttached || attachments(st, p) > 0)) {
        policyXml(st, out, p, false);
      }
    }
    out.close("Policies").leaf("IsTruncated", false);
  }
}
