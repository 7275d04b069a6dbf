package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EcrRegistryTest {
  private static final String A = "123456789012";
  private static final String USE1 = A + ".dkr.ecr.us-east-1.amazonaws.com";
  private static final String DIGEST =
      "sha256:" + "0123456789abcdef".repeat(4);

  /** input, host, partition, region, fips, dualStack, repository, tag, digest. */
  static Stream<Arguments> good() {
    return Stream.of(
        row(USE1, USE1, "aws", "us-east-1", false, false, null, null, null),
        row("https://" + USE1, USE1, "aws", "us-east-1", false, false, null, null, null),
        row("https://" + USE1 + "/", USE1, "aws", "us-east-1", false, false, null, null, null),
        row(USE1 + "/", USE1, "aws", "us-east-1", false, false, null, null, null),
        row(USE1 + "/v2/", USE1, "aws", "us-east-1", false, false, null, null, null),
        row("https://" + USE1 + "/v2", USE1, "aws", "us-east-1", false, false, null, null, null),
        row("https://" + USE1 + "/v2/app/manifests/latest", USE1, "aws", "us-east-1", false, false, null, null, null),
        row("https://" + USE1 + "/v2/_catalog", USE1, "aws", "us-east-1", false, false, null, null, null),
        row(USE1 + ":443", USE1, "aws", "us-east-1", false, false, null, null, null),
        row("  " + USE1 + "\n", USE1, "aws", "us-east-1", false, false, null, null, null),
        row(USE1.toUpperCase(), USE1, "aws", "us-east-1", false, false, null, null, null),
        row(A + ".dkr.ecr-fips.us-east-1.amazonaws.com", A + ".dkr.ecr-fips.us-east-1.amazonaws.com", "aws", "us-east-1", true, false, null, null, null),
        row(A + ".dkr.ecr-fips.us-west-2.amazonaws.com", A + ".dkr.ecr-fips.us-west-2.amazonaws.com", "aws", "us-west-2", true, false, null, null, null),
        row(A + ".dkr.ecr.us-gov-west-1.amazonaws.com", A + ".dkr.ecr.us-gov-west-1.amazonaws.com", "aws-us-gov", "us-gov-west-1", false, false, null, null, null),
        row(A + ".dkr.ecr-fips.us-gov-east-1.amazonaws.com", A + ".dkr.ecr-fips.us-gov-east-1.amazonaws.com", "aws-us-gov", "us-gov-east-1", true, false, null, null, null),
        row(A + ".dkr-ecr.eu-west-1.on.aws", A + ".dkr-ecr.eu-west-1.on.aws", "aws", "eu-west-1", false, true, null, null, null),
        row(A + ".dkr-ecr-fips.us-east-2.on.aws", A + ".dkr-ecr-fips.us-east-2.on.aws", "aws", "us-east-2", true, true, null, null, null),
        row(A + ".dkr-ecr.us-gov-west-1.on.aws", A + ".dkr-ecr.us-gov-west-1.on.aws", "aws-us-gov", "us-gov-west-1", false, true, null, null, null),
        row(A + ".dkr.ecr.cn-north-1.amazonaws.com.cn", A + ".dkr.ecr.cn-north-1.amazonaws.com.cn", "aws-cn", "cn-north-1", false, false, null, null, null),
        row(A + ".dkr.ecr.cn-northwest-1.amazonaws.com.cn/app:1", A + ".dkr.ecr.cn-northwest-1.amazonaws.com.cn", "aws-cn", "cn-northwest-1", false, false, "app", "1", null),
        row(A + ".dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", A + ".dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", "aws-cn", "cn-north-1", false, true, null, null, null),
        row(A + ".dkr.ecr.us-iso-east-1.c2s.ic.gov", A + ".dkr.ecr.us-iso-east-1.c2s.ic.gov", "aws-iso", "us-iso-east-1", false, false, null, null, null),
        row(A + ".dkr.ecr.us-isob-east-1.sc2s.sgov.gov", A + ".dkr.ecr.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b", "us-isob-east-1", false, false, null, null, null),
        row(A + ".dkr.ecr.us-isof-south-1.csp.hci.ic.gov", A + ".dkr.ecr.us-isof-south-1.csp.hci.ic.gov", "aws-iso-f", "us-isof-south-1", false, false, null, null, null),
        row(A + ".dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", A + ".dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", "aws-iso-e", "eu-isoe-west-1", false, false, null, null, null),
        row(A + ".dkr-ecr.us-iso-west-1.on.aws.ic.gov", A + ".dkr-ecr.us-iso-west-1.on.aws.ic.gov", "aws-iso", "us-iso-west-1", false, true, null, null, null),
        row(A + ".dkr-ecr.us-isob-east-1.on.aws.scloud/app:1", A + ".dkr-ecr.us-isob-east-1.on.aws.scloud", "aws-iso-b", "us-isob-east-1", false, true, "app", "1", null),
        row(A + ".dkr-ecr.us-isof-south-1.on.aws.hci.ic.gov", A + ".dkr-ecr.us-isof-south-1.on.aws.hci.ic.gov", "aws-iso-f", "us-isof-south-1", false, true, null, null, null),
        row("https://" + A + ".dkr-ecr.eu-isoe-west-1.on.cloud-aws.adc-e.uk/v2/", A + ".dkr-ecr.eu-isoe-west-1.on.cloud-aws.adc-e.uk", "aws-iso-e", "eu-isoe-west-1", false, true, null, null, null),
        row(A + ".dkr-ecr.eusc-de-east-1.amazonwebservices.eu", A + ".dkr-ecr.eusc-de-east-1.amazonwebservices.eu", "aws-eusc", "eusc-de-east-1", false, true, null, null, null),
        row(A + ".dkr.ecr.eusc-de-east-1.amazonaws.eu", A + ".dkr.ecr.eusc-de-east-1.amazonaws.eu", "aws-eusc", "eusc-de-east-1", false, false, null, null, null),
        row(A + ".dkr.ecr.ap-southeast-5.amazonaws.com", A + ".dkr.ecr.ap-southeast-5.amazonaws.com", "aws", "ap-southeast-5", false, false, null, null, null),
        row(A + ".dkr.ecr.il-central-1.amazonaws.com", A + ".dkr.ecr.il-central-1.amazonaws.com", "aws", "il-central-1", false, false, null, null, null),
        row(A + ".dkr.ecr.mx-central-1.amazonaws.com", A + ".dkr.ecr.mx-central-1.amazonaws.com", "aws", "mx-central-1", false, false, null, null, null),
        row(A + ".dkr.ecr.af-south-1.amazonaws.com", A + ".dkr.ecr.af-south-1.amazonaws.com", "aws", "af-south-1", false, false, null, null, null),
        row(A + ".dkr.ecr.ca-west-1.amazonaws.com", A + ".dkr.ecr.ca-west-1.amazonaws.com", "aws", "ca-west-1", false, false, null, null, null),
        row(A + ".dkr.ecr.me-central-1.amazonaws.com", A + ".dkr.ecr.me-central-1.amazonaws.com", "aws", "me-central-1", false, false, null, null, null),
        row(A + ".dkr.ecr.sa-east-1.amazonaws.com", A + ".dkr.ecr.sa-east-1.amazonaws.com", "aws", "sa-east-1", false, false, null, null, null),
        row(USE1 + "/app", USE1, "aws", "us-east-1", false, false, "app", null, null),
        row(USE1 + "/app:latest", USE1, "aws", "us-east-1", false, false, "app", "latest", null),
        row(USE1 + "/team/sub/app:1.2.3-rc_1", USE1, "aws", "us-east-1", false, false, "team/sub/app", "1.2.3-rc_1", null),
        row(USE1 + "/app@" + DIGEST, USE1, "aws", "us-east-1", false, false, "app", null, DIGEST),
        row(USE1 + "/app:v1@" + DIGEST, USE1, "aws", "us-east-1", false, false, "app", "v1", DIGEST),
        row("https://" + USE1 + "/app:v1", USE1, "aws", "us-east-1", false, false, "app", "v1", null),
        row("docker://" + USE1 + "/app:v1", USE1, "aws", "us-east-1", false, false, "app", "v1", null),
        row(USE1 + "/a.b_c-d/e9:_tag", USE1, "aws", "us-east-1", false, false, "a.b_c-d/e9", "_tag", null),
        row(USE1 + "/v2/app:1", USE1, "aws", "us-east-1", false, false, "v2/app", "1", null),
        row(USE1 + ":443/app:1", USE1, "aws", "us-east-1", false, false, "app", "1", null));
  }

  private static Arguments row(
      String input, String host, String partition, String region, boolean fips, boolean dual,
      String repo, String tag, String digest) {
    return Arguments.of(input, host, partition, region, fips, dual, repo, tag, digest);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("good")
  void parse_validInput_givesRegistry(
      String input, String host, String partition, String region, boolean fips, boolean dual,
      String repo, String tag, String digest) {
    EcrRegistry r = EcrRegistry.parse(input);
    assertThat(r.host()).isEqualTo(host);
    assertThat(r.accountId()).isEqualTo(A);
    assertThat(r.partition()).isEqualTo(partition);
    assertThat(r.region()).isEqualTo(region);
    assertThat(r.fips()).isEqualTo(fips);
    assertThat(r.dualStack()).isEqualTo(dual);
    assertThat(r.proxyEndpoint()).isEqualTo("https://" + host);
    assertThat(EcrRegistry.parse(r.host())).isEqualTo(r);
    if (repo != null) {
      EcrImageReference ref = EcrImageReference.parse(input);
      assertThat(ref.registry()).isEqualTo(r);
      assertThat(ref.repository()).isEqualTo(repo);
      assertThat(ref.tag().orElse(null)).isEqualTo(tag);
      assertThat(ref.digest().orElse(null)).isEqualTo(digest);
      assertThat(ref.repositoryArn())
          .isEqualTo("arn:" + partition + ":ecr:" + region + ":" + A + ":repository/" + repo);
      assertThat(EcrImageReference.parse(ref.reference())).isEqualTo(ref);
    } else {
      assertThatThrownBy(() -> EcrImageReference.parse(input))
          .isInstanceOf(InvalidRegistryException.class)
          .hasMessageContaining("no repository");
    }
  }

  /** input, a fragment the message must contain. */
  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("   ", "empty"),
        Arguments.of("docker.io", "not an ECR registry host"),
        Arguments.of("ghcr.io/acme/app:1", "not an ECR registry host"),
        Arguments.of(USE1 + ".evil.example", "ends in .amazonaws.com"),
        Arguments.of(USE1 + ".cn", "ends in .amazonaws.com, not .amazonaws.com.cn"),
        Arguments.of("evil.com/" + USE1, "not an ECR registry host"),
        Arguments.of("evil.com/" + USE1 + "/app:1", "not an ECR registry host"),
        Arguments.of("12345678901.dkr.ecr.us-east-1.amazonaws.com", "not 12 digits (it has 11)"),
        Arguments.of("1234567890123.dkr.ecr.us-east-1.amazonaws.com", "not 12 digits (it has 13)"),
        Arguments.of("abcdefghijkl.dkr.ecr.us-east-1.amazonaws.com", "not 12 digits"),
        Arguments.of("evil." + USE1, "not of the form"),
        Arguments.of("AWS:hunter2secret@" + USE1, "user credentials"),
        Arguments.of("https://AWS:hunter2secret@" + USE1 + "/app", "user credentials"),
        Arguments.of(USE1 + ":5000", "port 443 only, not 5000"),
        Arguments.of(USE1 + ":latest", "not a port"),
        Arguments.of(USE1 + "/App:1", "lowercase"),
        Arguments.of(USE1 + "/app:" + "t".repeat(129), "the tag"),
        Arguments.of(USE1 + "/app:.hidden", "the tag"),
        Arguments.of(USE1 + "/app@sha256:abc", "sha256: followed by 64"),
        Arguments.of(USE1 + "/app@md5:" + "0".repeat(32), "sha256: followed by 64"),
        Arguments.of(USE1 + "/app/", "empty path segment"),
        Arguments.of(USE1 + "//app", "empty path segment"),
        Arguments.of(USE1 + "/a", "2 to 256 characters"),
        Arguments.of(USE1 + "/app--x", "separated by single"),
        Arguments.of(USE1 + "/-app", "separated by single"),
        Arguments.of(A + ".dkr.ecr.us-evil-1.amazonaws.com", "not an AWS region"),
        Arguments.of(A + ".dkr.ecr.xx-east-1.amazonaws.com", "not an AWS region"),
        Arguments.of(A + ".dkr.ecr.us-east-0.amazonaws.com", "not an AWS region"),
        Arguments.of(A + ".dkr.ecr.us-east-1a.amazonaws.com", "not an AWS region"),
        Arguments.of(A + ".dkr.ecr.cn-north-1.amazonaws.com", "ends in .amazonaws.com.cn"),
        Arguments.of(A + ".dkr.ecr.us-iso-east-1.amazonaws.com", "ends in .c2s.ic.gov"),
        Arguments.of(A + ".dkr-ecr.us-east-1.amazonaws.com", "ends in .on.aws"),
        Arguments.of(A + ".dkr.ecr.us-east-1.on.aws", "ends in .amazonaws.com"),
        Arguments.of(A + ".dkr-ecr.us-iso-east-1.on.aws", "ends in .on.aws.ic.gov"),
        Arguments.of(A + ".dkr-ecr.us-isob-east-1.on.aws.ic.gov", "ends in .on.aws.scloud"),
        Arguments.of(A + ".dkr-ecr.us-isof-south-1.on.aws.ic.gov.evil.example", "ends in .on.aws.hci.ic.gov"),
        Arguments.of(A + ".dkr-ecr-fips.us-iso-east-1.on.aws.ic.gov", "no FIPS endpoint"),
        Arguments.of(A + ".dkr.ecr-fips.eu-west-1.amazonaws.com", "no FIPS endpoint in eu-west-1"),
        Arguments.of(A + ".dkr.ecr-fips.cn-north-1.amazonaws.com.cn", "no FIPS endpoint"),
        Arguments.of("http://" + USE1, "only HTTPS"),
        Arguments.of("ftp://" + USE1, "scheme ftp://"),
        Arguments.of("https://" + USE1 + "/?x=1", "query"),
        Arguments.of("https://" + USE1 + "#frag", "fragment"),
        Arguments.of("https://" + USE1 + "/app?X-Amz-Security-Token=hunter2secret", "?<redacted>\""),
        Arguments.of("api.ecr.us-east-1.amazonaws.com", "API endpoint"),
        Arguments.of("ecr.us-east-1.amazonaws.com", "API endpoint"),
        Arguments.of("https:///app", "there is no host"),
        Arguments.of(USE1 + " /app", "white space"),
        Arguments.of("123456789012.dkr.ecr.us-east-1.amazonaws.cоm", "non-ASCII"),
        Arguments.of(USE1.replace(".dkr.", "..dkr."), "not of the form"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("bad")
  void parse_invalidInput_rejectedWithReason(String input, String expected) {
    InvalidRegistryException e =
        catchThrowableOfType(InvalidRegistryException.class, () -> EcrRegistry.parse(input));
    assertThat(e).as("parse(%s) must fail", input).isNotNull();
    assertThat(e.getMessage()).contains(expected).doesNotContain("hunter2secret");
    assertThat(EcrRegistry.tryParse(input)).isEmpty();
  }

  @Test
  void tableSizes_meetTheMinimum() {
    assertThat(good().count()).isGreaterThanOrEqualTo(30);
    assertThat(bad().count()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void of_buildsStandardHost() {
    EcrRegistry r = EcrRegistry.of(A, "eu-central-2");
    assertThat(r.host()).isEqualTo(A + ".dkr.ecr.eu-central-2.amazonaws.com");
    assertThat(r.toString()).isEqualTo(r.host());
    assertThat(r.withFips(false)).isEqualTo(r);
    assertThat(EcrRegistry.of(A, "cn-north-1").host()).endsWith(".amazonaws.com.cn");
    assertThat(EcrRegistry.of(A, "us-east-1").withFips(true).withDualStack(true).host())
        .isEqualTo(A + ".dkr-ecr-fips.us-east-1.on.aws");
  }

  @Test
  void of_invalidParts_rejected() {
    assertThatThrownBy(() -> EcrRegistry.of("42", "us-east-1"))
        .isInstanceOf(InvalidRegistryException.class)
        .hasMessageContaining("12 digits");
    assertThatThrownBy(() -> EcrRegistry.of(A, "moon-base-1"))
        .isInstanceOf(InvalidRegistryException.class)
        .hasMessageContaining("not an AWS region");
    assertThatThrownBy(() -> EcrRegistry.of(A, "eu-west-1").withFips(true))
        .isInstanceOf(InvalidRegistryException.class)
        .hasMessageContaining("FIPS");
  }

  @Test
  void repositoryArn_validatesName() {
    EcrRegistry r = EcrRegistry.of(A, "us-gov-west-1");
    assertThat(r.repositoryArn("team/app"))
        .isEqualTo("arn:aws-us-gov:ecr:us-gov-west-1:" + A + ":repository/team/app");
    assertThatThrownBy(() -> r.repositoryArn("Team/App"))
        .isInstanceOf(InvalidRegistryException.class)
        .hasMessageContaining("lowercase");
    assertThatThrownBy(() -> r.repositoryArn("team/*"))
        .isInstanceOf(InvalidRegistryException.class);
  }

  @Test
  void image_buildsReferenceInThisRegistry() {
    EcrImageReference ref = EcrRegistry.of(A, "us-east-1").image("team/app:1.0");
    assertThat(ref.reference()).isEqualTo(USE1 + "/team/app:1.0");
    assertThat(ref.toString()).isEqualTo(ref.reference());
  }

  @Test
  void imageBuilder_validates() {
    assertThatThrownBy(
            () ->
                EcrImageReference.builder()
                    .registry(EcrRegistry.of(A, "us-east-1"))
                    .repository("app")
                    .tag("bad tag")
                    .build())
        .isInstanceOf(InvalidRegistryException.class);
    assertThat(
            EcrImageReference.builder()
                .registry(EcrRegistry.of(A, "us-east-1"))
                .repository("app")
                .digest(DIGEST)
                .build()
                .reference())
        .isEqualTo(USE1 + "/app@" + DIGEST);
  }
}
