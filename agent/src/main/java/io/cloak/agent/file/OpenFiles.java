package io.cloak.agent.file;

import io.cloak.agent.CallGuard;
import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeKey;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The open-file table: one {@link EncryptedFile} per physical file (keyed by the file key, that is
 * device and inode, else by the normalized path), reference-counted. Thread-safe: opening and
 * releasing synchronize on the table; I/O on a shared file synchronizes on the {@link
 * EncryptedFile}.
 */
final class OpenFiles {
  /** What an open found on disk. */
  enum State {
    MISSING,
    OTHER, // not a regular file
    EMPTY,
    ENCRYPTED,
    LEGACY
  }

  private final Map<Object, SharedFile> files = new HashMap<>();

  /**
   * Opens {@code path} as encrypted, sharing the table's instance when the file is open already.
   *
   * @param create whether an empty file gets a header (else an empty file is left alone)
   * @param truncate whether to cut the file to zero bytes (a plaintext file then becomes encrypted)
   * @return the shared file with one more reference, or {@code null} when the file is to be left
   *     alone: a plaintext file from before the volume existed, an empty file when {@code !create},
   *     or not a regular file
   */
  SharedFile acquire(Path path, VolumeKey key, boolean create, boolean truncate)
      throws IOException {
    return CallGuard.internal(() -> acquire0(path, key, create, truncate));
  }

  private synchronized SharedFile acquire0(
      Path path, VolumeKey key, boolean create, boolean truncate) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
    if (!attrs.isRegularFile()) {
      return null;
    }
    Object tableKey = attrs.fileKey() != null ? attrs.fileKey() : path;
    SharedFile shared = files.get(tableKey);
    if (shared != null) {
      if (truncate) {
        shared.file.truncate(0);
        shared.file.flush();
      }
      shared.refs++;
      return shared;
    }
    FileChannel raw = openRaw(path);
    try {
      EncryptedFile file = open(raw, key, path.toString(), create, truncate);
      if (file == null) {
        raw.close();
        return null;
      }
      shared = new SharedFile(tableKey, file, raw);
      shared.refs = 1;
      files.put(tableKey, shared);
      return shared;
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(raw, e);
      throw e;
    }
  }

  /**
   * A file of its own over {@code raw}, outside the table (for a file already unlinked, such as one
   * opened with {@code DELETE_ON_CLOSE}); closing it closes {@code raw}. Never null when {@code
   * create}.
   */
  SharedFile acquirePrivate(FileChannel raw, VolumeKey key, String name, boolean truncate)
      throws IOException {
    uninterruptible(raw);
    EncryptedFile file = open(raw, key, name, true, truncate);
    if (file == null) {
      throw new IOException(name + ": a plaintext file cannot be opened as encrypted");
    }
    SharedFile shared = new SharedFile(null, file, raw);
    shared.refs = 1;
    return shared;
  }

  private static EncryptedFile open(
      FileChannel raw, VolumeKey key, String name, boolean create, boolean truncate)
      throws IOException {
    if (truncate && raw.size() > 0) {
      raw.truncate(0);
    }
    if (raw.size() == 0) {
      return create ? EncryptedFile.create(raw, key, name) : null;
    }
    if (!EncryptedFile.isEncrypted(raw)) {
      return null;
    }
    return EncryptedFile.open(raw, key, name);
  }

  /** Drops one reference; the last closes the file (writing what is pending). */
  void release(SharedFile shared) throws IOException {
    boolean last;
    synchronized (this) {
      last = --shared.refs == 0;
      if (last && shared.tableKey != null) {
        files.remove(shared.tableKey);
      }
    }
    if (last) {
      CallGuard.internal(
          () -> {
            shared.file.close();
            return null;
          });
    }
  }

  /** The open shared file with this file key, or null. */
  synchronized SharedFile find(Object fileKey) {
    return fileKey == null ? null : files.get(fileKey);
  }

  /** How many files are open (for tests). */
  synchronized int openCount() {
    return files.size();
  }

  /** What is on disk at {@code path}, without opening it as encrypted. */
  State state(Path path) throws IOException {
    return CallGuard.internal(
        () -> {
          BasicFileAttributes attrs;
          try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
          } catch (NoSuchFileException e) {
            return State.MISSING;
          }
          if (!attrs.isRegularFile()) {
            return State.OTHER;
          }
          if (find(attrs.fileKey()) != null) {
            return State.ENCRYPTED;
          }
          if (attrs.size() == 0) {
            return State.EMPTY;
          }
          try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
              return State.EMPTY;
            }
            return EncryptedFile.isEncrypted(ch) ? State.ENCRYPTED : State.LEGACY;
          }
        });
  }

  /**
   * The plaintext size of the regular file with these attributes, or -1 when it is not an encrypted
   * file (or cannot be read).
   */
  long plaintextSize(Path path, BasicFileAttributes attrs) {
    SharedFile open = find(attrs.fileKey());
    if (open != null) {
      try {
        return open.file.size();
      } catch (IOException e) {
        return -1;
      }
    }
    if (attrs.size() < EncryptedFile.HEADER_LENGTH) {
      return -1;
    }
    try {
      return CallGuard.internal(
          () -> {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
              return EncryptedFile.plaintextSize(ch);
            }
          });
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Opens the raw channel for an encrypted file: read-write, else read-only. */
  static FileChannel openRaw(Path path) throws IOException {
    FileChannel ch =
        CallGuard.internal(
            () -> {
              try {
                return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
              } catch (AccessDeniedException e) {
                return FileChannel.open(path, StandardOpenOption.READ);
              }
            });
    uninterruptible(ch);
    return ch;
  }

  /**
   * {@code sun.nio.ch.FileChannelImpl.setUninterruptible()}, when {@code java.base} exports {@code
   * sun.nio.ch} to this class's module (the agent can arrange that with {@code
   * Instrumentation.redefineModule}); else null.
   */
  private static final Method SET_UNINTERRUPTIBLE = setUninterruptible();

  private static Method setUninterruptible() {
    try {
      if (!FileChannel.class.getModule().isExported("sun.nio.ch", OpenFiles.class.getModule())) {
        return null;
      }
      return Class.forName("sun.nio.ch.FileChannelImpl").getMethod("setUninterruptible");
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Makes a shared raw channel immune to thread interrupts where possible: an interrupt during I/O
   * on an ordinary {@code FileChannel} closes it, which would break the file for every user.
   */
  static void uninterruptible(FileChannel ch) {
    Method m = SET_UNINTERRUPTIBLE;
    if (m != null && m.getDeclaringClass().isInstance(ch)) {
      try {
        m.invoke(ch);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // best effort
      }
    }
  }

  static void closeQuietly(FileChannel ch, Throwable primary) {
    try {
      ch.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  /** Reads up to {@code dst.remaining()} bytes at {@code pos}, through the end of file. */
  static int readFully(EncryptedFile file, ByteBuffer dst, long pos) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = file.read(dst, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }
}
