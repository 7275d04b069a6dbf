package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.PolicyKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** ECR's JSON 1.1 operations, authorised by identity and repository policies. */
final class Ecr {
  private static final Pattern NAME =
      Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  private static final String BAD_POLICY =
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy "
          + "provided'";
  static final String DEFAULT_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

  private final Engine engine;
  private final State state;
  private final String account;
  private final EcrImages images;

  /** ECR of one account (one registry) of the fake. */
  Ecr(Engine engine, State state, String account) {
    this.engine = engine;
    this.state = state;
    this.account = account;
    this.images = new EcrImages(engine, this);
  }

  HttpAnswer handle(String op, HttpCall call) {
    Caller caller = engine.caller(call, "ecr");
    JsonNode in;
    try {
      in = call.body().length == 0 ? Engine.JSON.createObjectNode()
          : Engine.JSON.readTree(call.body());
    } catch (java.io.IOException e) {
      throw new AwsError("SerializationException", 400, "The request body is not valid JSON.");
    }
    // The registry named by registryId (default: the caller's own) answers; a registry of an
    // account the fake does not serve is answered by the caller's, which finds no repository.
    String registryId = in.hasNonNull("registryId") ? in.get("registryId").asText()
        : caller.account();
    Ecr target = engine.ecrOf(registryId);
    if (target == null) {
      target = engine.ecrOf(caller.account());
    }
    if (target == null) {
      target = this;
    }
    ObjectNode out;
    try {
      out = target.dispatch(op, caller, in, call);
    } catch (BlobStore.Full e) {
      throw new AwsError("LimitExceededException", 400, e.getMessage());
    }
    return HttpAnswer.of(200, "application/x-amz-json-1.1", out.toString());
  }

  private ObjectNode dispatch(String op, Caller caller, JsonNode in, HttpCall call) {
    return switch (op) {
      case "GetAuthorizationToken" -> authorizationToken(caller, in);
      case "CreateRepository" -> createRepository(caller, in);
      case "DescribeRepositories" -> describeRepositories(caller, in);
      case "DeleteRepository" -> deleteRepository(caller, in);
      case "SetRepositoryPolicy" -> setPolicy(caller, in);
      case "GetRepositoryPolicy" -> getPolicy(caller, in);
      case "DeleteRepositoryPolicy" -> deletePolicy(caller, in);
      case "BatchGetImage" -> batchGetImage(caller, in);
      case "PutImage" -> images.putImage(caller, in);
      case "BatchDeleteImage" -> images.batchDeleteImage(caller, in);
      case "DescribeImages" -> images.describeImages(caller, in);
      case "ListImages" -> images.listImages(caller, in);
      case "BatchCheckLayerAvailability" -> images.batchCheckLayerAvailability(caller, in);
      case "InitiateLayerUpload" -> images.initiateLayerUpload(caller, in);
      case "UploadLayerPart" -> images.uploadLayerPart(caller, in);
      case "CompleteLayerUpload" -> images.completeLayerUpload(caller, in);
      case "GetDownloadUrlForLayer" -> images.getDownloadUrlForLayer(caller, in, call);
      case "PutImageTagMutability" -> images.putImageTagMutability(caller, in);
      default -> throw new AwsError("UnknownOperationException", 400,
          "The fake does not serve ECR operation " + op + ".");
    };
  }

  EcrImages images() {
    return images;
  }

  private String account() {
    return account;
  }

  private String region() {
    return engine.config.region();
  }

  String repositoryArn(String name) {
    return "arn:aws:ecr:" + region() + ":" + account() + ":repository/" + name;
  }

  private String proxyEndpoint(String registryId) {
    return "https://" + registryId + ".dkr.ecr." + region() + ".amazonaws.com";
  }

