package io.cloak.agent.volume;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that help a large read or write of an {@link EncryptedFile} decrypt or seal its
 * chunks: one fewer than the available processors (none on a single processor), created on first
 * use, named {@code cloak-volume-crypto-N}, daemons (they never keep the JVM alive), and stopped
 * after a minute without work.
 *
 * <p>A helper only ever takes work that the calling thread has not taken yet, and the calling
 * thread never waits for a helper to start: when every helper is busy (or the queue is full), the
 * calling thread does the whole run itself. So a read or write never depends on the pool to finish.
 */
final class ChunkHelpers {
  /** How many helper threads there are at most. */
  static final int COUNT = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);

  private static final int QUEUE = 64;
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static volatile ThreadPoolExecutor executor;

  private ChunkHelpers() {}

  /**
   * Hands {@code task} to a helper thread; false (and nothing happens) when there is no helper or
   * the queue is full.
   */
  static boolean offer(Runnable task) {
    if (COUNT == 0) {
      return false;
    }
    try {
      executor().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private static ThreadPoolExecutor executor() {
    ThreadPoolExecutor e = executor;
    if (e == null) {
      synchronized (ChunkHelpers.class) {
        e = executor;
        if (e == null) {
          e =
              new ThreadPoolExecutor(
                  COUNT,
                  COUNT,
                  60,
                  TimeUnit.SECONDS,
                  new ArrayBlockingQueue<>(QUEUE),
                  ChunkHelpers::newThread,
                  new ThreadPoolExecutor.AbortPolicy());
          e.allowCoreThreadTimeOut(true);
          executor = e;
        }
      }
    }
    return e;
  }

  private static Thread newThread(Runnable r) {
    // No inherited thread locals, and no context class loader: the thread serves every caller.
    Thread t = new Thread(null, r, "cloak-volume-crypto-" + THREADS.incrementAndGet(), 0, false);
    t.setDaemon(true);
    t.setPriority(Thread.NORM_PRIORITY);
    t.setContextClassLoader(null);
    return t;
  }
}
