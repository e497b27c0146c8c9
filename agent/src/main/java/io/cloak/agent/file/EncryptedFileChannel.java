package io.cloak.agent.file;

import io.cloak.agent.volume.EncryptedFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link FileChannel} over the plaintext of a shared {@link EncryptedFile}. Its position is its
 * own (for {@code FileChannel.open}) or its stream's (for {@code getChannel()}: the stream handle's
 * field, or the {@code RandomAccessFile}'s native offset). Every write, truncate and transfer ends
 * by writing the sealed chunks to the operating system (no fsync; {@link #force} does that). Memory
 * mapping is refused: it would expose the ciphertext.
 *
 * <p>Thread-safety: as {@code FileChannel}; operations at the channel's position are serialized.
 *
 * <p>Interrupts: unlike the JDK's, this channel is not interruptible. The file under it is shared
 * by every stream and channel that has it open, and an interrupt closes an interruptible channel,
 * so an I/O method clears the thread's interrupt status while it runs and restores it afterwards.
 * (An interrupt that arrives during the system call can still close the shared raw channel, unless
 * it was made uninterruptible, see {@link OpenFiles#uninterruptible}.)
 */
final class EncryptedFileChannel extends FileChannel {
  private static final int TRANSFER_BUFFER = 64 * 1024;

  private final EncryptedFile file;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  // SYNC or DSYNC, or the channel of a RandomAccessFile opened "rws" or "rwd": force after
  // every modification
  private final boolean sync;
  private final FileChannel lockChannel;
  private final Lease lease; // own lease (FileChannel.open), else null
  private final Closeable owned; // the provider's channel, closed with this one; or null
  private final StreamHandle handle; // stream channels only
  private final Object parent; // the stream, kept reachable while its channel is (as the JDK does)
  private final VolumeFileHandler handler; // stream channels only
  private final Object positionLock = new Object();
  private final List<Lock> locks = new ArrayList<>(); // guarded by itself
  private long position; // guarded by positionLock; own position only

  /** A channel of its own ({@code FileChannel.open} / {@code newByteChannel}). */
  EncryptedFileChannel(
      Lease lease,
      boolean readable,
      boolean writable,
      boolean append,
      boolean sync,
      FileChannel lockChannel,
      Closeable owned) {
    this.sync = sync;
    this.file = lease.shared.file;
    this.lease = lease;
    this.readable = readable;
    this.writable = writable;
    this.append = append;
    this.lockChannel = lockChannel;
    this.owned = owned;
    this.handle = null;
    this.parent = null;
    this.handler = null;
  }

  /** Whether the channel was opened for reading. */
  boolean readable() {
    return readable;
  }

  /** Whether the channel was opened for writing. */
  boolean writable() {
    return writable;
  }

  /** The channel of a stream: shares the stream's position, closing it closes the stream. */
  EncryptedFileChannel(StreamHandle handle, Object stream, VolumeFileHandler handler) {
    this.file = handle.file;
    this.sync = handle.syncWrites;
    this.lease = null;
    this.readable = handle.readable();
    this.writable = handle.writable();
    this.append = handle.append;
    this.lockChannel = handle.lease.shared.raw;
    this.owned = null;
    this.handle = handle;
    this.parent = stream;
    this.handler = handler;
  }

  /**
   * Ends every modification: writes the sealed chunks to the operating system, and to storage for a
   * channel opened with {@code SYNC} or {@code DSYNC}.
   */
  private void writeBack() throws IOException {
    if (sync) {
      file.force(true);
    } else {
      file.flush();
    }
  }

  /** Work on the file; see Interrupts in the class comment. */
  @FunctionalInterface
  private interface Io<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code io} with the thread's interrupt status cleared, so that the shared raw channel is
   * not closed by an interrupt, and restores the status afterwards.
   */
  private static <T> T uninterruptibly(Io<T> io) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      return io.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private long pos() throws IOException {
    if (handle != null) {
      synchronized (handle) {
        return handle.position();
      }
    }
    return position;
  }

  private void pos(long p) throws IOException {
    if (handle != null) {
      synchronized (handle) {
        handle.position(p);
      }
    } else {
      position = p;
    }
  }

  private void ensureOpen() throws IOException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }

  private void ensureReadable() throws IOException {
    ensureOpen();
    if (!readable) {
      throw new NonReadableChannelException();
    }
  }

  private void ensureWritable() throws IOException {
    ensureOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
  }

  // ----- reading ------------------------------------------------------------------------------

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(dst, "dst");
          ensureReadable();
          synchronized (positionLock) {
            long p = pos();
            int n = file.read(dst, p);
            if (n > 0) {
              pos(p + n);
            }
            return n;
          }
        });
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.checkFromIndexSize(offset, length, dsts.length);
          ensureReadable();
          synchronized (positionLock) {
            long p = pos();
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
              ByteBuffer dst = dsts[i];
              if (!dst.hasRemaining()) {
                continue;
              }
              int n = file.read(dst, p + total);
              if (n < 0) {
                break;
              }
              total += n;
              if (dst.hasRemaining()) {
                break; // end of file
              }
            }
            if (total == 0) {
              boolean any = false;
              for (int i = offset; i < offset + length; i++) {
                any |= dsts[i].hasRemaining();
              }
              return any && p >= file.size() ? -1L : 0L;
            }
            pos(p + total);
            return total;
          }
        });
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(dst, "dst");
          if (position < 0) {
            throw new IllegalArgumentException("Negative position");
          }
          ensureReadable();
          return file.read(dst, position);
        });
  }

  // ----- writing ------------------------------------------------------------------------------

  @Override
  public int write(ByteBuffer src) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(src, "src");
          ensureWritable();
          synchronized (positionLock) {
            int n;
            long p = append ? -1 : pos(); // outside the file's lock: handle before file, always
            synchronized (file) {
              if (append) {
                p = file.size();
              }
              n = file.write(src, p);
              writeBack();
            }
            pos(p + n);
            return n;
          }
        });
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.checkFromIndexSize(offset, length, srcs.length);
          ensureWritable();
          synchronized (positionLock) {
            long total = 0;
            long p = append ? -1 : pos();
            synchronized (file) {
              if (append) {
                p = file.size();
              }
              for (int i = offset; i < offset + length; i++) {
                total += file.write(srcs[i], p + total);
              }
              writeBack();
            }
            pos(p + total);
            return total;
          }
        });
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(src, "src");
          if (position < 0) {
            throw new IllegalArgumentException("Negative position");
          }
          ensureWritable();
          synchronized (file) {
            int n = file.write(src, position);
            writeBack();
            return n;
          }
        });
  }

  // ----- position and size --------------------------------------------------------------------

  @Override
  public long position() throws IOException {
    ensureOpen();
    synchronized (positionLock) {
      return append ? file.size() : pos();
    }
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    if (newPosition < 0) {
      throw new IllegalArgumentException();
    }
    ensureOpen();
    synchronized (positionLock) {
      pos(newPosition);
    }
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return file.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    return uninterruptibly(
        () -> {
          if (size < 0) {
            throw new IllegalArgumentException("Negative size");
          }
          ensureWritable();
          synchronized (positionLock) {
            synchronized (file) {
              file.truncate(size);
              writeBack();
            }
            if (!append && pos() > size) {
              pos(size);
            }
          }
          return this;
        });
  }

  @Override
  public void force(boolean metaData) throws IOException {
    uninterruptibly(
        () -> {
          ensureOpen();
          file.force(metaData);
          return null;
        });
  }

  // ----- transfers ----------------------------------------------------------------------------

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(target, "target");
          if (position < 0 || count < 0) {
            throw new IllegalArgumentException();
          }
          ensureReadable();
          ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_BUFFER, Math.max(count, 1)));
          long done = 0;
          while (done < count) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), count - done));
            int n = file.read(buf, position + done);
            if (n <= 0) {
              break;
            }
            buf.flip();
            int written = 0;
            while (buf.hasRemaining()) {
              int w = target.write(buf);
              if (w <= 0) {
                break; // a non-blocking target that is full
              }
              written += w;
            }
            done += written;
            if (written < n) {
              break;
            }
          }
          return done;
        });
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return uninterruptibly(
        () -> {
          Objects.requireNonNull(src, "src");
          if (position < 0 || count < 0) {
            throw new IllegalArgumentException();
          }
          ensureWritable();
          if (position > file.size()) {
            return 0L;
          }
          ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_BUFFER, Math.max(count, 1)));
          long done = 0;
          try {
            while (done < count) {
              buf.clear();
              buf.limit((int) Math.min(buf.capacity(), count - done));
              int n = src.read(buf);
              if (n <= 0) {
                break;
              }
              buf.flip();
              synchronized (file) {
                file.write(buf, position + done);
              }
              done += n;
            }
          } finally {
            writeBack();
          }
          return done;
        });
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    ensureOpen();
    throw new IOException(
        file.name()
            + " is encrypted by Cloak (an encrypted volume): memory-mapping it would expose the"
            + " ciphertext, so it is not supported; use read and write instead");
  }

  // ----- locks --------------------------------------------------------------------------------

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    checkLock(shared);
    FileLock raw = lockChannel.lock(position, size, shared);
    return track(new Lock(this, raw));
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    checkLock(shared);
    FileLock raw = lockChannel.tryLock(position, size, shared);
    return raw == null ? null : track(new Lock(this, raw));
  }

  /**
   * Remembers a lock so that closing this channel releases it, as the JDK does: the raw channel a
   * stream channel locks through is shared and may stay open after this channel is closed.
   */
  private FileLock track(Lock lock) throws IOException {
    synchronized (locks) {
      locks.removeIf(l -> !l.isValid());
      if (!isOpen()) {
        lock.raw.release();
        throw new ClosedChannelException();
      }
      locks.add(lock);
    }
    return lock;
  }

  private void releaseLocks() throws IOException {
    List<Lock> held;
    synchronized (locks) {
      held = new ArrayList<>(locks);
      locks.clear();
    }
    for (Lock l : held) {
      if (l.raw.isValid()) {
        l.raw.release();
      }
    }
  }

  private void checkLock(boolean shared) throws IOException {
    ensureOpen();
    if (shared && !readable) {
      throw new NonReadableChannelException();
    }
    if (!shared && !writable) {
      throw new NonWritableChannelException();
    }
  }

  /** A lock on the raw file, reported as held by the encrypted channel. */
  private static final class Lock extends FileLock {
    private final FileLock raw;

    Lock(EncryptedFileChannel channel, FileLock raw) {
      super(channel, raw.position(), raw.size(), raw.isShared());
      this.raw = raw;
    }

    @Override
    public boolean isValid() {
      return raw.isValid() && channel().isOpen();
    }

    @Override
    public void release() throws IOException {
      if (!channel().isOpen()) {
        if (raw.isValid()) {
          raw.release();
        }
        throw new ClosedChannelException();
      }
      if (raw.isValid()) {
        raw.release();
      }
    }
  }

  // ----- closing ------------------------------------------------------------------------------

  @Override
  protected void implCloseChannel() throws IOException {
    try {
      releaseLocks();
    } catch (IOException e) {
      // the raw channel is closed already: its locks went with it
    }
    if (handle != null) {
      // Like the JDK: closing a stream's channel closes the stream.
      try {
        if (parent instanceof Closeable c) {
          c.close();
        }
      } finally {
        handler.closed(parent);
      }
      return;
    }
    try {
      lease.release();
    } finally {
      if (owned != null) {
        owned.close();
      }
    }
  }

  @Override
  public String toString() {
    return "EncryptedFileChannel[" + file.name() + "]";
  }
}
