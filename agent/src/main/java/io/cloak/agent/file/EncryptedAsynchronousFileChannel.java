package io.cloak.agent.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link AsynchronousFileChannel} an application gets for a file of a volume. Each operation
 * runs the positional read, write or lock of an {@link EncryptedFileChannel} (which are
 * thread-safe) on the channel's executor, then completes the {@link Future} or calls the {@link
 * CompletionHandler} on that thread. Without an executor, operations run on a pool of daemon
 * threads shared by all such channels. Argument and access errors are thrown at once, as the JDK's
 * channel does; I/O errors, an integrity failure or a closed channel reach the future or handler.
 *
 * <p>Thread-safe.
 */
final class EncryptedAsynchronousFileChannel extends AsynchronousFileChannel {
  private static volatile ExecutorService sharedPool;

  private final EncryptedFileChannel channel;
  private final ExecutorService executor;

  EncryptedAsynchronousFileChannel(EncryptedFileChannel channel, ExecutorService executor) {
    this.channel = channel;
    this.executor = executor != null ? executor : sharedPool();
  }

  private static ExecutorService sharedPool() {
    ExecutorService pool = sharedPool;
    if (pool == null) {
      synchronized (EncryptedAsynchronousFileChannel.class) {
        pool = sharedPool;
        if (pool == null) {
          AtomicInteger n = new AtomicInteger();
          int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
          ThreadPoolExecutor p =
              new ThreadPoolExecutor(
                  threads,
                  threads,
                  30,
                  TimeUnit.SECONDS,
                  new LinkedBlockingQueue<>(),
                  r -> {
                    Thread t = new Thread(r, "cloak-async-file-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
          p.allowCoreThreadTimeOut(true);
          sharedPool = pool = p;
        }
      }
    }
    return pool;
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public AsynchronousFileChannel truncate(long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("Negative size");
    }
    if (!channel.writable()) {
      throw new NonWritableChannelException();
    }
    channel.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    channel.force(metaData);
  }

  @Override
  public <A> void lock(
      long position,
      long size,
      boolean shared,
      A attachment,
      CompletionHandler<FileLock, ? super A> handler) {
    checkLock(position, size, shared);
    submit(() -> new Lock(this, channel.lock(position, size, shared)), attachment, handler);
  }

  @Override
  public Future<FileLock> lock(long position, long size, boolean shared) {
    checkLock(position, size, shared);
    return submit(() -> new Lock(this, channel.lock(position, size, shared)));
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    checkLock(position, size, shared);
    FileLock lock = channel.tryLock(position, size, shared);
    return lock == null ? null : new Lock(this, lock);
  }

  @Override
  public <A> void read(
      ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
    checkRead(dst, position);
    submit(() -> channel.read(dst, position), attachment, handler);
  }

  @Override
  public Future<Integer> read(ByteBuffer dst, long position) {
    checkRead(dst, position);
    return submit(() -> channel.read(dst, position));
  }

  @Override
  public <A> void write(
      ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
    checkWrite(src, position);
    submit(() -> channel.write(src, position), attachment, handler);
  }

  @Override
  public Future<Integer> write(ByteBuffer src, long position) {
    checkWrite(src, position);
    return submit(() -> channel.write(src, position));
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return "EncryptedAsynchronousFileChannel[" + channel + "]";
  }

  private void checkRead(ByteBuffer dst, long position) {
    Objects.requireNonNull(dst, "dst");
    if (position < 0) {
      throw new IllegalArgumentException("Negative position");
    }
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("Read-only buffer");
    }
    if (!channel.readable()) {
      throw new NonReadableChannelException();
    }
  }

  private void checkWrite(ByteBuffer src, long position) {
    Objects.requireNonNull(src, "src");
    if (position < 0) {
      throw new IllegalArgumentException("Negative position");
    }
    if (!channel.writable()) {
      throw new NonWritableChannelException();
    }
  }

  private void checkLock(long position, long size, boolean shared) {
    if (position < 0 || size < 0) {
      throw new IllegalArgumentException("Negative position or size");
    }
    if (shared && !channel.readable()) {
      throw new NonReadableChannelException();
    }
    if (!shared && !channel.writable()) {
      throw new NonWritableChannelException();
    }
  }

  private <V> Future<V> submit(Callable<V> operation) {
    CompletableFuture<V> result = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            result.complete(operation.call());
          } catch (Throwable e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  private <V, A> void submit(
      Callable<V> operation, A attachment, CompletionHandler<V, ? super A> handler) {
    Objects.requireNonNull(handler, "handler");
    executor.execute(
        () -> {
          V value;
          try {
            value = operation.call();
          } catch (Throwable e) {
            handler.failed(e, attachment);
            return;
          }
          handler.completed(value, attachment);
        });
  }

  /** A lock of the encrypted file channel, reported as held by this asynchronous channel. */
  private static final class Lock extends FileLock {
    private final FileLock inner;

    Lock(EncryptedAsynchronousFileChannel channel, FileLock inner) {
      super(channel, inner.position(), inner.size(), inner.isShared());
      this.inner = inner;
    }

    @Override
    public boolean isValid() {
      return inner.isValid();
    }

    @Override
    public void release() throws IOException {
      inner.release();
    }
  }
}
