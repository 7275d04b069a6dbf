package dev.oidcecr.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * An in-memory cache of STS sessions and ECR logins, shareable between authenticators, including
 * authenticators of different callers (a build service handling tokens of many repositories).
 *
 * <p><b>What it keys on.</b> Every entry is bound to who asked, as STS judges it, and to where:
 *
 * <ul>
 *   <li>the token's issuer ({@code iss}), subject ({@code sub}) and audiences ({@code aud}, all of
 *       them), and a digest of every other claim STS could turn into a condition key or a session
 *       attribute ({@code azp}, {@code amr}, {@code email}, provider claims such as GitHub's
 *       {@code job_workflow_ref}, session tags and source identity claims); only the claims that
 *       change with every token of the same identity ({@code exp}, {@code iat}, {@code nbf},
 *       {@code auth_time}, {@code jti}, {@code c_hash}, {@code at_hash}, {@code nonce}) are left
 *       out;
 *   <li>the STS endpoint (the override URL, or the region's default), the partition, the role
 *       ARN, the session duration and the session name (an explicit one exactly; a derived one
 *       without its timestamp); request parameters that the authenticator does not send yet
 *       (session policies, policy ARNs) have a place in the key for when they exist;
 *   <li>for an ECR login, also the ECR endpoint and the registry host (partition, region,
 *       account).
 * </ul>
 *
 * <p><b>Who is served.</b> A cached entry is returned only to a token that is not expired by the
 * authenticator's clock ({@code now < exp}, no grace) and not from the future ({@code nbf} and
 * {@code iat} at most STS's five minutes of skew ahead), whose key is equal, <em>and</em> that STS
 * itself has accepted for that key: the claims of a token are not checked here (its signature
 * can only be checked by STS), so a token the cache has not yet seen accepted costs one {@code
 * AssumeRoleWithWebIdentity} call, even when a login for its identity is cached. A forged or
 * refused token therefore gets STS's refusal, never a cached answer; a refused call stores
 * nothing. An expired token bypasses the cache (it goes to STS, which refuses it).
 *
 * <p><b>Lifetimes.</b> A Docker login is kept until half its life has passed; a session until
 * five minutes before it expires; an accepted token until it expires. Callers asking for the same
 * key at once wait for a single refresh (single flight per identity); different identities never
 * wait for each other. Nothing here is written to disk, and no credential or token appears in
 * {@link #toString()} or a log line.
 */
public final class AuthCache {
  private static final Logger LOG = LoggerFactory.getLogger(AuthCache.class);
  /** Past this many logins, expired entries are swept out on the next miss. */
  private static final int SWEEP_THRESHOLD = 1024;

  /** The raw tokens (by SHA-256) that STS accepted for one session binding, with their expiry. */
  private static final class Accepted {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();

    boolean has(String tokenSha256, Instant now) {
      Instant exp = tokens.get(tokenSha256);
      return exp != null && now.isBefore(exp);
    }

    void add(String tokenSha256, Instant expiresAt, Instant now) {
      if (tokens.size() > 64) {
        tokens.values().removeIf(exp -> !now.isBefore(exp));
      }
      tokens.put(tokenSha256, expiresAt);
    }
  }

  private record Login(DockerAuth value, Instant fetchedAt, Instant expiresAt, Accepted by,
      Instant halfLife) {
    Login(DockerAuth value, Instant fetchedAt, Instant expiresAt, Accepted by) {
      this(value, fetchedAt, expiresAt, by,
          fetchedAt.plus(Duration.between(fetchedAt, expiresAt).dividedBy(2)));
    }

    boolean freshAt(Instant now) {
      return now.isBefore(halfLife) && now.isBefore(expiresAt);
    }
  }

  private record Session(AwsSessionCredentials value, Instant expiresAt) {}

  private final Map<CacheBinding, Login> logins = new ConcurrentHashMap<>();
  private final Map<CacheBinding, Session> sessions = new ConcurrentHashMap<>();
  private final Map<CacheBinding, Accepted> accepted = new ConcurrentHashMap<>();
  private final Map<CacheBinding, ReentrantLock> loginLocks = new ConcurrentHashMap<>();
  private final Map<CacheBinding, ReentrantLock> sessionLocks = new ConcurrentHashMap<>();

  private AuthCache() {}

  /**
   * Returns an empty cache.
   *
   * @return an empty cache
   */
  public static AuthCache create() {
    return new AuthCache();
  }

  /** Forgets every cached session, login and accepted token. */
  public void clear() {
    logins.clear();
    sessions.clear();
    accepted.clear();
  }

  /**
   * Returns how many Docker logins are cached.
   *
   * @return how many Docker logins are cached
   */
  public int size() {
    return logins.size();
  }

  /**
   * Returns the login bound to {@code key} when, at {@code now}, it is fresh and {@code caller}'s
   * exact token was accepted by STS for it, else refreshes under the key's lock: {@code assume} calls STS with the caller's
   * token (whose refusal propagates and stores nothing), and {@code ecr} gets a login with the
   * session.
   */
  DockerAuth dockerAuth(CacheBinding key, CacheBinding.Caller caller, Instant now, Clock clock,
      Duration margin, Supplier<AwsSessionCredentials> assume,
      Function<AwsSessionCredentials, DockerAuth> ecr) {
    Login hit = logins.get(key);
    if (hit != null && hit.freshAt(now) && hit.by().has(caller.tokenSha256(), now)) {
      return hit.value();
    }
    ReentrantLock lock = loginLocks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      now = clock.instant();
      hit = logins.get(key);
      if (hit != null && hit.freshAt(now)) {
        if (!hit.by().has(caller.tokenSha256(), now)) {
          LOG.debug("Cached ECR login for {} found; asking STS to judge this caller's token first",
              key);
          session(key.sessionBinding(), caller, clock, margin, assume);
          // Re-attach to the key's current accepted set, which a sweep may have replaced.
          logins.put(key, new Login(hit.value(), hit.fetchedAt(), hit.expiresAt(),
              acceptedFor(key.sessionBinding())));
        }
        return hit.value();
      }
      LOG.debug("Cache miss for the ECR login of {}", key);
      AwsSessionCredentials session =
          session(key.sessionBinding(), caller, clock, margin, assume);
      DockerAuth auth = ecr.apply(session);
      sweepIfLarge(now);
      logins.put(key, new Login(auth, now, auth.expiresAt().orElse(now),
          acceptedFor(key.sessionBinding())));
      return auth;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the session bound to {@code key} when {@code caller}'s exact token was accepted for it
   * and the session has more than {@code margin} left, else calls {@code assume} once per key.
   */
  AwsSessionCredentials session(CacheBinding key, CacheBinding.Caller caller, Clock clock,
      Duration margin, Supplier<AwsSessionCredentials> assume) {
    Instant now = clock.instant();
    Session hit = sessions.get(key);
    Accepted by = acceptedFor(key);
    if (hit != null && now.isBefore(hit.expiresAt().minus(margin))
        && by.has(caller.tokenSha256(), now)) {
      return hit.value();
    }
    ReentrantLock lock = sessionLocks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      now = clock.instant();
      hit = sessions.get(key);
      if (hit != null && now.isBefore(hit.expiresAt().minus(margin))
          && by.has(caller.tokenSha256(), now)) {
        return hit.value();
      }
      AwsSessionCredentials session = assume.get();
      by.add(caller.tokenSha256(), caller.expiresAt(), now);
      sessions.put(key, new Session(session, session.expirationTime().orElse(now)));
      return session;
    } finally {
      lock.unlock();
    }
  }

  private Accepted acceptedFor(CacheBinding sessionKey) {
    return accepted.computeIfAbsent(sessionKey, k -> new Accepted());
  }

  private void sweepIfLarge(Instant now) {
    if (logins.size() < SWEEP_THRESHOLD) {
      return;
    }
    logins.values().removeIf(l -> !now.isBefore(l.expiresAt()));
    sessions.values().removeIf(s -> !now.isBefore(s.expiresAt()));
    accepted.entrySet().removeIf(e -> {
      e.getValue().tokens.values().removeIf(exp -> !now.isBefore(exp));
      return e.getValue().tokens.isEmpty() && !sessions.containsKey(e.getKey());
    });
    // A lock taken between its lookup and this sweep only costs a second fetch, never a wrong
    // answer: the entries themselves are checked under whichever lock is held.
    loginLocks.entrySet().removeIf(e -> !logins.containsKey(e.getKey()) && idle(e.getValue()));
    sessionLocks.entrySet().removeIf(e -> !sessions.containsKey(e.getKey()) && idle(e.getValue()));
  }

  private static boolean idle(ReentrantLock lock) {
    return !lock.isLocked() && !lock.hasQueuedThreads();
  }

  /** Returns the number of cached logins and sessions; never a credential. */
  @Override
  public String toString() {
    return "AuthCache{logins=" + logins.size() + ", sessions=" + sessions.size() + "}";
  }
}