  private ObjectNode authorizationToken(Caller caller, JsonNode in) {
    check(caller, "GetAuthorizationToken", "ecr:GetAuthorizationToken", "*", Optional.empty());
    List<String> registries = new ArrayList<>();
    in.path("registryIds").forEach(n -> registries.add(n.asText()));
    if (registries.isEmpty()) {
      registries.add(account());
    }
    Instant expires = engine.config.clock().instant().plus(Duration.ofHours(12));
    ObjectNode out = Engine.JSON.createObjectNode();
    ArrayNode data = out.putArray("authorizationData");
    for (String registry : registries) {
      String password = "eyJwYXlsb2FkIjoiZmFrZS1lY3Ii" + State.randomSecret(120).replace('/', '_');
      engine.state.ecrPasswords.put(password, new State.EcrGrant(caller, expires, registry));
      data.addObject()
          .put("authorizationToken", Base64.getEncoder()
              .encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8)))
          .put("expiresAt", expires.getEpochSecond() + expires.getNano() / 1e9)
          .put("proxyEndpoint", proxyEndpoint(registry));
    }
    return out;
  }

  private ObjectNode createRepository(Caller caller, JsonNode in) {
    String name = name(in);
    check(caller, "CreateRepository", "ecr:CreateRepository", repositoryArn(name),
        Optional.empty());
    State.Repository repo;
    synchronized (state) {
      if (state.repositories.containsKey(name)) {
        throw new AwsError("RepositoryAlreadyExistsException", 400, "The repository with name '"
            + name + "' already exists in the registry with id '" + account() + "'");
      }
      repo = create(name);
      String mutability = in.path("imageTagMutability").asText("MUTABLE");
      if (!mutability.equals("MUTABLE") && !mutability.equals("IMMUTABLE")) {
        state.repositories.remove(name);
        throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
            + "'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum "
            + "value set: [MUTABLE, IMMUTABLE]'");
      }
      repo.tagMutability = mutability;
    }
    ObjectNode out = Engine.JSON.createObjectNode();
    out.set("repository", json(repo));
    return out;
  }

  private State.Repository create(String name) {
    State.Repository repo = new State.Repository(name, repositoryArn(name), account(),
        account() + ".dkr.ecr." + region() + ".amazonaws.com/" + name,
        engine.config.clock().instant());
    state.repositories.put(name, repo);
    return repo;
  }

  private ObjectNode describeRepositories(Caller caller, JsonNode in) {
    List<State.Repository> found = new ArrayList<>();
    if (in.has("repositoryNames")) {
      for (JsonNode n : in.get("repositoryNames")) {
        String name = n.asText();
        State.Repository repo = lookup(name);
        check(caller, "DescribeRepositories", "ecr:DescribeRepositories", repo.arn,
            Optional.ofNullable(repo.policy));
        found.add(repo);
      }
    } else {
      List<State.Repository> all;
      synchronized (state) {
        all = new ArrayList<>(state.repositories.values());
      }
      for (State.Repository repo : all) {
        if (allowed(caller, "ecr:DescribeRepositories", repo.arn,
            Optional.ofNullable(repo.policy)).allowed()) {
          found.add(repo);
        }
      }
    }
    ObjectNode out = Engine.JSON.createObjectNode();
    ArrayNode arr = out.putArray("repositories");
    found.forEach(r -> arr.add(json(r)));
    return out;
  }

  private ObjectNode deleteRepository(Caller caller, JsonNode in) {
    String name = name(in);
    State.Repository repo = lookup(name);
    check(caller, "DeleteRepository", "ecr:DeleteRepository", repo.arn,
        Optional.ofNullable(repo.policy));
    synchronized (state) {
      if (!repo.isEmpty() && !in.path("force").asBoolean(false)) {
        throw new AwsError("RepositoryNotEmptyException", 400, "The repository with name '"
            + name + "' in registry with id '" + account() + "' cannot be deleted because it "
            + "still contains images; delete them first or set force.");
      }
      state.repositories.remove(name);
    }
    ObjectNode out = Engine.JSON.createObjectNode();
    out.set("repository", json(repo));
    return out;
  }

  private ObjectNode setPolicy(Caller caller, JsonNode in) {
    String name = name(in);
    State.Repository repo = lookup(name);
    check(caller, "SetRepositoryPolicy", "ecr:SetRepositoryPolicy", repo.arn,
        Optional.ofNullable(repo.policy));
    String text = in.path("policyText").asText("");
    if (text.isEmpty() || text.length() > 10240) {
      throw new AwsError("InvalidParameterException", 400, BAD_POLICY);
    }
    try {
      Optional<String> problem = engine.authz.problems(text, PolicyKind.REPOSITORY);
      if (problem.isPresent() || hasResource(Engine.JSON.readTree(text).path("Statement"))) {
        throw new AwsError("InvalidParameterException", 400, BAD_POLICY);
      }
    } catch (PolicyException | java.io.IOException e) {
      throw new AwsError("InvalidParameterException", 400, BAD_POLICY);
    }
    repo.policy = text;
    return policyAnswer(repo, text);
  }

  private ObjectNode getPolicy(Caller caller, JsonNode in) {
    State.Repository repo = lookup(name(in));
    check(caller, "GetRepositoryPolicy", "ecr:GetRepositoryPolicy", repo.arn,
        Optional.ofNullable(repo.policy));
    String text = repo.policy;
    if (text == null) {
      throw noPolicy(repo);
    }
    return policyAnswer(repo, text);
  }

  private ObjectNode deletePolicy(Caller caller, JsonNode in) {
    State.Repository repo = lookup(name(in));
    check(caller, "DeleteRepositoryPolicy", "ecr:DeleteRepositoryPolicy", repo.arn,
        Optional.ofNullable(repo.policy));
    String text = repo.policy;
    if (text == null) {
      throw noPolicy(repo);
    }
    repo.policy = null;
    return policyAnswer(repo, text);
  }

  private AwsError noPolicy(State.Repository repo) {
    return new AwsError("RepositoryPolicyNotFoundException", 400, "Repository policy does not "
        + "exist for the repository with name '" + repo.name + "' in the registry with id '"
        + account() + "'");
  }

  private ObjectNode policyAnswer(State.Repository repo, String text) {
    ObjectNode out = Engine.JSON.createObjectNode();
    out.put("registryId", account()).put("repositoryName", repo.name).put("policyText", text);
    return out;
  }

  private ObjectNode batchGetImage(Caller caller, JsonNode in) {
    State.Repository repo = lookup(name(in));
    check(caller, "BatchGetImage", "ecr:BatchGetImage", repo.arn,
        Optional.ofNullable(repo.policy));
    ObjectNode out = Engine.JSON.createObjectNode();
    ArrayNode images = out.putArray("images");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode id : in.path("imageIds")) {
      String tag = id.path("imageTag").asText(null);
      String digest = id.path("imageDigest").asText(null);
      Optional<State.Image> image = repo.image(tag != null ? tag : digest == null ? "" : digest);
      if (image.isPresent() && (digest == null || image.get().digest().equals(digest))) {
        ObjectNode img = images.addObject();
        img.put("registryId", account()).put("repositoryName", repo.name);
        ObjectNode imageId = img.putObject("imageId");
        imageId.put("imageDigest", image.get().digest());
        if (tag != null) {
          imageId.put("imageTag", tag);
        } else {
          repo.tagsOf(image.get().digest()).stream().findFirst()
              .ifPresent(t -> imageId.put("imageTag", t));
        }
        img.put("imageManifest", image.get().manifestText());
        img.put("imageManifestMediaType", image.get().mediaType());
      } else {
        ObjectNode f = failures.addObject();
        f.set("imageId", id);
        f.put("failureCode", image.isPresent() ? "ImageTagDoesNotMatchDigest" : "ImageNotFound");
        f.put("failureReason", "Requested image not found");
      }
    }
    return out;
  }

  /** Stores an image, creating the repository if needed; returns its digest. */
  String seed(String repository, String tag, String manifest) {
    return seed(repository, java.util.List.of(), tag == null ? List.of() : List.of(tag),
        manifest.getBytes(StandardCharsets.UTF_8), false);
  }

  /**
   * Stores blobs and a manifest that references them, creating the repository if needed.
   *
   * @param checked whether the manifest's blobs must be among those stored
   * @return the manifest digest
   */
  String seed(String repository, List<byte[]> blobs, List<String> tags, byte[] manifest,
      boolean checked) {
    if (!NAME.matcher(repository).matches()) {
      throw new IllegalArgumentException("Repository name '" + repository
          + "' is not valid for ECR: use lowercase path segments such as 'team/app'.");
    }
    State.Repository repo;
    synchronized (state) {
      repo = state.repositories.get(repository);
      if (repo == null) {
        repo = create(repository);
      }
    }
    for (byte[] blob : blobs) {
      String d = engine.state.blobs.put(blob);
      synchronized (repo) {
        repo.layers.add(d);
      }
    }
    Instant now = engine.config.clock().instant();
    try {
      String digest = null;
      List<String> all = tags.isEmpty() ? java.util.Collections.singletonList(null) : tags;
      for (String tag : all) {
        digest = Images.put(repo, engine.state.blobs, manifest, null, tag, null, now, checked)
            .image().digest();
      }
      return digest;
    } catch (AwsError e) {
      throw new IllegalArgumentException("The image to seed in '" + repository + "' is not "
          + "valid: " + e.getMessage(), e);
    }
  }

  static String digest(String manifest) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(manifest.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String name(JsonNode in) {
    String name = in.path("repositoryName").asText("");
    if (name.length() < 2 || name.length() > 256 || !NAME.matcher(name).matches()) {
      throw new AwsError("InvalidParameterException", 400, "Invalid parameter at "
          + "'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '"
          + "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length "
          + "between 2 and 256'");
    }
    if (in.hasNonNull("registryId") && !in.get("registryId").asText().equals(account())) {
      throw new AwsError("RepositoryNotFoundException", 400, "The repository with name '" + name
          + "' does not exist in the registry with id '" + in.get("registryId").asText() + "'");
    }
    return name;
  }

  State.Repository lookup(String name) {
    State.Repository repo;
    synchronized (state) {
      repo = state.repositories.get(name);
    }
    if (repo == null) {
      throw new AwsError("RepositoryNotFoundException", 400, "The repository with name '" + name
          + "' does not exist in the registry with id '" + account() + "'");
    }
    return repo;
  }

  Authz.Verdict allowed(Caller caller, String action, String resource,
      Optional<String> repositoryPolicy) {
    List<String> identity = List.of();
    if (!caller.isAdmin()) {
      State.Role role;
      State callerState = engine.stateOf(caller.account());
      synchronized (callerState) {
        role = callerState.roles.get(caller.roleName().orElseThrow());
      }
      identity = role == null ? List.of() : role.policies();
    }
    return engine.authz.authorize(caller, identity, engine.sessionPolicies(caller),
        repositoryPolicy, account(), action,
        resource, engine.principalContext(caller));
  }

  void check(Caller caller, String op, String action, String resource,
      Optional<String> repositoryPolicy) {
    Authz.Verdict v = allowed(caller, action, resource, repositoryPolicy);
    if (!v.allowed()) {
      engine.deny(op, caller.arn(), action, resource, v.explanation());
      String because = v.decision() == dev.oidcecr.policies.Decision.EXPLICIT_DENY
          ? " with an explicit deny" : repositoryPolicy.isPresent()
              ? " because no identity-based or resource-based policy allows the " + action
                  + " action"
              : " because no identity-based policy allows the " + action + " action";
      throw new AwsError("AccessDeniedException", 400, "User: " + caller.arn()
          + " is not authorized to perform: " + action + " on resource: " + resource + because);
    }
  }

  ObjectNode json(State.Repository r) {
    ObjectNode o = Engine.JSON.createObjectNode();
    o.put("repositoryArn", r.arn).put("registryId", r.registryId)
        .put("repositoryName", r.name).put("repositoryUri", r.uri)
        .put("createdAt", r.created.getEpochSecond() + r.created.getNano() / 1e9)
        .put("imageTagMutability", r.tagMutability);
    o.putObject("imageScanningConfiguration").put("scanOnPush", false);
    o.putObject("encryptionConfiguration").put("encryptionType", "AES256");
    return o;
  }

  // ECR rejects a Resource element in a repository policy: the repository is the resource.
  private static boolean hasResource(JsonNode statements) {
    if (statements.isObject()) {
      return statements.has("Resource") || statements.has("NotResource");
    }
    for (JsonNode s : statements) {
      if (s.has("Resource") || s.has("NotResource")) {
        return true;
      }
    }
    return false;
  }
}
