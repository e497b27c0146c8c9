package io.cloak.agent.file;

import io.cloak.agent.CallGuard;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One user's reference to a {@link SharedFile}: released exactly once, by {@link #release} or, for
 * a stream or channel that was never closed, by the cleaner after it became unreachable.
 */
final class Lease implements Runnable {
  final SharedFile shared;
  private final OpenFiles table;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(OpenFiles table, SharedFile shared) {
    this.table = table;
    this.shared = shared;
  }

  /** Releases the reference; the last one closes the file. Idempotent. */
  void release() throws IOException {
    if (released.compareAndSet(false, true)) {
      CallGuard.internal(
          () -> {
            table.release(shared);
            return null;
          });
    }
  }

  boolean isReleased() {
    return released.get();
  }

  /** The cleaner action: must not refer to the stream or channel it cleans up after. */
  @Override
  public void run() {
    try {
      release();
    } catch (IOException | RuntimeException e) {
      // Nobody to report to: the stream was dropped unclosed. Writes were already flushed.
    }
  }
}
