package dev.oidcecr.testing.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The AWS managed policies the fake knows, with their published default versions. AWS managed
 * policies are shared by every account, cannot be changed, and have ARNs of the form
 * {@code arn:aws:iam::aws:policy/<name>}.
 *
 * <p>Documents, creation and edit times and the version numbers are those of the AWS Managed
 * Policy Reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryReadOnly.html
 * and .../AmazonEC2ContainerRegistryPowerUser.html, both at v3, edited 10 December 2019). The
 * policy ids are the fake's own. Only the default version is kept.
 */
final class AwsManagedPolicies {
  static final String READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";
  static final String POWER_USER = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser";

  private static final List<String> READ_ACTIONS = List.of(
      "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories",
      "ecr:ListImages", "ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetLifecyclePolicy",
      "ecr:GetLifecyclePolicyPreview", "ecr:ListTagsForResource",
      "ecr:DescribeImageScanFindings");
  private static final List<String> WRITE_ACTIONS = List.of(
      "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
      "ecr:PutImage");

  static final List<State.ManagedPolicy> ALL = List.of(
      policy("AmazonEC2ContainerRegistryReadOnly", "ANPAFAKEECRREADONLY01",
          "Provides read-only access to Amazon EC2 Container Registry repositories.",
          "2015-12-21T17:04:00Z", "2019-12-10T20:56:00Z", READ_ACTIONS),
      policy("AmazonEC2ContainerRegistryPowerUser", "ANPAFAKEECRPOWERUSER1",
          "Provides full access to Amazon EC2 Container Registry repositories, but does not "
              + "allow repository deletion or policy changes.",
          "2015-12-21T17:05:00Z", "2019-12-10T20:48:00Z",
          concat(READ_ACTIONS, WRITE_ACTIONS)));

  private AwsManagedPolicies() {}

  static Optional<State.ManagedPolicy> find(String arn) {
    return ALL.stream().filter(p -> p.arn.equals(arn)).findFirst();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }

  private static State.ManagedPolicy policy(String name, String id, String description,
      String created, String edited, List<String> actions) {
    State.ManagedPolicy p = new State.ManagedPolicy(name, "/", id,
        "arn:aws:iam::aws:policy/" + name, Instant.parse(created), true, description);
    StringBuilder doc = new StringBuilder("{\n  \"Version\" : \"2012-10-17\",\n"
        + "  \"Statement\" : [\n    {\n      \"Effect\" : \"Allow\",\n      \"Action\" : [\n");
    for (int i = 0; i < actions.size(); i++) {
      doc.append("        \"").append(actions.get(i)).append('"')
          .append(i + 1 < actions.size() ? ",\n" : "\n");
    }
    doc.append("      ],\n      \"Resource\" : \"*\"\n    }\n  ]\n}");
    p.versions.put(3, new State.PolicyVersion(3, doc.toString(), Instant.parse(edited)));
    p.defaultVersion = 3;
    p.nextVersion = 4;
    p.updated = Instant.parse(edited);
    return p;
  }
}
