package dev.oidcecr.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes files so that readers see either the old or the new content, never a mix. */
public final class AtomicFiles {
  /** {@code rw-------}. */
  public static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");
  /** {@code rwx------}. */
  public static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private AtomicFiles() {}

  /** Tells whether the default file system has POSIX permissions. */
  public static boolean posix() {
    return POSIX;
  }

  /** Creates {@code dir} and its missing parents, new ones mode 0700. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (POSIX) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    } else {
      Files.createDirectories(dir);
    }
  }

  /**
   * Replaces {@code target} with {@code content}: written to a temporary file in the same folder,
   * flushed to disk, then renamed over the target. A new file gets {@code newFileMode}; an existing
   * one keeps its mode.
   */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> newFileMode)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Set<PosixFilePermission> mode = newFileMode;
    if (POSIX && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
    }
    String prefix = "." + target.getFileName() + ".";
    Path tmp =
        POSIX
            ? Files.createTempFile(
                dir, prefix, ".tmp", (FileAttribute<?>) PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE))
            : Files.createTempFile(dir, prefix, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (POSIX && !mode.equals(OWNER_READ_WRITE)) {
        Files.setPosixFilePermissions(tmp, mode);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename durable on Linux; other systems may refuse to open a folder, which is fine.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Best effort only.
    }
  }
}
