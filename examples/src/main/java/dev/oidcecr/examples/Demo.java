package dev.oidcecr.examples;

import dev.oidcecr.policies.ConditionOperator;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.Principal;

/** The README's demo: for now it prints the trust policy of the Gitpod setup. */
public final class Demo {
  private Demo() {}

  /** Runs the demo. */
  public static void main(String[] args) {
    String provider = "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp";
    PolicyDocument trust = PolicyDocument.builder()
        .addStatement(s -> s.sid("GitpodWorkspaces").allow()
            .principal(Principal.federated(provider))
            .addActions("sts:AssumeRoleWithWebIdentity")
            .addCondition(ConditionOperator.STRING_EQUALS,
                "services.gitpod.example.com/idp:aud", "sts.amazonaws.com")
            .addCondition(ConditionOperator.STRING_LIKE,
                "services.gitpod.example.com/idp:sub",
                "https://github.com/acme/app", "https://github.com/acme/app/*"))
        .build();
    System.out.println("Trust policy for workspaces of https://github.com/acme/app:");
    System.out.println(trust.toPrettyJson());
  }
}
