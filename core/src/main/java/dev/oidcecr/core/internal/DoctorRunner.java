package dev.oidcecr.core.internal;

import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.Doctor;
import dev.oidcecr.core.DoctorReport;
import dev.oidcecr.core.EcrImageReference;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.InvalidRegistryException;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Runs the {@link Doctor} the way the command line and the JShell facade do: inputs from
 * arguments or the environment, IAM and ECR clients when the environment holds credentials,
 * and an optional real login.
 */
public final class DoctorRunner {
  private DoctorRunner() {}

  /** What to diagnose; empty values are reported by the doctor as missing inputs. */
  public record Inputs(Optional<String> roleArn, Optional<String> registryOrImage,
      Optional<TokenSource> tokenSource, Optional<Path> gitpodYml, Optional<URI> endpoint,
      boolean login) {}

  /** Returns {@code .gitpod.yml} in the folder, when it exists. */
  public static Optional<Path> gitpodYmlIn(Path folder) {
    Path p = folder.resolve(".gitpod.yml");
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * Gives the doctor an image when the text names a repository ({@code host/repo:tag}), else a
   * registry; text that is no ECR reference is passed as the registry for the doctor to report.
   */
  public static void target(Doctor.Builder b, String registryOrImage) {
    Optional<String> repository;
    try {
      repository = RegistryParser.parse(registryOrImage).repository;
    } catch (InvalidRegistryException | IllegalArgumentException e) {
      b.registry(registryOrImage);
      return;
    }
    if (repository.isPresent()) {
      b.image(EcrImageReference.parse(registryOrImage).reference());
    } else {
      b.registry(registryOrImage);
    }
  }

  /**
   * Runs the doctor on the inputs; with credentials in {@code env} (see
   * {@link AwsEnvironment#credentials}) it reads IAM and ECR, otherwise it runs the offline
   * checks only.
   */
  public static DoctorReport run(Inputs in, Map<String, String> env, Clock clock) {
    Doctor.Builder b = Doctor.builder().clock(clock);
    b.tokenSource(in.tokenSource().orElseGet(() -> TokenSource.defaultChain(env)));
    in.roleArn().ifPresent(b::roleArn);
    in.registryOrImage().ifPresent(r -> target(b, r));
    in.gitpodYml().ifPresent(b::gitpodYml);
    if (in.login() && in.roleArn().isPresent() && in.registryOrImage().isPresent()) {
      b.login(() -> login(in, env, clock));
    }
    Optional<AwsCredentialsProvider> credentials = AwsEnvironment.credentials(env);
    if (credentials.isEmpty()) {
      return b.build().run();
    }
    try (AwsEnvironment.Clients clients =
        new AwsEnvironment.Clients(env, in.endpoint(), credentials.get())) {
      in.roleArn().flatMap(AwsNames::parseRoleArn)
          .ifPresent(r -> b.iamClient(clients.iam(r.partition())));
      in.registryOrImage().flatMap(EcrRegistry::tryParse)
          .ifPresent(r -> b.ecrClient(clients.ecr(r.region())));
      return b.build().run();
    }
  }

  private static String login(Inputs in, Map<String, String> env, Clock clock) {
    OidcEcrAuthenticator.Builder a = OidcEcrAuthenticator.builder()
        .roleArn(in.roleArn().orElseThrow())
        .registry(in.registryOrImage().orElseThrow())
        .environment(env)
        .clock(clock);
    in.tokenSource().ifPresent(a::tokenSource);
    in.endpoint().ifPresent(a::endpoint);
    try (OidcEcrAuthenticator authenticator = a.build()) {
      DockerAuth auth = authenticator.authenticate();
      // Only the host and expiry: the report must never carry the password.
      return "ECR login for " + auth.registryHost()
          + auth.expiresAt().map(t -> " valid until " + t).orElse("");
    }
  }
}
