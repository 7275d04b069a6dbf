// Explain, offline, why STS would refuse a workspace's token: the fake issuer mints a Gitpod
// token for another repository, and the evaluator names the condition that fails.
var issuer = FakeOidcIssuer.create();
var trust = trustPolicy().
    issuer(issuer.issuer()).
    account("123456789012").
    repository("https://github.com/acme/app").
    build();

var allowed = issuer.token().repository("https://github.com/acme/app/tree/main").mint();
var ok = explain(trust, allowed);
System.out.println(ok);
if (!ok.isAllowed()) throw new AssertionError("expected the branch token to be allowed");

var other = issuer.token().repository("https://github.com/acme/app-evil").mint();
System.out.println(token(other));   // the claims, never the token itself
var refused = explain(trust, other);
System.out.println(refused);
if (refused.isAllowed()) throw new AssertionError("expected a refusal");
if (!refused.explanation().contains("services.gitpod.example.com/idp:sub"))
    throw new AssertionError("the explanation should name the sub condition");
/exit
