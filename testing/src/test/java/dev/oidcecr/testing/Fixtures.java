package dev.oidcecr.testing;

import software.amazon.awssdk.services.iam.IamClient;

/** Policies and setup shared by the tests, written as IAM users write them. */
final class Fixtures {
  static final String APP = "https://github.com/acme/app";

  private Fixtures() {}

  /** A trust policy letting {@code principal}'s tokens assume the role under {@code conditions}. */
  static String webIdentityTrust(String principal, String conditions) {
    return """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "%s"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {%s}
          }]
        }""".formatted(principal, conditions);
  }

  /** The trust of role {@code ci}: the fake's issuer, audience sts.amazonaws.com, acme/app. */
  static String trustPolicy(FakeAws fake) {
    String prefix = fake.issuer().conditionKeyPrefix();
    return webIdentityTrust(fake.providerArn(),
        ("\"StringEquals\": {\"%s:aud\": \"sts.amazonaws.com\"}, \"StringLike\": {\"%s:sub\":"
            + " [\"https://github.com/acme/app\", \"https://github.com/acme/app/*\"]}")
            .formatted(prefix, prefix));
  }

  static String pullPolicy(FakeAws fake, String repository) {
    return """
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Sid": "Login", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "Pull", "Effect": "Allow",
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
             "Resource": "%s"}
          ]
        }""".formatted(fake.repositoryArn(repository));
  }

  static String repositoryPolicy(String account) {
    return """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Sid": "PullFromAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::%s:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
          }]
        }""".formatted(account);
  }

  /** Creates the provider and the role {@code ci} trusting the repository acme/app. */
  static void providerAndRole(FakeAws fake, IamClient iam, int maxSessionDuration) {
    iam.createOpenIDConnectProvider(r -> r.url(fake.issuer().issuer())
        .clientIDList("sts.amazonaws.com"));
    iam.createRole(r -> r.roleName("ci").assumeRolePolicyDocument(trustPolicy(fake))
        .maxSessionDuration(maxSessionDuration));
  }
}
