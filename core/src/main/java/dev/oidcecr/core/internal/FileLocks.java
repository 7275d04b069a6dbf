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
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!jvmLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("JVM lock on " + key);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for the lock on " + key, e);
    }
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
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Only possible if code outside this class locks the same file in this JVM.
        lock = null;
      }
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("file lock on " + key);
      }
      try {
        Thread.sleep(sleepMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for the lock on " + key, e);
      }
      sleepMillis = Math.min(50, sleepMillis * 2);
    }
  }
}
