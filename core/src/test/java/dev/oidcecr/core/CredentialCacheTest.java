package dev.oidcecr.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCacheTest {
  private static final String HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String ROLE = "arn:aws:iam::123456789012:role/ecr-pull";
  private static final String PASSWORD = "ecr-password-that-is-a-secret-42";
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

  @Test
  void put_thenGet_returnsEntryUntilHalfLife() {
    CredentialCache cache = CredentialCache.at(dir.resolve("cache"), clock);
    DockerAuth auth = ecrAuth(T0.plus(Duration.ofHours(12)));
    assertThat(cache.put(ROLE, auth)).isTrue();

    assertThat(cache.get(HOST, ROLE)).contains(auth);
    clock.advance(Duration.ofHours(6).minusSeconds(1));
    assertThat(cache.get(HOST, ROLE)).contains(auth);
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(HOST, ROLE)).isEmpty();
  }

  @Test
  void get_neverReturnsExpired_evenIfStoredTimeIsOdd() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    cache.put(ROLE, ecrAuth(T0.plusSeconds(10)));
    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.get(HOST, ROLE)).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(cache.get(HOST, ROLE)).isEmpty();
  }

  @Test
  void get_clockBeforeStoredTime_isMiss() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    clock.set(T0.minus(Duration.ofHours(1)));
    assertThat(cache.get(HOST, ROLE)).isEmpty();
  }

  @Test
  void key_isHostAndRole() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    assertThat(cache.get(HOST, ROLE + "-other")).isEmpty();
    assertThat(cache.get("999999999999.dkr.ecr.us-east-1.amazonaws.com", ROLE)).isEmpty();
    assertThat(cache.get(HOST, ROLE)).isPresent();
  }

  @Test
  void put_withoutExpiryOrExpired_isNotStored() {
    CredentialCache cache = CredentialCache.at(dir.resolve("c"), clock);
    assertThat(cache.put(ROLE, DockerAuth.of(HOST, "AWS", PASSWORD))).isFalse();
    assertThat(cache.put(ROLE, ecrAuth(T0))).isFalse();
    assertThat(cache.get(HOST, ROLE)).isEmpty();
  }

  @Test
  void files_arePrivateAndSecretsOnlyInside() throws IOException {
    Path cacheDir = dir.resolve("x/oidc-ecr");
    CredentialCache cache = CredentialCache.at(cacheDir, clock);
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir))).isEqualTo("rwx------");
    List<Path> files;
    try (Stream<Path> s = Files.list(cacheDir)) {
      files = s.toList();
    }
    assertThat(files).hasSize(1);
    Path f = files.get(0);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(f.getFileName().toString()).matches("[0-9a-f]{40}\\.json").doesNotContain(HOST);
    assertThat(Files.readString(f)).contains(PASSWORD);
    assertThat(cache.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void entryReadableByOthers_isIgnored() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    Path f;
    try (Stream<Path> s = Files.list(dir)) {
      f = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(cache.get(HOST, ROLE)).isEmpty();
    // Rewriting tightens the mode again.
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(cache.get(HOST, ROLE)).isPresent();
  }

  @Test
  void corruptEntry_isMissAndIsReplacedOnPut() throws IOException {
    CredentialCache cache = CredentialCache.at(dir, clock);
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    Path f;
    try (Stream<Path> s = Files.list(dir)) {
      f = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.writeString(f, "{not json " + PASSWORD);
    assertThat(cache.get(HOST, ROLE)).isEmpty();
    assertThat(cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))))).isTrue();
    assertThat(cache.get(HOST, ROLE)).isPresent();
  }

  @Test
  void invalidateAndClear_removeEntries() {
    CredentialCache cache = CredentialCache.at(dir.resolve("c"), clock);
    assertThat(cache.clear()).isZero();
    cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12))));
    cache.put(ROLE + "2", ecrAuth(T0.plus(Duration.ofHours(12))));
    cache.invalidate(HOST, ROLE);
    assertThat(cache.get(HOST, ROLE)).isEmpty();
    assertThat(cache.get(HOST, ROLE + "2")).isPresent();
    assertThat(cache.clear()).isEqualTo(1);
    assertThat(cache.get(HOST, ROLE + "2")).isEmpty();
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
      assertThatThrownBy(() -> cache.put(ROLE, ecrAuth(T0.plus(Duration.ofHours(12)))))
          .isInstanceOf(CredentialCacheException.class)
          .hasMessageContaining(ro.resolve("cache").toString())
          .hasMessageNotContaining(PASSWORD);
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void cached_callsSourceOnceWhileFresh() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    AtomicInteger calls = new AtomicInteger();
    Function<EcrRegistry, Optional<DockerAuth>> source =
        r -> {
          calls.incrementAndGet();
          return Optional.of(ecrAuth(clock.instant().plus(Duration.ofHours(12))));
        };
    Function<EcrRegistry, Optional<DockerAuth>> cached = cache.cached(ROLE, source);
    EcrRegistry reg = EcrRegistry.parse(HOST);
    assertThat(cached.apply(reg)).isPresent();
    assertThat(cached.apply(reg)).isPresent();
    assertThat(calls).hasValue(1);
    clock.advance(Duration.ofHours(7));
    assertThat(cached.apply(reg)).isPresent();
    assertThat(calls).hasValue(2);
  }

  @Test
  void cached_sourceAnsweringWithOtherHostSpelling_stillHitsNextTime() {
    CredentialCache cache = CredentialCache.at(dir, clock);
    AtomicInteger calls = new AtomicInteger();
    Function<EcrRegistry, Optional<DockerAuth>> cached =
        cache.cached(
            ROLE,
            r -> {
              calls.incrementAndGet();
              return Optional.of(
                  DockerAuth.builder()
                      .registryHost("https://" + r.host())
                      .username("AWS")
                      .password(PASSWORD)
                      .expiresAt(clock.instant().plus(Duration.ofHours(12)))
                      .build());
            });
    EcrRegistry reg = EcrRegistry.parse(HOST);
    cached.apply(reg);
    assertThat(cached.apply(reg)).map(DockerAuth::registryHost).contains(HOST);
    assertThat(calls).hasValue(1);
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
