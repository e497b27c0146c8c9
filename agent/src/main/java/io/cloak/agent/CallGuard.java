package io.cloak.agent;

/**
 * Per-thread state shared by every hook the agent inlines into application classes: how deeply
 * hooked JDBC calls are nested, whether one of them already wrapped the connection being returned,
 * and whether the thread is doing Cloak's own work (opening data-key connections, talking to the
 * KMS, reading key files), during which no hook acts. One {@link ThreadLocal} lookup per hooked
 * call; the array is handed from the enter advice to the exit advice.
 */
public final class CallGuard {
  /** Slot: nesting depth of hooked {@code Driver.connect} / {@code DataSource.getConnection}. */
  public static final int JDBC_DEPTH = 0;

  /** Slot: non-zero once a hooked call in the current outermost JDBC call wrapped its result. */
  public static final int JDBC_WRAPPED = 1;

  /** Slot: non-zero while the thread does Cloak's own work; hooks then pass everything through. */
  public static final int INTERNAL = 2;

  /**
   * Slot: non-zero while an {@code XADataSource.getXAConnection} or {@code
   * ConnectionPoolDataSource.getPooledConnection} runs. The physical connection it opens must stay
   * the driver's own (the driver casts it to its own classes); the logical connection that {@code
   * PooledConnection.getConnection} hands out later is the one wrapped.
   */
  public static final int JDBC_PHYSICAL = 3;

  private static final ThreadLocal<int[]> STATE = ThreadLocal.withInitial(() -> new int[4]);

  private CallGuard() {}

  /** This thread's state array (mutable, thread-confined). */
  public static int[] state() {
    return STATE.get();
  }

  /** Whether this thread is inside Cloak's own work. */
  public static boolean internal() {
    return STATE.get()[INTERNAL] > 0;
  }

  /** Work that may throw a checked exception. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /** Runs {@code work} as Cloak's own work: no hook acts on this thread until it returns. */
  public static <T, E extends Exception> T internal(Work<T, E> work) throws E {
    int[] s = STATE.get();
    s[INTERNAL]++;
    try {
      return work.run();
    } finally {
      s[INTERNAL]--;
    }
  }
}
