// With --fake: the in-process fake AWS and OIDC issuer, the SDK types its examples use, and a
// temporary Docker config: login(...) here never writes to ~/.docker or $DOCKER_CONFIG.
import dev.oidcecr.testing.*;
import software.amazon.awssdk.auth.credentials.*;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
var fakeDockerConfig = useDockerConfig(java.nio.file.Files.createTempDirectory("oidc-ecr-jshell-docker"));
System.out.println("--fake: logins are written to " + fakeDockerConfig.resolve("config.json") + " (not ~/.docker)");
