package dev.oidcecr.examples;

import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.TrustPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trust policy per issuer profile, written with its typed builder; the README's "Issuer
 * profiles" section shows these regions. Run it to print each policy.
 */
public final class IssuerProfilesExample {

  static final String ACCOUNT = "123456789012";

  private IssuerProfilesExample() {}

  /** Returns each profile's example policy, by profile id. */
  public static Map<String, PolicyDocument> policies() {
    Map<String, PolicyDocument> m = new LinkedHashMap<>();
    // tag::profile-gitpod[]
    PolicyDocument gitpod = TrustPolicy.gitpod()
        .gitpodDomain("gitpod.example.com")           // issuer https://services.<domain>/idp
        .account("123456789012")
        .repository("https://github.com/acme/app")    // the repository and all its contexts
        .build();
    // end::profile-gitpod[]
    m.put("gitpod", gitpod);
    // tag::profile-ona[]
    PolicyDocument ona = TrustPolicy.ona()            // issuer https://app.gitpod.io
        .account("123456789012")
        .organization("0191e223-1c3c-7607-badf-303c98b52d2f")
        .project("019527e4-75d5-704d-a5a4-a2b52cf56198")  // V3 sub; tokenVersion(2) for V2
        .build();
    // end::profile-ona[]
    m.put("ona", ona);
    // tag::profile-github-actions[]
    PolicyDocument github = TrustPolicy.githubActions()
        .account("123456789012")
        .repository("acme/app").branch("main")        // repo:acme/app:ref:refs/heads/main
        .build();
    // end::profile-github-actions[]
    m.put("github-actions", github);
    // tag::profile-gitlab[]
    PolicyDocument gitlab = TrustPolicy.gitlab()      // or gitlab("https://gitlab.acme.example")
        .account("123456789012")
        .audience("https://gitlab.com")               // the aud your id_tokens: sets
        .project("acme/app").branch("main")           // project_path:acme/app:ref_type:branch:ref:main
        .build();
    // end::profile-gitlab[]
    m.put("gitlab", gitlab);
    // tag::profile-circleci[]
    PolicyDocument circleci = TrustPolicy.circleci("6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41")
        .account("123456789012")
        .project("0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d")  // org/<org>/project/<project>/user/*
        .build();
    // end::profile-circleci[]
    m.put("circleci", circleci);
    // tag::profile-bitbucket[]
    PolicyDocument bitbucket = TrustPolicy.bitbucket("acme")
        .account("123456789012")
        .workspaceUuid("{7e3f2a1b-4c5d-4e6f-8a9b-0c1d2e3f4a5b}")  // the aud
        .repository("{2a4b6c8d-0e1f-4a2b-8c3d-4e5f6a7b8c9d}")     // {repository uuid}:*
        .build();
    // end::profile-bitbucket[]
    m.put("bitbucket", bitbucket);
    // tag::profile-buildkite[]
    PolicyDocument buildkite = TrustPolicy.buildkite()
        .account("123456789012")
        .organization("acme").pipeline("app").branch("main")
        .build();
    // end::profile-buildkite[]
    m.put("buildkite", buildkite);
    // tag::profile-eks[]
    PolicyDocument eks = TrustPolicy
        .eks("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
        .account("123456789012")
        .serviceAccount("ci", "puller")               // system:serviceaccount:ci:puller
        .build();
    // end::profile-eks[]
    m.put("eks", eks);
    return m;
  }

  /** Returns the profile of an issuer URL, as the linter and evaluator find it. */
  public static String profileOf(String issuerUrl) {
    // tag::profile-detect[]
    IssuerProfile profile = IssuerProfile.detect("https://token.actions.githubusercontent.com");
    profile.id();                                      // "github-actions"
    profile.check("repo:acme/app*", false).reason();  // also matches siblings such as ...
    // end::profile-detect[]
    return IssuerProfile.detect(issuerUrl).id();
  }

  /** Prints every example policy. */
  public static void main(String[] args) {
    policies().forEach((id, p) -> System.out.println("// " + id + "\n" + p.toPrettyJson()));
  }
}
