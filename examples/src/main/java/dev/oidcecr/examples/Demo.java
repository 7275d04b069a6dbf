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
  private final DemoProfiles.Case profile;
  private int step;

  Demo(PrintStream out) {
    this(out, "gitpod");
  }

  Demo(PrintStream out, String profileId) {
    this.out = out;
    this.profile = DemoProfiles.of(profileId);
  }

  /**
   * Runs the demo; {@code --issuer ID} picks the issuer profile (default {@code gitpod}); exits 0
   * when every step behaved as expected, 2 for an unknown argument.
   */
  public static void main(String[] args) {
    String id = "gitpod";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--issuer") && i + 1 < args.length) {
        id = args[++i];
      } else if (args[i].startsWith("--issuer=")) {
        id = args[i].substring("--issuer=".length());
      } else {
        System.err.println("Usage: java -jar oidc-ecr-examples.jar [--issuer "
            + String.join("|", DemoProfiles.IDS) + "]");
        System.exit(2);
      }
    }
    Demo demo;
    try {
      demo = new Demo(System.out, id);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(demo.run());
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
    header("An in-process fake of AWS (STS, ECR, IAM) and of the OIDC issuer of "
        + profile.who());
    out.println("  endpoint  " + fake.endpoint() + "  (account " + fake.accountId() + ", region "
        + fake.region() + ")");
    String allowedToken = profile.allowed().apply(fake.issuer());
    String otherToken = profile.refused().apply(fake.issuer());
    out.println("  issuer    " + WebIdentityToken.parse(allowedToken).issuer().orElseThrow());

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
      AwsSetup.Builder setupBuilder = AwsSetup.builder()
          .iamClient(iam)
          .ecrClient(ecr)
          .accountId(fake.accountId())
          .roleName(profile.id().equals("gitpod") ? "gitpod-ecr-pull" : profile.id() + "-ecr-pull")
          .repositories(REPOSITORY);
      if (profile.id().equals("gitpod")) {
        setupBuilder.issuerUrl(fake.issuer().issuer());
      }
      profile.rules().accept(setupBuilder);
      AwsSetup setup = setupBuilder.build();
      header("Plan the AWS setup for " + profile.who() + " (AwsSetup.plan)");
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

      header(capitalized(profile.allowedWho()) + " gets its OIDC token");
      String token = allowedToken;
      out.println("  " + WebIdentityToken.parse(token));

      header("Log Docker in: STS AssumeRoleWithWebIdentity, then ECR GetAuthorizationToken");
      DockerConfig config = DockerConfig.at(dockerDir.resolve("config.json"));
      DockerAuth auth;
      try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
          .roleArn(result.roleArn())
          .registry(setup.registryHost())
          .tokenSource(TokenSource.of(token))
          .endpoint(fake.endpoint())
          .environment(profile.env())
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

      header(capitalized(profile.refusedWho()) + " tries the same role: refused");
      try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
          .roleArn(result.roleArn())
          .registry(setup.registryHost())
          .tokenSource(TokenSource.of(otherToken))
          .endpoint(fake.endpoint())
          .environment(Map.of())
          .build()) {
        authenticator.authenticate();
        return fail(profile.refusedWho() + " was let in");
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
      header("Done: " + profile.allowedWho() + " pulled, " + profile.refusedWho()
          + " was refused and told why.");
      return 0;
    }
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
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
