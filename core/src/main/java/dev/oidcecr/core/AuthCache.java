package dev.oidcecr.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * An in-memory cache of STS sessions and ECR logins, shareable between authenticators.
 *
 * <p>A Docker login is kept until half its life has passed; a session until five minutes before
 * it expires. Logins are keyed by partition, region, registry account and role ARN (never by the
 * temporary access key, which changes with every session). Callers asking for the same key at
 * once wait for a single refresh. Nothing here is written to disk.
 */
public final class AuthCache {
  private static final Logger LOG = LoggerFactory.getLogger(AuthCache.class);

  /** What a Docker login is cached under. */
  record Key(String partition, String region, String accountId, String roleArn) {}

  private record Entry<T>(T value, Instant fetchedAt, Instant expiresAt) {}

  private final Map<Key, Entry<DockerAuth>> logins = new ConcurrentHashMap<>();
  private final Map<String, Entry<AwsSessionCredentials>> sessions = new ConcurrentHashMap<>();
  private final Map<Object, ReentrantLock> locks = new ConcurrentHashMap<>();

  private AuthCache() {}

  /** Returns an empty cache. */
  public static AuthCache create() {
    return new AuthCache();
  }

  /** Forgets every cached session and login. */
  public void clear() {
    logins.clear();
    sessions.clear();
  }

  /** Returns how many Docker logins are cached. */
  public int size() {
    return logins.size();
  }

  DockerAuth dockerAuth(Key key, Clock clock, Supplier<DockerAuth> fetch) {
    Optional<DockerAuth> hit = freshLogin(key, clock.instant());
    if (hit.isPresent()) {
      return hit.get();
    }
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      Instant now = clock.instant();
      hit = freshLogin(key, now);
      if (hit.isPresent()) {
        return hit.get();
      }
      LOG.debug("Cache miss for the ECR login of {} in {} with {}", key.accountId(),
          key.region(), key.roleArn());
      DockerAuth auth = fetch.get();
      logins.put(key, new Entry<>(auth, now, auth.expiresAt().orElse(now)));
      return auth;
    } finally {
      lock.unlock();
    }
  }

  private Optional<DockerAuth> freshLogin(Key key, Instant now) {
    Entry<DockerAuth> e = logins.get(key);
    if (e == null) {
      return Optional.empty();
    }
    Duration life = Duration.between(e.fetchedAt(), e.expiresAt());
    Instant halfLife = e.fetchedAt().plus(life.dividedBy(2));
    if (now.isBefore(halfLife) && now.isBefore(e.expiresAt())) {
      return Optional.of(e.value());
    }
    return Optional.empty();
  }

  AwsSessionCredentials session(String roleArn, Clock clock, Duration margin,
      Supplier<AwsSessionCredentials> fetch) {
    Optional<AwsSessionCredentials> hit = freshSession(roleArn, clock.instant(), margin);
    if (hit.isPresent()) {
      return hit.get();
    }
    ReentrantLock lock = locks.computeIfAbsent("session:" + roleArn, k -> new ReentrantLock());
    lock.lock();
    try {
      Instant now = clock.instant();
      hit = freshSession(roleArn, now, margin);
      if (hit.isPresent()) {
        return hit.get();
      }
      AwsSessionCredentials session = fetch.get();
      Instant expires = session.expirationTime().orElse(now);
      sessions.put(roleArn, new Entry<>(session, now, expires));
      return session;
    } finally {
      lock.unlock();
    }
  }

  private Optional<AwsSessionCredentials> freshSession(String roleArn, Instant now,
      Duration margin) {
    Entry<AwsSessionCredentials> e = sessions.get(roleArn);
    if (e != null && now.isBefore(e.expiresAt().minus(margin))) {
      return Optional.of(e.value());
    }
    return Optional.empty();
  }

  /** Returns the number of cached logins and sessions; never a credential. */
  @Override
  public String toString() {
    return "AuthCache{logins=" + logins.size() + ", sessions=" + sessions.size() + "}";
  }
}
