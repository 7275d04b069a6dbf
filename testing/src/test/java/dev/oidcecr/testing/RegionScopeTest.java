package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.StsException;

/** The fake serves one region: ECR and STS calls signed for another are refused as AWS does. */
class RegionScopeTest extends SharedFakeTest {
  @Test
  void ecrAndStsSignedForAnotherRegion_refused() {
    try (EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
            .region(Region.US_EAST_1).credentialsProvider(clients.admin()).build();
        StsClient sts = StsClient.builder().endpointOverride(fake.endpoint())
            .region(Region.US_EAST_1).credentialsProvider(clients.admin()).build()) {
      assertAws(catchThrowable(ecr::getAuthorizationToken), EcrException.class,
          "InvalidSignatureException", 400,
          "Credential should be scoped to a valid region, not 'us-east-1'");
      assertAws(catchThrowable(sts::getCallerIdentity), StsException.class,
          "SignatureDoesNotMatch", 403, "not 'us-east-1'");
    }
    // The fake's own region is served.
    clients.adminEcr.getAuthorizationToken();
    clients.adminSts.getCallerIdentity();
  }
}
