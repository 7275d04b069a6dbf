package dev.oidcecr.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.DockerAuth;
import dev.oidcecr.core.DockerConfig;
import dev.oidcecr.core.Doctor;
import dev.oidcecr.core.DoctorReport;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.OidcEcrException;
import dev.oidcecr.core.SetupPlan;
import dev.oidcecr.core.SetupResult;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.WebIdentityToken;
import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.PolicyKind;
import dev.oidcecr.policies.PolicyLinter;
import dev.oidcecr.testing.FakeAws;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The README's demo: the whole job of the design's section 1 against the embedded fake AWS, with
 * no AWS account and no network. A Gitpod installation's issuer, a role for the workspaces of
 * {@code https://github.com/acme/app}, a private repository {@code acme/app}; then a workspace
 * logs Docker in and pulls, and a workspace of another repository is refused and told why.
 */
public final class Demo {
  static final String REPOSITORY = "acme/app";
  static final String ALLOWED = "https://github.com/acme/app";
  static final String OTHER = "https://github.com/acme/website";

  private final PrintStream out;
  private int step;

  Demo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo; exits 0 when every step behaved as expected. */
  public static void main(String[] args) {
    System.exit(new Demo(System.out).run());
  }

  int run() {
    Path dockerDir = null;
    try (FakeAws fake = FakeAws.builder().build().start();
        SdkHttpClient http = UrlConnectionHttpClient.create()) {
      dockerDir = Files.createTempDirectory("oidc-ecr-demo-docker");
      return run(fake, http, dockerDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(dockerDir);
    }
  }

  private int run(FakeAws fake, SdkHttpClient http, Path dockerDir) throws IOException {
    header("An in-process fake of AWS (STS, ECR, IAM) and of a Gitpod installation's OIDC issuer");
    out.println("  endpoint  " + fake.endpoint() + "  (account " + fake.accountId() + ", region "
        + fake.region() + ")");
    out.println("  issuer    " + fake.issuer().issuer());

    var admin = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()));
    try (IamClient iam = IamClient.builder().endpointOverride(fake.endpoint())
            .region(Region.AWS_GLOBAL).httpClient(http).credentialsProvider(admin).build();
        EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
            .region(Region.of(fake.region())).httpClient(http).credentialsProvider(admin)
            .build()) {
      ecr.createRepository(r -> r.repositoryName(REPOSITORY));
      fake.seedImage(REPOSITORY, "latest");
      out.println("  the platform team's private repository " + REPOSITORY
          + " holds image " + REPOSITORY + ":latest");

      // Steps 1-5: provider, role, trust policy, permission policy, repository policy.
      AwsSetup setup = AwsSetup.builder()
          .iamClient(iam)
          .ecrClient(ecr)
          .issuerUrl(fake.issuer().issuer())
          .accountId(fake.accountId())
          .roleName("gitpod-ecr-pull")
          .allowRepository(ALLOWED)
          .repositories(REPOSITORY)
          .gitpodAccountId("210987654321")
          .build();
      header("Plan the AWS setup for the Gitpod installation (AwsSetup.plan)");
      SetupPlan plan = setup.plan();
      indent(plan.render());

      header("The three IAM documents, and what the linter says of them");
      out.println("  Role trust policy:");
      indent(setup.trustPolicy().toPrettyJson());
      out.println("  Role permission policy (inline):");
      indent(setup.permissionPolicy().toPrettyJson());
      out.println("  ECR repository policy:");
      indent(setup.repositoryPolicy().map(p -> p.toPrettyJson()).orElse("(none)"));
      PolicyLinter linter = PolicyLinter.create();
      List<Finding> findings = new java.util.ArrayList<>();
      findings.addAll(linter.lint(setup.trustPolicy(), PolicyKind.TRUST));
      findings.addAll(linter.lint(setup.permissionPolicy(), PolicyKind.IDENTITY));
      setup.repositoryPolicy().ifPresent(p -> findings.addAll(linter.lint(p,
          PolicyKind.REPOSITORY)));
      out.println("  Lint: " + (findings.isEmpty() ? "no findings" : findings));

      header("Apply it (AwsSetup.apply), then apply again: nothing left to change");
      SetupResult result = setup.apply();
      out.println("  applied " + result.changes().size() + " changes; role " + result.roleArn());
      SetupResult again = setup.apply();
      out.println("  second apply: " + again.changes().size() + " changes");
      out.println("  next steps for workspace users:");
      result.nextSteps().forEach(s -> out.println("    " + s));
      if (!again.changes().isEmpty()) {
        return fail("the second apply was not a no-op");
      }

      header("A workspace of " + ALLOWED + " gets its OIDC token (gp idp token)");
      String token = fake.issuer().token().repository(ALLOWED + "/tree/main")
          .workspaceId("acme-app-0a1b2c3d4e5").mint();
      out.println("  " + WebIdentityToken.parse(token));

      header("Log Docker in: STS AssumeRoleWithWebIdentity, then ECR GetAuthorizationToken");
      DockerConfig config = DockerConfig.at(dockerDir.resolve("config.json"));
      DockerAuth auth;
      try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
          .roleArn(result.roleArn())
          .registry(setup.registryHost())
          .tokenSource(TokenSource.of(token))
          .endpoint(fake.endpoint())
          .environment(Map.of("GITPOD_WORKSPACE_ID", "acme-app-0a1b2c3d4e5"))
          .build()) {
        auth = authenticator.authenticate();
        out.println("  " + auth);
        config.store(auth);
      }
      out.println("  wrote " + config.path() + " (mode "
          + java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(config.path())) + "), secrets redacted here:");
      indent(redacted(Files.readString(config.path())));

      header("Pull the image's manifest from the registry with the written credentials");
      DockerAuth written = config.auth(setup.registryHost()).orElseThrow();
      // The fake registry answers on the fake's port: the written login is sent there.
      URI manifest = fake.registryEndpoint().resolve(REPOSITORY + "/manifests/latest");
      HttpResponse<String> pulled = get(manifest, written.authorizationHeader());
      out.println("  GET " + manifest + " -> " + pulled.statusCode() + ", digest "
          + pulled.headers().firstValue("Docker-Content-Digest").orElse("?"));
      if (pulled.statusCode() != 200) {
        return fail("the pull was refused");
      }

      header("A workspace of " + OTHER + " tries the same role: refused");
      String otherToken = fake.issuer().token().repository(OTHER).mint();
      try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
          .roleArn(result.roleArn())
          .registry(setup.registryHost())
          .tokenSource(TokenSource.of(otherToken))
          .endpoint(fake.endpoint())
          .environment(Map.of())
          .build()) {
        authenticator.authenticate();
        return fail("the other repository's workspace was let in");
      } catch (OidcEcrException e) {
        out.println("  " + e.getClass().getSimpleName() + " ("
            + e.awsErrorCode().orElse("?") + "):");
        indent(wrap(e.getMessage(), 96));
      }

      header("Why? The doctor checks each link of the chain");
      DoctorReport report = Doctor.builder()
          .token(otherToken)
          .roleArn(result.roleArn())
          .image(setup.registryHost() + "/" + REPOSITORY + ":latest")
          .iamClient(iam)
          .ecrClient(ecr)
          .build()
          .run();
      indent(report.render());
      if (report.ok()) {
        return fail("the doctor found nothing wrong");
      }
      header("Done: the allowed workspace pulled, the other one was refused and told why.");
      return 0;
    }
  }

  private void header(String title) {
    out.println();
    out.println("== " + (++step) + ". " + title);
  }

  private void indent(String text) {
    text.lines().forEach(l -> out.println("    " + l));
  }

  private int fail(String what) {
    out.println();
    out.println("DEMO FAILED: " + what);
    return 1;
  }

  /** Replaces each {@code auth} value of a Docker config with its length. */
  static String redacted(String json) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(json);
    if (root.has("auths")) {
      Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it =
          root.get("auths").fields();
      while (it.hasNext()) {
        var entry = it.next();
        if (entry.getValue() instanceof ObjectNode node && node.has("auth")) {
          node.put("auth", "<redacted: " + node.get("auth").asText().length() + " characters>");
        }
      }
    }
    return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    int col = 0;
    for (String word : text.split(" ")) {
      if (col > 0 && col + word.length() + 1 > width) {
        out.append('\n');
        col = 0;
      } else if (col > 0) {
        out.append(' ');
        col++;
      }
      out.append(word);
      col += word.length();
    }
    return out.toString();
  }

  private static HttpResponse<String> get(URI uri, String authorization) {
    try {
      return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
              .header("Authorization", authorization)
              .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind is harmless.
    }
  }
}
