package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the trust policy of a role that pods of an EKS cluster assume through their service
 * account (IAM roles for service accounts); see {@link TrustPolicy#eks(String)}.
 *
 * <pre>{@code
 * TrustPolicy.eks("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
 *     .account("123456789012").serviceAccount("ci", "puller").build();
 * // StringEquals sub: system:serviceaccount:ci:puller
 * }</pre>
 */
public final class EksTrustBuilder extends IssuerTrustBuilder<EksTrustBuilder> {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?");

  private final Set<String> subjects = new LinkedHashSet<>();

  EksTrustBuilder(String issuerUrl) {
    super(IssuerProfile.byId("eks").orElseThrow(), issuerUrl);
    if (!profile().matchesIssuer(issuerUrl)) {
      throw new PolicyException("\"" + issuerUrl + "\" is not an EKS cluster's OIDC issuer:"
          + " use the cluster's identity.oidc.issuer, such as"
          + " https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
    }
  }

  /**
   * Allows pods running as one service account of one namespace.
   *
   * @param namespace the Kubernetes namespace
   * @param name the service account's name
   * @return this builder
   */
  public EksTrustBuilder serviceAccount(String namespace, String name) {
    subjects.add("system:serviceaccount:"
        + name(namespace, LABEL, "namespace", "a namespace such as ci") + ":"
        + name(name, SUBDOMAIN, "service account", "a service account name such as puller"));
    return this;
  }

  @Override
  boolean hasRules() {
    return !subjects.isEmpty();
  }

  @Override
  List<String> subjects() {
    if (subjects.isEmpty()) {
      throw new PolicyException("No service account: call serviceAccount(\"namespace\","
          + " \"name\"); without one every pod of the cluster could assume the role");
    }
    return new ArrayList<>(subjects);
  }
}
