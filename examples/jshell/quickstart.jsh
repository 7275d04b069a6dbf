// Quick start against the in-process fake: set AWS up for a Gitpod installation, then log a
// workspace in and write its Docker config. Start with: examples/jshell/jshell.sh --fake
var aws = FakeAws.builder().build().start();

// The platform team's private repository, with an image in it.
try (var ecr = aws.configure(EcrClient.builder()).build()) {
    ecr.createRepository(r -> r.repositoryName("acme/app"));
}
aws.seedImage("acme/app", "latest");

// Steps 1-5: OIDC provider, role, trust and permission policies, in one idempotent call.
var setup = AwsSetup.builder().
    endpoint(aws.endpoint()).region(aws.region()).credentialsProvider(aws.credentialsProvider()).
    issuerUrl(aws.issuer().issuer()).
    accountId(aws.accountId()).
    roleName("gitpod-ecr-pull").
    allowRepository("https://github.com/acme/app").
    repositories("acme/app").
    build();
show(setup.plan());
var result = setup.apply();
show(result);
setup.close();

// Step 6, in a workspace of https://github.com/acme/app: token -> STS -> ECR -> Docker config.
var token = aws.issuer().token().repository("https://github.com/acme/app").mint();
var dockerDir = java.nio.file.Files.createTempDirectory("docker");
var auth = login(b -> b.roleArn(result.roleArn()).
        registry(aws.accountId() + ".dkr.ecr." + aws.region() + ".amazonaws.com/acme/app:latest").
        tokenSource(TokenSource.of(token)).
        endpoint(aws.endpoint()),
    dockerConfig(dockerDir));
System.out.println(auth);                      // the password is redacted
System.out.println(dockerConfig(dockerDir).read().authHosts());
if (!dockerConfig(dockerDir).read().authHosts().contains(auth.registryHost()))
    throw new AssertionError("the login was not written");

aws.close();
/exit
