package dev.oidcecr.policies.internal.profiles;

import static dev.oidcecr.policies.internal.profiles.SubGrammar.alt;
import static dev.oidcecr.policies.internal.profiles.SubGrammar.chars;

import dev.oidcecr.policies.internal.profiles.SubGrammar.Role;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Amazon EKS service accounts (IAM roles for service accounts): issuer {@code
 * https://oidc.eks.<region>.amazonaws.com/id/<ID>}, one per cluster; subject {@code
 * system:serviceaccount:<namespace>:<name>}; audience {@code sts.amazonaws.com}. Namespaces are
 * DNS labels and names DNS subdomains (lower case, digits, {@code -} and {@code .}).
 */
final class EksProfile extends GrammarProfile {

  private static final Pattern ISSUER =
      Pattern.compile("oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/id/[A-Za-z0-9]+");

  EksProfile() {
    super("eks", "Amazon EKS", SubGrammar.of(
        alt("default").lit("system:serviceaccount:")
            .field(chars("namespace", Role.TENANT, "a-z0-9-", "")).lit(":")
            .field(chars("service_account", Role.SCOPE, "a-z0-9.-", "")).build()), Set.of());
  }

  @Override
  public boolean matchesHostPath(String hostPath) {
    return ISSUER.matcher(hostPath).matches();
  }

  @Override
  public Optional<String> defaultAudience(String issuerUrl) {
    return Optional.of("sts.amazonaws.com");
  }

  @Override
  public boolean sharedIssuer(String issuerUrl) {
    return false;
  }

  @Override
  public List<String> conditionKeyClaims() {
    return List.of("aud", "sub", "amr");
  }

  @Override
  public String exampleIssuer() {
    return "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  }

  @Override
  public String exampleSubject() {
    return "system:serviceaccount:ci:puller";
  }

  @Override
  public String subjectShape() {
    return "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT";
  }

  @Override
  String tenantWord() {
    return "namespace";
  }

  @Override
  public String builderHint() {
    return "TrustPolicy.eks(issuerUrl).serviceAccount(\"ci\", \"puller\") (system:serviceaccount:ci:puller)";
  }
}
