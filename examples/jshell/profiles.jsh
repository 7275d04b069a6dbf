// Trust policies for other OIDC issuers: each has a typed builder, and the linter judges a sub
// pattern by its issuer's grammar.
var github = TrustPolicy.githubActions().
    account("123456789012").
    repository("acme/app").branch("main").
    build();
System.out.println(github.toPrettyJson());

var ona = TrustPolicy.ona().
    account("123456789012").
    organization("0191e223-1c3c-7607-badf-303c98b52d2f").
    project("019527e4-75d5-704d-a5a4-a2b52cf56198").
    build();

var gitlab = TrustPolicy.gitlab().account("123456789012").audience("https://gitlab.com").
    project("acme/app").branch("main").build();
var circleci = TrustPolicy.circleci("6f1c5a4e-2b7d-4c1e-9a3f-0d8e7b6c5a41").account("123456789012").
    project("0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d").build();
var bitbucket = TrustPolicy.bitbucket("acme").account("123456789012").
    workspaceUuid("7e3f2a1b-4c5d-4e6f-8a9b-0c1d2e3f4a5b").
    repository("2a4b6c8d-0e1f-4a2b-8c3d-4e5f6a7b8c9d").build();
var buildkite = TrustPolicy.buildkite().account("123456789012").
    organization("acme").pipeline("app").build();
var eks = TrustPolicy.eks("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE").
    account("123456789012").serviceAccount("ci", "puller").build();
for (var p : java.util.List.of(github, ona, gitlab, circleci, bitbucket, buildkite, eks))
    if (!lint(p).isEmpty()) throw new AssertionError("expected no findings, got " + lint(p));

// Which profile is a provider? And what does the linter say about a sibling wildcard?
IssuerProfile.detect("https://app.gitpod.io").id();
var sibling = IssuerProfile.detect("https://token.actions.githubusercontent.com").
    check("repo:acme/app*", false);
System.out.println(sibling.reason());
if (sibling.verdict() != IssuerProfile.Verdict.MATCHES_SIBLINGS)
    throw new AssertionError("expected MATCHES_SIBLINGS, got " + sibling);
/exit
