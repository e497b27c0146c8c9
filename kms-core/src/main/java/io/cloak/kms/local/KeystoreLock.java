package io.cloak.kms.local;

import io.cloak.kms.KeystoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutual exclusion over one keystore, across threads and across processes: a lock per canonical
 * path shared by every engine in this JVM, plus an exclusive {@link FileLock} on a sidecar {@code
 * .lock} file, released by the OS if the process dies.
 *
 * <p>All engines of one JVM share a single channel on the lock file: on Linux, closing any
 * descriptor of a file drops every lock the process holds on it, so a second channel closed by one
 * engine would silently release another engine's lock. The shared channel is reference-counted and
 * closed, under the thread lock, when the last engine closes. Thread-safe.
 */
final class KeystoreLock implements AutoCloseable {
  private static final Map<Path, Shared> SHARED = new HashMap<>();

  private final Path path;
  private final Shared shared;
  private boolean closed;

  /** The state shared by every engine of this JVM on one keystore. */
  private static final class Shared {
    final ReentrantLock threadLock = new ReentrantLock();
    final FileChannel channel;
    final Path lockFile;
    FileLock fileLock;
    int references;

    Shared(Path lockFile) throws IOException {
      this.lockFile = lockFile;
      this.channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
  }

  KeystoreLock(Path keystore) {
    this.path = keystore.toAbsolutePath().normalize();
    synchronized (SHARED) {
      Shared s = SHARED.get(path);
      if (s == null) {
        Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
        try {
          s = new Shared(lockFile);
        } catch (IOException e) {
          throw new KeystoreException(
              "cannot open lock file " + lockFile + ": " + e.getMessage(), e);
        }
        SHARED.put(path, s);
      }
      s.references++;
      this.shared = s;
    }
  }

  /** Blocks until this thread holds the keystore exclusively. */
  void lock() {
    shared.threadLock.lock();
    if (shared.threadLock.getHoldCount() > 1) {
      return;
    }
    try {
      shared.fileLock = shared.channel.lock();
    } catch (IOException | RuntimeException e) {
      shared.threadLock.unlock();
      throw new KeystoreException("cannot lock keystore via " + shared.lockFile + ": " + e, e);
    }
  }

  void unlock() {
    try {
      if (shared.threadLock.getHoldCount() == 1 && shared.fileLock != null) {
        shared.fileLock.release();
        shared.fileLock = null;
      }
    } catch (IOException e) {
      throw new KeystoreException("cannot release keystore lock " + shared.lockFile, e);
    } finally {
      shared.threadLock.unlock();
    }
  }

  @Override
  public void close() {
    synchronized (SHARED) {
      if (closed) {
        return;
      }
      closed = true;
      if (--shared.references > 0) {
        return;
      }
      SHARED.remove(path);
      shared.threadLock.lock();
      try {
        shared.channel.close();
      } catch (IOException e) {
        // nothing to recover: the OS releases the lock with the descriptor
      } finally {
        shared.threadLock.unlock();
      }
    }
  }
}
