package dev.oidcecr.testing.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Blob content by digest, and the uploads in progress, in memory. Every byte held (stored blobs
 * and upload parts alike) counts against one limit, so that a test pushing too much gets a clear
 * error instead of an {@code OutOfMemoryError} in the fake.
 */
final class BlobStore {
  /** The default limit: 512 MiB. */
  static final long DEFAULT_LIMIT = 512L * 1024 * 1024;
  static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final AtomicLong used = new AtomicLong();
  private volatile long limit = DEFAULT_LIMIT;
  /** Uploads in progress at most; the next POST is refused with 429 TOOMANYREQUESTS. */
  private volatile int maxUploads = DEFAULT_MAX_UPLOADS;
  private volatile java.time.Clock clock = java.time.Clock.systemUTC();

  /** Uploads in progress kept at most, by default. */
  static final int DEFAULT_MAX_UPLOADS = 1000;
  /**
   * How long an upload may sit without a chunk before it is dropped with its bytes. Neither
   * ECR nor the distribution spec publishes a figure (the open-source registry purges after a
   * week); an hour is the fake's choice, long enough for any client between two chunks.
   */
  static final java.time.Duration UPLOAD_IDLE = java.time.Duration.ofHours(1);

  /** An upload in progress: parts kept as received, joined once at the end. */
  static final class Upload {
    final String id;
    final String repository;
    final Instant started;
    private final List<byte[]> parts = new ArrayList<>();
    private long size;
    private volatile Instant lastActive;

    Upload(String id, String repository, Instant started) {
      this.id = id;
      this.repository = repository;
      this.started = started;
      this.lastActive = started;
    }

    boolean expired(Instant now) {
      return !now.isBefore(lastActive.plus(UPLOAD_IDLE));
    }

    synchronized long size() {
      return size;
    }
  }

  /** Too many uploads in progress. */
  static final class TooManyUploads extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyUploads(String message) {
      super(message, null, false, false);
    }
  }

  /** The fake's memory is full. */
  static final class Full extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Full(String message) {
      super(message, null, false, false);
    }
  }

  void clock(java.time.Clock clock) {
    this.clock = clock;
  }

  void maxUploads(int max) {
    this.maxUploads = max;
  }

  int uploadsInProgress() {
    return uploads.size();
  }

  /** Drops every upload idle for {@link #UPLOAD_IDLE}, freeing its bytes. */
  void purgeExpired() {
    Instant now = clock.instant();
    for (Upload u : uploads.values()) {
      if (u.expired(now)) {
        cancel(u);
      }
    }
  }

  void limit(long bytes) {
    this.limit = bytes;
  }

  long limit() {
    return limit;
  }

  long used() {
    return used.get();
  }

  void clear() {
    blobs.clear();
    uploads.clear();
    used.set(0);
  }

  Optional<byte[]> get(String digest) {
    return Optional.ofNullable(blobs.get(digest));
  }

  boolean has(String digest) {
    return blobs.containsKey(digest);
  }

  /** Stores content and returns its digest; content already stored costs nothing more. */
  String put(byte[] content) {
    String digest = digest(content);
    if (!blobs.containsKey(digest)) {
      if (used.get() + content.length > limit) {
        purgeExpired();
      }
      reserve(content.length);
      if (blobs.putIfAbsent(digest, content) != null) {
        used.addAndGet(-content.length);
      }
    }
    return digest;
  }

  Upload start(String repository, Instant now) {
    if (uploads.size() >= maxUploads) {
      purgeExpired();
    }
    synchronized (uploads) {
      if (uploads.size() >= maxUploads) {
        throw new TooManyUploads("The fake registry keeps at most " + maxUploads + " uploads in "
            + "progress, and " + uploads.size() + " are open: finish (PUT) or cancel (DELETE) "
            + "uploads, or wait for idle ones to expire after " + UPLOAD_IDLE.toMinutes()
            + " minutes");
      }
      Upload u = new Upload(java.util.UUID.randomUUID().toString(), repository, now);
      uploads.put(u.id, u);
      return u;
    }
  }

  /** The upload in progress with this id; empty when unknown, finished, cancelled or expired. */
  Optional<Upload> upload(String id) {
    Upload u = uploads.get(id);
    if (u != null && u.expired(clock.instant())) {
      cancel(u);
      return Optional.empty();
    }
    return Optional.ofNullable(u);
  }

  /**
   * Appends a part at {@code offset} (the size so far when the client does not say).
   *
   * @return the new size, or -1 when the offset is not where the upload stands
   */
  long append(Upload u, long offset, byte[] part) {
    if (used.get() + part.length > limit) {
      // Abandoned uploads give their bytes back before anything is refused (outside any
      // upload's lock: purging takes the others').
      purgeExpired();
    }
    synchronized (u) {
      if (offset != u.size) {
        return -1;
      }
      if (part.length > 0) {
        reserve(part.length);
        u.parts.add(part);
        u.size += part.length;
      }
      u.lastActive = clock.instant();
      return u.size;
    }
  }

  /** Ends an upload: frees its parts and returns the joined content. */
  byte[] finish(Upload u) {
    uploads.remove(u.id);
    synchronized (u) {
      byte[] all;
      if (u.parts.size() == 1) {
        all = u.parts.get(0);
      } else {
        all = new byte[Math.toIntExact(u.size)];
        int at = 0;
        for (byte[] p : u.parts) {
          System.arraycopy(p, 0, all, at, p.length);
          at += p.length;
        }
      }
      u.parts.clear();
      used.addAndGet(-u.size);
      return all;
    }
  }

  /** Drops an upload and its parts. */
  void cancel(Upload u) {
    uploads.remove(u.id);
    synchronized (u) {
      u.parts.clear();
      used.addAndGet(-u.size);
      u.size = 0;
    }
  }

  private void reserve(long n) {
    long after = used.addAndGet(n);
    if (after > limit) {
      used.addAndGet(-n);
      throw new Full("The fake registry keeps at most " + mib(limit) + " in memory and holds "
          + mib(after - n) + "; " + mib(n) + " more does not fit. Raise the limit with "
          + "FakeAws.builder().registryMemoryLimit(bytes) (--registry-memory-limit for the "
          + "standalone fake), push smaller images, or delete images first.");
    }
  }

  static String mib(long bytes) {
    if (bytes < 1024 * 1024) {
      return bytes + " bytes";
    }
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  static String digest(byte[] content) {
    try {
      return "sha256:" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
