package io.cloak.agent.file;

import io.cloak.agent.boot.FileHooks;
import io.cloak.agent.volume.EncryptedFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of one encrypted stream or random-access file. Holds the stream only weakly, so that an
 * unclosed stream can be collected (its cleaner then releases the file). For a {@code
 * RandomAccessFile} the position is the file's own native offset ({@code getFilePointer} / {@code
 * seek}, which are native and not instrumented); for the streams it is a field here.
 */
final class StreamHandle {
  final int kind;
  final boolean append;
  final Lease lease;
  final EncryptedFile file;
  // RandomAccessFile "rws" / "rwd": every modification is forced to storage (with the metadata
  // for "rws"), as the JDK's O_SYNC / O_DSYNC would.
  final boolean syncWrites;
  final boolean syncMetadata;
  private final WeakReference<Object> stream;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long position; // guarded by this; streams only
  private WeakReference<EncryptedFileChannel> channel; // guarded by this
  Cleaner.Cleanable cleanable;

  StreamHandle(
      Object stream,
      int kind,
      boolean append,
      Lease lease,
      boolean syncWrites,
      boolean syncMetadata) {
    this.syncWrites = syncWrites;
    this.syncMetadata = syncMetadata;
    this.stream = new WeakReference<>(stream);
    this.kind = kind;
    this.append = append;
    this.lease = lease;
    this.file = lease.shared.file;
  }

  boolean readable() {
    return kind != FileHooks.Handler.FILE_OUTPUT_STREAM;
  }

  boolean writable() {
    return kind == FileHooks.Handler.FILE_OUTPUT_STREAM
        || kind == FileHooks.Handler.RANDOM_ACCESS_WRITE;
  }

  boolean randomAccess() {
    return kind == FileHooks.Handler.RANDOM_ACCESS_READ
        || kind == FileHooks.Handler.RANDOM_ACCESS_WRITE;
  }

  /** The stream, or null once it was collected. */
  Object stream() {
    return stream.get();
  }

  /** The plaintext position. Callers synchronize on this handle. */
  long position() throws IOException {
    if (randomAccess()) {
      return raf().getFilePointer();
    }
    return position;
  }

  /** Sets the plaintext position. Callers synchronize on this handle. */
  void position(long p) throws IOException {
    if (randomAccess()) {
      raf().seek(p);
    } else {
      position = p;
    }
  }

  private RandomAccessFile raf() throws IOException {
    Object s = stream.get();
    if (s == null) {
      throw new IOException("Stream Closed");
    }
    return (RandomAccessFile) s;
  }

  synchronized EncryptedFileChannel channel() {
    EncryptedFileChannel c = channel == null ? null : channel.get();
    return c;
  }

  synchronized void channel(EncryptedFileChannel c) {
    channel = new WeakReference<>(c);
  }

  /**
   * Ends a modification of the file through this handle: the sealed chunks go to the operating
   * system, and to storage for a synchronous {@code RandomAccessFile}. Callers hold the file's
   * lock.
   */
  void writeBack() throws IOException {
    if (syncWrites) {
      file.force(syncMetadata);
    } else {
      file.flush();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Marks the handle closed; true for the first caller only. */
  boolean markClosed() {
    return closed.compareAndSet(false, true);
  }

  @Override
  public String toString() {
    return "StreamHandle[" + file.name() + ", kind=" + kind + "]";
  }
}
