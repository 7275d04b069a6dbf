// Build the three IAM documents of a Gitpod -> ECR setup, and lint them.
var trust = trustPolicy().
    gitpodDomain("gitpod.example.com").
    account("123456789012").
    repository("https://github.com/acme/app").
    build();
System.out.println(trust.toPrettyJson());

var permissions = permissionPolicy().
    repository("123456789012", "eu-west-1", "acme/app").
    build();
System.out.println(permissions.toPrettyJson());

var repository = repositoryPolicy().
    allowAccount("210987654321").
    build();
System.out.println(repository.toPrettyJson());

// What the builders make lints clean.
var clean = lint(trust);
if (!clean.isEmpty()) throw new AssertionError("expected no findings, got " + clean);

// The classic mistake: "app*" also lets https://github.com/acme/app-evil in.
var risky = policy("""
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow",
       "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/services.gitpod.example.com/idp"},
       "Action": "sts:AssumeRoleWithWebIdentity",
       "Condition": {
         "StringEquals": {"services.gitpod.example.com/idp:aud": "sts.amazonaws.com"},
         "StringLike": {"services.gitpod.example.com/idp:sub": "https://github.com/acme/app*"}}}]}
    """);
var findings = lint(risky);
findings.forEach(System.out::println);
if (findings.stream().noneMatch(f -> f.id().equals("TRUST_SUB_MATCHES_SIBLINGS")))
    throw new AssertionError("expected TRUST_SUB_MATCHES_SIBLINGS in " + findings);
/exit
