package dev.oidcecr.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on a lock file that is gone again once the lock is released, so that nothing is
 * left beside the file it guards (the Docker CLI never leaves a {@code config.json.lock}).
 *
 * <p>Deleting a lock file is only safe if a waiter can tell that the file it locked is still the
 * one the path names: a waiter may have opened the file just before the holder deleted it, and
 * would then hold a lock on a deleted file while a third process locks a new one. So the holder,
 * once locked, writes a random stamp into the file it locked and reads the path back: only when
 * the path shows its own stamp does it hold the lock. Only a holder writes a lock file, so no one
 * else can put that stamp there. Before releasing, the holder deletes the path (still its file,
 * as nobody deletes or replaces a lock file they do not hold). A lock file left by a killed
 * process holds no OS lock (the OS drops it with the process): the next writer takes it, stamps
 * it and deletes it.
 *
 * <p>An OS file lock is held per process, and Java throws if two threads of one JVM lock the same
 * file, so each path also has a JVM-wide {@link ReentrantLock} taken first.
 */
public final class TransientLocks {
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TransientLocks() {}

  /**
   * Runs {@code work} while holding the lock on {@code lockFile} (created mode 0600), which is
   * deleted before the lock is released.
   *
   * @throws TimeoutException if the lock was not obtained within {@code timeout}
   */
  public static <T> T withLock(Path lockFile, Duration timeout, FileLocks.Locked<T> work)
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
    try {
      long sleepMillis = 1;
      while (true) {
        FileChannel look = null;
        try (FileChannel channel = open(key)) {
          FileLock lock = tryLock(channel);
          if (lock != null) {
            try {
              look = FileChannel.open(key, StandardOpenOption.READ);
              if (stamped(channel, look)) {
                try {
                  return work.run();
                } finally {
                  Files.deleteIfExists(key);
                }
              }
            } finally {
              lock.release();
            }
          }
        } catch (NoSuchFileException e) {
          // Deleted between our look and our open: try again.
        } finally {
          // Closed only now: closing any descriptor of a file drops the process's lock on it.
          if (look != null) {
            look.close();
          }
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("file lock on " + key);
        }
        sleep(sleepMillis, key);
        sleepMillis = Math.min(50, sleepMillis * 2);
      }
    } finally {
      jvmLock.unlock();
    }
  }

  private static FileChannel open(Path key) throws IOException {
    if (POSIX) {
      try {
        return FileChannel.open(key, Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_READ_WRITE));
      } catch (FileAlreadyExistsException e) {
        // Someone else's lock file (held, or left by a killed process): wait on it.
      }
    }
    return FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // Only possible if code outside this class locks the same file in this JVM.
      return null;
    }
  }

  /**
   * Writes a fresh stamp into the locked file and tells whether {@code look}, opened on the path
   * after the lock was taken, shows it.
   */
  private static boolean stamped(FileChannel locked, FileChannel look) throws IOException {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    byte[] text = (HexFormat.of().formatHex(bytes) + "\n").getBytes(StandardCharsets.US_ASCII);
    locked.truncate(0);
    locked.write(ByteBuffer.wrap(text), 0);
    ByteBuffer seen = ByteBuffer.allocate(text.length + 1);
    while (seen.hasRemaining() && look.read(seen) > 0) {
      // until full or at the end
    }
    return seen.position() == text.length
        && Arrays.equals(seen.array(), 0, text.length, text, 0, text.length);
  }

  private static void sleep(long millis, Path key) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while waiting for the lock on " + key, e);
    }
  }
}
