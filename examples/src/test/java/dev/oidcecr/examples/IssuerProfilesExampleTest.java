package dev.oidcecr.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.PolicyDocument;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's issuer profile examples build, name their issuer's provider and lint clean. */
class IssuerProfilesExampleTest {

  @Test
  void everyProfileExample_isForItsIssuerAndLintsClean() {
    Map<String, PolicyDocument> policies = IssuerProfilesExample.policies();
    assertThat(policies).containsOnlyKeys(IssuerProfile.all().stream().map(IssuerProfile::id)
        .filter(id -> !id.equals("generic")).toList());
    policies.forEach((id, policy) -> {
      String provider = policy.statements().get(0).principal().get().federated().get(0);
      String hostPath = provider.substring(provider.indexOf("oidc-provider/") + 14);
      assertThat(IssuerProfile.detect(hostPath).id()).as(provider).isEqualTo(id);
      assertThat(PolicyLinter.create().lint(policy, PolicyKind.TRUST)).as(id).isEmpty();
    });
    assertThat(IssuerProfilesExample.profileOf("https://gitlab.com")).isEqualTo("gitlab");
  }
}
