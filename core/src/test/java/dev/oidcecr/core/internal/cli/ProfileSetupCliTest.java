package dev.oidcecr.core.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcecr.testing.FakeAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * {@code oidc-ecr setup --issuer ID} with each profile's allow flags, against the fake; output
 * is shown as the launcher shows it (through {@link CliText#toCli}), so messages must speak
 * flags.
 */
class ProfileSetupCliTest {
  private static FakeAws fake;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    fake = FakeAws.builder().build().start();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @BeforeEach
  void repository() {
    fake.reset();
    try (EcrClient ecr = EcrClient.builder().endpointOverride(fake.endpoint())
        .region(Region.of(fake.region())).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(fake.accessKeyId(), fake.secretAccessKey()))).build()) {
      ecr.createRepository(r -> r.repositoryName("acme/app"));
    }
  }

  private record Run(int status, String out, String err) {}

  private Run setup(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("setup", "--repository", "acme/app",
        "--account", fake.accountId()));
    all.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", fake.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", fake.secretAccessKey());
    env.put("AWS_REGION", fake.region());
    env.put("AWS_ENDPOINT_URL", fake.endpoint().toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = OidcEcrCli.run(all, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env,
        Files.createDirectories(dir.resolve("home")), dir);
    return new Run(status, cli(out), cli(err));
  }

  private static String cli(ByteArrayOutputStream bytes) {
    return String.join("\n", bytes.toString(StandardCharsets.UTF_8).lines()
        .map(CliText::toCli).toList());
  }

  @Test
  void githubActions_flagsInOrder_writeOneSubjectPerNarrowing() throws Exception {
    Run r = setup("--issuer", "github-actions", "--allow-repository", "acme/app",
        "--allow-branch", "main", "--allow-environment", "production",
        "--allow-repository", "acme/lib", "--allow-repository-id", "1342004/892104551");

    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("token.actions.githubusercontent.com:sub",
        "repo:acme/app:ref:refs/heads/main", "repo:acme/app:environment:production",
        "repo:acme@1342004/lib@892104551:*", "github-actions-ecr-pull");
  }

  @Test
  void issuerUrl_isDetected_andOnaDefaultsToV3() throws Exception {
    Run r = setup("--issuer", "https://app.gitpod.io", "--allow-organization",
        "0191e223-1c3c-7607-badf-303c98b52d2f", "--allow-project",
        "019527e4-75d5-704d-a5a4-a2b52cf56198");

    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("app.gitpod.io:sub", "organization_id:0191e223-1c3c-7607-badf-"
        + "303c98b52d2f:project_id:019527e4-75d5-704d-a5a4-a2b52cf56198", "ona-ecr-pull");
  }

  @Test
  void sharedIssuerWithoutARealSubRule_isRefusedBeforeAnyAwsCall_inFlagWords() throws Exception {
    Run r = setup("--issuer", "github-actions", "--allow-subject", "*", "--apply");

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("IAM would refuse the trust policy",
        "token.actions.githubusercontent.com:sub",
        "oidc-ecr setup --issuer github-actions --allow-repository acme/app --allow-branch main")
        .doesNotContain("TrustPolicy.");
    assertThat(fake.requests()).as("no IAM or STS call").allMatch(c -> c.service().equals("ecr"));
  }

  @Test
  void allowSubject_isLinted_aSiblingMatchIsRefused() throws Exception {
    Run r = setup("--issuer", "github-actions", "--allow-subject", "repo:acme/app*");

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("--apply would refuse this setup");
    assertThat(r.out()).contains("repo:acme/app*");
  }

  @Test
  void narrowingBeforeARule_isAUsageErrorInFlagWords() throws Exception {
    Run r = setup("--issuer", "github-actions", "--allow-branch", "main");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--allow-branch main", "--allow-repository acme/app")
        .doesNotContain("repository(\"");
  }

  @Test
  void gitlab_needsAnAudience_andRejectsRefsHeads() throws Exception {
    Run noAudience = setup("--issuer", "gitlab", "--allow-project", "acme/app");
    assertThat(noAudience.status()).isEqualTo(2);
    assertThat(noAudience.err()).contains("--audience is required", "id_tokens:");

    Run refs = setup("--issuer", "gitlab", "--audience", "sts.amazonaws.com",
        "--allow-project", "acme/app", "--allow-branch", "refs/heads/main");
    assertThat(refs.status()).isEqualTo(2);
    assertThat(refs.err()).contains("bare branch (main)");
  }

  @Test
  void flagOfAnotherIssuer_namesThisIssuersFlags() throws Exception {
    Run r = setup("--issuer", "eks", "--issuer-url",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/5E5D7BAA84911ACC36EE4D978F209DD7",
        "--allow-project", "acme/app");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--allow-project is not an option of --issuer eks",
        "--allow-service-account NAMESPACE/NAME");
  }

  @Test
  void eks_applyThenApplyAgain_changesNothing() throws Exception {
    String[] args = {"--issuer", "eks", "--issuer-url",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/5E5D7BAA84911ACC36EE4D978F209DD7",
        "--allow-service-account", "ci/puller", "--apply"};
    Run first = setup(args);
    assertThat(first.status()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("CREATE_PROVIDER", "CREATE_ROLE");
    Run again = setup(args);
    assertThat(again.out()).startsWith("Nothing to change.");
  }
}
