package dev.oidcecr.core.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks that serialize writers across threads of this JVM and across processes.
 *
 * <p>An OS file lock is held per process, and Java throws if two threads of one JVM lock the same
 * file, so each lock file also has a JVM-wide {@link ReentrantLock} taken first.
 */
public final class FileLocks {
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private FileLocks() {}

  /** Work done while holding a lock. */
  @FunctionalInterface
  public interface Locked<T> {
    /** Runs the work. */
    T run() throws IOException;
  }

  /**
   * Runs {@code work} while holding the lock on {@code lockFile} (created mode 0600 if missing).
   *
   * @throws TimeoutException if the lock was not obtained within {@code timeout}
   */
  public static <T> T withLock(Path lockFile, Duration timeout, Locked<T> work)
      throws IOException, TimeoutException {
    Path key = lockFile.toAbsolutePath().normalize();
    long deadline = System.nanoTime() + timeout.toNanos();
    ReentrantLock jvmLock = lockInJvm(JVM_LOCKS, key, timeout);
    try (FileChannel channel = openLockFile(key)) {
      FileLock lock = acquire(channel, deadline, key);
      try {
        return work.run();
      } finally {
        lock.release();
      }
    } finally {
      jvmLock.unlock();
    }
  }

  private static FileChannel openLockFile(Path key) throws IOException {
    if (POSIX && !Files.exists(key)) {
      FileAttribute<?> mode =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
      try {
        return FileChannel.open(
            key, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // Another process created it between the check and the open: use theirs.
      }
    }
    return FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static FileLock acquire(FileChannel channel, long deadline, Path key)
      throws IOException, TimeoutException {
    long sleepMillis = 2;
    while (true) {
      FileLock lock = tryLock(channel);
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("file lock on " + key);
      }
      sleep(sleepMillis, key);
      sleepMillis = Math.min(50, sleepMillis * 2);
    }
  }

  // ---------------------------------------------------------------- shared with TransientLocks

  /**
   * Takes the JVM-wide lock of {@code key} from {@code locks} within {@code timeout} and returns
   * it (the caller unlocks it).
   */
  static ReentrantLock lockInJvm(ConcurrentHashMap<Path, ReentrantLock> locks, Path key,
      Duration timeout) throws IOException, TimeoutException {
    ReentrantLock jvmLock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    try {
      if (!jvmLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("JVM lock on " + key);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for the lock on " + key, e);
    }
    return jvmLock;
  }

  /** Returns the OS lock on the channel's file, or null when another holds it. */
  static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // Only possible if code outside these classes locks the same file in this JVM.
      return null;
    }
  }

  /** Sleeps between two tries for the lock on {@code key}. */
  static void sleep(long millis, Path key) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for the lock on " + key, e);
    }
  }
}
