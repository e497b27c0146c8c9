package io.cloak.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Crash-safe writes of the small files Cloak owns (keystore, volume descriptors): write a temporary
 * file beside the target, fsync it, publish it with an atomic rename or link, then fsync the
 * folder, so a crash at any moment leaves the old file or the new one, never a mix. Not part of
 * Cloak's public API. Thread-safe (stateless).
 */
public final class DurableFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DurableFiles() {}

  /** The prefix of the temporary files written beside {@code target}. */
  public static String temporaryPrefix(Path target) {
    return target.getFileName() + ".tmp-";
  }

  /**
   * Writes {@code content} to a new, fsynced temporary file in {@code target}'s folder and returns
   * its path; the caller publishes or deletes it.
   */
  public static Path writeTemporary(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    byte[] suffix = new byte[8];
    RANDOM.nextBytes(suffix);
    Path tmp = dir.resolve(temporaryPrefix(target) + HexFormat.of().formatHex(suffix));
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  /**
   * Atomically replaces {@code target} (or creates it) with {@code content}.
   *
   * @throws java.nio.file.AtomicMoveNotSupportedException if the folder's file system cannot rename
   *     atomically
   * @throws IOException if writing fails; {@code target} is then unchanged
   */
  public static void replace(Path target, byte[] content) throws IOException {
    Path tmp = writeTemporary(target, content);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** Makes a folder's entries durable; best effort, since some platforms cannot fsync folders. */
  public static void fsyncDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported here (e.g. Windows); a rename is still atomic there.
    }
  }
}
