package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCacheTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String ROLE = "arn:aws:iam::123456789012:role/ecr-pull";
  private static final String PASSWORD = "ecr-password-that-is-a-secret-42";
  private static final String STS = "default:us-east-1";
  private static final String ISS = "https://services.gitpod.example.com/idp";
  private static final String APP = "https://github.com/acme/app";
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);

  private DockerAuth ecrAuth(Instant expiresAt) {
    return DockerAuth.builder()
        .registryHost(HOST)
        .username("AWS")
        .password(PASSWORD)
        .expiresAt(expiresAt)
        .build();
  }

  /** A token issued a minute before T0 that lives a day (long enough for the half-life tests). */
  private static CacheBinding.Caller token(String iss, String sub, String aud, Instant exp) {
    long iat = T0.getEpochSecond() - 60;
    return CacheBinding.Caller.of(WebIdentityToken.parse(TestTokens.jwt("{\"alg\":\"RS256\"}",
        """
        {"iss":"%s","sub":"%s","aud":["%s"],"exp":%d,"iat":%d,"auth_time":%d,
         "workspace_id":"acme-app-1"}
        """.formatted(iss, sub, aud, exp.getEpochSecond(), iat, iat))));
  }

  private static CacheBinding.Caller app() {
    return token(ISS, APP, "sts.amazonaws.com", T0.plus(Duration.ofDays(1)));
  }

  private static CacheBinding key(CacheBinding.Caller caller, String role, String sts,
      String ecr) {
    return CacheBinding.login(caller.identity().orElseThrow(),
        new CacheBinding.Scope(sts, "aws", role, 3600, "acme-app-1-*", Map.of()), ecr, HOST);
  }

  private static CacheBinding key(CacheBinding.Caller caller) {
    return key(caller, ROLE, STS, STS);
  }

  private boolean put(CacheBinding.Caller caller, DockerAuth auth, CredentialCache cache) {
    return cache.put(key(caller), caller, auth);
  }

  @Test
  void put_thenGet_returnsEntryUntilHalfLife() {
    CredentialCache cache = CredentialCache.at(dir.resolve("cache"), clock);
    DockerAuth auth = ecrAuth(T0.plus(Duration.ofHours(12)));
    assertThat(put(app(), auth, cache)).isTrue();

    assertThat(cache.get(key(app()), app())).contains(auth);
    clock.advance(Duration.ofHours(6).minusSeconds(1));
    assertThat(cache.get(key(app()), app())).contains(auth);
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(key(app()), app())).isEmpty();
  }

  @Test
  void get_neverReturnsExpired_evenIfStoredTimeIsOdd() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plusSeconds(10)), cache);
    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.get(key(app()), app())).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(cache.get(key(app()), app())).isEmpty();
  }

  @Test
  void get_clockBeforeStoredTime_isMiss() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    clock.set(T0.minus(Duration.ofMinutes(30)));
    assertThat(cache.get(key(app()), app())).isEmpty();
  }

  @Test
  void entryOfAnotherSubject_isNeverUsed() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    CacheBinding.Caller website =
        token(ISS, "https://github.com/acme/website", "sts.amazonaws.com", T0.plus(Duration.ofDays(1)));
    assertThat(cache.get(key(website), website)).isEmpty();
    assertThat(cache.get(key(app()), app())).isPresent();
  }

  @Test
  void entryOfAnotherIssuerOrAudience_isNeverUsed() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    CacheBinding.Caller otherIssuer = token("https://services.other.example.com/idp", APP,
        "sts.amazonaws.com", T0.plus(Duration.ofDays(1)));
    CacheBinding.Caller otherAudience = token(ISS, APP, "other", T0.plus(Duration.ofDays(1)));
    assertThat(cache.get(key(otherIssuer), otherIssuer)).isEmpty();
    assertThat(cache.get(key(otherAudience), otherAudience)).isEmpty();
  }

  @Test
  void entryOfAnotherEndpoint_isNeverUsed() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    String fake = "http://127.0.0.1:4566";
    assertThat(cache.get(key(app(), ROLE, fake, STS), app())).isEmpty();
    assertThat(cache.get(key(app(), ROLE, STS, fake), app())).isEmpty();
    assertThat(cache.get(key(app(), ROLE, fake, fake), app())).isEmpty();
  }

  @Test
  void entryOfAnotherRoleOrRegistry_isNeverUsed() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    assertThat(cache.get(key(app(), ROLE + "-other", STS, STS), app())).isEmpty();
    CacheBinding otherRegistry = CacheBinding.login(app().identity().orElseThrow(),
        key(app()).scope(), STS, "999999999999.dkr.ecr.us-east-1.amazonaws.com");
    assertThat(cache.get(otherRegistry, app())).isEmpty();
    assertThat(cache.get(key(app()), app())).isPresent();
  }

  @Test
  void expiredOrFutureToken_neverGetsAnEntry() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    // Same caller, but this token expired a second ago by the cache's clock: no grace.
    CacheBinding.Caller expired = token(ISS, APP, "sts.amazonaws.com", T0.minusSeconds(1));
    assertThat(key(expired)).isEqualTo(key(app()));
    assertThat(cache.get(key(expired), expired)).isEmpty();
    assertThat(cache.put(key(expired), expired, ecrAuth(T0.plus(Duration.ofHours(12))))).isFalse();
    // A token issued more than STS's five minutes of skew in the future is not served either.
    clock.set(T0.minus(Duration.ofMinutes(6)).minusSeconds(60));
    assertThat(app().usableAt(clock.instant())).isFalse();
    clock.set(T0.minus(Duration.ofMinutes(4)));
    assertThat(app().usableAt(clock.instant())).isTrue();
  }

  @Test
  void newTokenOfTheSameCaller_isServedAndRecordedInTheEntry() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    CacheBinding.Caller next = token(ISS, APP, "sts.amazonaws.com", T0.plus(Duration.ofHours(2)));
    assertThat(next.tokenSha256()).isNotEqualTo(app().tokenSha256());
    assertThat(cache.get(key(next), next)).isPresent();
    JsonNode entry = new ObjectMapper().readTree(Files.readString(onlyEntry(dir)));
    assertThat(entry.get("format").asInt()).isEqualTo(2);
    assertThat(entry.get("binding").asText()).isEqualTo(key(app()).hex()).matches("[0-9a-f]{64}");
    assertThat(entry.get("tokenSha256").asText()).isEqualTo(next.tokenSha256());
    assertThat(entry.get("tokenExpiresEpoch").asLong())
        .isEqualTo(T0.plus(Duration.ofHours(2)).getEpochSecond());
    assertThat(entry.get("refreshAtEpoch").asLong())
        .isEqualTo(T0.plus(Duration.ofHours(6)).getEpochSecond());
    assertThat(entry.get("subject").asText()).isEqualTo(APP);
  }

  @Test
  void bindingText_isTheDocumentedCanonicalForm() {
    String text = key(app()).canonical();
    assertThat(text).startsWith("oidc-ecr-binding/1\niss=" + ISS + "\nsub=" + APP
        + "\naud=sts.amazonaws.com\nclaims=");
    assertThat(text).endsWith("\nsts=" + STS + "\npartition=aws\nrole=" + ROLE
        + "\nduration=3600\nsession-name=acme-app-1-*\necr=" + STS + "\nregistry=" + HOST + "\n");
    assertThat(key(app()).hex()).isEqualTo(CacheBinding.sha256Hex(text));
    // Another workspace of the same repository differs in a claim STS may judge: another key.
    CacheBinding.Caller otherWorkspace = CacheBinding.Caller.of(WebIdentityToken.parse(
        TestTokens.jwt("{\"alg\":\"RS256\"}", """
            {"iss":"%s","sub":"%s","aud":["sts.amazonaws.com"],"exp":%d,"workspace_id":"w-2"}
            """.formatted(ISS, APP, T0.plus(Duration.ofDays(1)).getEpochSecond()))));
    assertThat(key(otherWorkspace)).isNotEqualTo(key(app()));
  }

  @Test
  void tokenWithoutSubjectOrWithControlCharacters_isNeverBound() {
    CacheBinding.Caller noSub = CacheBinding.Caller.of(WebIdentityToken.parse(TestTokens.jwt(
        "{\"alg\":\"RS256\"}", "{\"iss\":\"" + ISS + "\",\"exp\":" + T0.plusSeconds(3600)
            .getEpochSecond() + "}")));
    CacheBinding.Caller newline = token(ISS, APP + "\\naud=x", "sts.amazonaws.com",
        T0.plus(Duration.ofDays(1)));
    assertThat(noSub.identity()).isEmpty();
    assertThat(noSub.usableAt(T0)).isFalse();
    assertThat(newline.identity()).isEmpty();
  }

  @Test
  void formatOneEntry_boundToNobody_isNeverUsed() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    Files.createDirectories(dir);
    Path f = cache.fileFor(HOST, ROLE);
    Files.writeString(f, """
        {"format":1,"registryHost":"%s","roleArn":"%s","username":"AWS","password":"%s",
         "expiresAt":"%s","storedAt":"%s"}
        """.formatted(HOST, ROLE, PASSWORD, T0.plus(Duration.ofHours(12)), T0));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThat(cache.get(key(app()), app())).isEmpty();
  }

  @Test
  void put_withoutExpiryOrExpired_isNotStored() {
    CredentialCache cache = CredentialCache.at(dir.resolve("c"), clock);
    assertThat(put(app(), DockerAuth.of(HOST, "AWS", PASSWORD), cache)).isFalse();
    assertThat(put(app(), ecrAuth(T0), cache)).isFalse();
    assertThat(cache.get(key(app()), app())).isEmpty();
  }

  @Test
  void files_arePrivateAndSecretsOnlyInside() throws IOException {
    Path cacheDir = dir.resolve("x/oidc-ecr");
    CredentialCache cache = CredentialCache.at(cacheDir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir))).isEqualTo("rwx------");
    Path f = onlyEntry(cacheDir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(f.getFileName().toString()).matches("[0-9a-f]{40}\\.json").doesNotContain(HOST);
    assertThat(Files.readString(f)).contains(PASSWORD);
    assertThat(cache.toString()).doesNotContain(PASSWORD);
  }

  private static Path onlyEntry(Path cacheDir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(cacheDir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  @Test
  void entryReadableByOthers_isIgnored() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    Path f = onlyEntry(dir);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(cache.get(key(app()), app())).isEmpty();
    // Rewriting tightens the mode again.
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(cache.get(key(app()), app())).isPresent();
  }

  @Test
  void corruptEntry_isMissAndIsReplacedOnPut() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    Path f = onlyEntry(dir);
    Files.writeString(f, "{not json " + PASSWORD);
    assertThat(cache.get(key(app()), app())).isEmpty();
    assertThat(put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache)).isTrue();
    assertThat(cache.get(key(app()), app())).isPresent();
  }

  @Test
  void invalidateAndClear_removeEntries() {
    CredentialCache cache = CredentialCache.at(dir.resolve("c"), clock);
    assertThat(cache.clear()).isZero();
    put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache);
    CacheBinding other = key(app(), ROLE + "2", STS, STS);
    cache.put(other, app(), ecrAuth(T0.plus(Duration.ofHours(12))));
    cache.invalidate(HOST, ROLE);
    assertThat(cache.get(key(app()), app())).isEmpty();
    assertThat(cache.get(other, app())).isPresent();
    assertThat(cache.clear()).isEqualTo(1);
    assertThat(cache.get(other, app())).isEmpty();
  }

  @Test
  void put_unwritableFolder_throwsNamingFolder() throws IOException {
    Path ro = Files.createDirectories(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-x------"));
    try {
      CredentialCache cache = CredentialCache.at(ro.resolve("cache"), clock);
      if (Files.isWritable(ro)) {
        return; // running as root: permissions are not enforced
      }
      assertThatThrownBy(() -> put(app(), ecrAuth(T0.plus(Duration.ofHours(12))), cache))
          .isInstanceOf(CredentialCacheException.class)
          .hasMessageContaining(ro.resolve("cache").toString())
          .hasMessageNotContaining(PASSWORD);
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void fromEnvironment_location() {
    Path home = dir.resolve("home");
    assertThat(CredentialCache.fromEnvironment(Map.of(), home, clock).directory())
        .isEqualTo(home.resolve(".cache/oidc-ecr"));
    assertThat(CredentialCache.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home, clock).directory())
        .isEqualTo(Path.of("/xdg/oidc-ecr"));
    assertThat(CredentialCache.fromEnvironment(Map.of("XDG_CACHE_HOME", "rel"), home, clock).directory())
        .isEqualTo(home.resolve(".cache/oidc-ecr"));
    assertThat(
            CredentialCache.fromEnvironment(
                    Map.of("OIDC_ECR_CACHE_DIR", "/c", "XDG_CACHE_HOME", "/xdg"), home, clock)
                .directory())
        .isEqualTo(Path.of("/c"));
  }
}
