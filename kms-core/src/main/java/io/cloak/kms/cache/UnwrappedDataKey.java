package io.cloak.kms.cache;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A data key unwrapped by the KMS, as handed out by {@link DataKeyCache#get}. Thread-safe; {@link
 * #toString()} never shows the key bytes.
 *
 * <p>The cache holds the key bytes of this object and zeroes them when the entry is evicted or
 * invalidated. After that {@link #copyOfKey()}, and {@link #derived} for a tag not derived yet,
 * throw {@link IllegalStateException}: get the key again from the cache. Copies already handed out
 * and objects already {@linkplain #derived derived} are unaffected, since they were built from
 * copies. So take what you need (typically a derived cipher) right after {@code get}, and do not
 * keep this object for later.
 */
public final class UnwrappedDataKey {
  private final String keyId;
  private final int keyVersion;
  private final Object lock = new Object();
  private final byte[] key; // guarded by lock; zeroed by destroy()
  private volatile boolean destroyed; // written under lock
  private final ConcurrentMap<Object, Object> derived = new ConcurrentHashMap<>();

  // Usage counted against the owning cache's limits.
  private final AtomicLong uses = new AtomicLong();
  private final AtomicLong bytesUsed = new AtomicLong();

  private final long loadedAtNanos; // from the owning cache's ticker

  /** Takes ownership of {@code key} (no copy). */
  UnwrappedDataKey(String keyId, int keyVersion, byte[] key) {
    this(keyId, keyVersion, key, 0);
  }

  /** Takes ownership of {@code key} (no copy); {@code loadedAtNanos} is the cache ticker's time. */
  UnwrappedDataKey(String keyId, int keyVersion, byte[] key, long loadedAtNanos) {
    this.keyId = keyId;
    this.keyVersion = keyVersion;
    this.key = key;
    this.loadedAtNanos = loadedAtNanos;
  }

  long loadedAtNanos() {
    return loadedAtNanos;
  }

  /** Id of the master key that wrapped this data key. */
  public String keyId() {
    return keyId;
  }

  /** Version of the master key that wrapped this data key. */
  public int keyVersion() {
    return keyVersion;
  }

  /**
   * A fresh copy of the key bytes; the caller owns it (and should zero it when done).
   *
   * @throws IllegalStateException if the entry has since been evicted from the cache
   */
  public byte[] copyOfKey() {
    synchronized (lock) {
      if (destroyed) {
        throw new IllegalStateException("data key was evicted from the cache; get it again");
      }
      return key.clone();
    }
  }

  /**
   * The object derived from this key under {@code tag}, built once per cache entry: the first call
   * for a tag runs {@code factory} on a copy of the key (which the factory may keep), later calls
   * return the same object, even after eviction. Use a tag that also identifies the type (for
   * example the class), since the result is cast to {@code T}. The factory must not call {@code
   * derived} on this key, and must not return null.
   *
   * @throws IllegalStateException if the tag is new and the entry has since been evicted
   * @throws NullPointerException if the factory returns null
   * @throws RuntimeException whatever the factory throws; nothing is stored then
   */
  @SuppressWarnings("unchecked")
  public <T> T derived(Object tag, Function<byte[], T> factory) {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(factory, "factory");
    Object existing = derived.get(tag);
    if (existing != null) {
      return (T) existing;
    }
    return (T)
        derived.computeIfAbsent(
            tag,
            t ->
                Objects.requireNonNull(
                    factory.apply(copyOfKey()), "derived factory returned null"));
  }

  /**
   * Counts one use of {@code bytes} bytes if that stays within both limits.
   *
   * @return false if this use would exceed a limit; the entry must then be replaced
   */
  boolean tryAcquire(long bytes, long maxUses, long maxBytes) {
    long u;
    do {
      u = uses.get();
      if (u >= maxUses) {
        return false;
      }
    } while (!uses.compareAndSet(u, u + 1));
    if (bytes == 0) {
      return true;
    }
    long b;
    do {
      b = bytesUsed.get();
      if (bytes > maxBytes - b) {
        return false;
      }
    } while (!bytesUsed.compareAndSet(b, b + bytes));
    return true;
  }

  /** Zeroes the key bytes; called when the cache discards this entry. Idempotent. */
  void destroy() {
    synchronized (lock) {
      destroyed = true;
      Arrays.fill(key, (byte) 0);
    }
  }

  boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "UnwrappedDataKey[keyId=" + keyId + ", keyVersion=" + keyVersion + ", key=<hidden>]";
  }
}
