package io.cloak.kms.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caches unwrapped data keys so repeated use makes no KMS call. Thread-safe.
 *
 * <p>An entry is keyed by the wrapped key bytes and the {@link EncryptionContext}, and holds the
 * result of one KMS {@code decrypt} made as the principal given to {@link #builder}. It is
 * discarded, and the key unwrapped again on the next {@link #get}, once it is older than max-age,
 * or when a {@code get} would take it past max-uses or max-bytes; the least useful entries are also
 * evicted beyond the maximum size. Key bytes held by the cache are zeroed when their entry is
 * discarded (see {@link UnwrappedDataKey}).
 *
 * <p>Example: {@code cache.get(wrapped, ctx, plaintext.length).derived(AesGcm.class, AesGcm::new)}.
 */
public final class DataKeyCache {
  private final KeyManagementService kms;
  private final Principal caller;
  private final long maxUses;
  private final long maxBytes;
  private final long maxAgeNanos;
  private final Ticker ticker;
  private final Cache<CacheKey, UnwrappedDataKey> cache;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder kmsCalls = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  private DataKeyCache(Builder b) {
    this.kms = b.kms;
    this.caller = b.caller;
    this.maxUses = b.maxUses;
    this.maxAgeNanos = b.maxAge.toNanos();
    this.ticker = b.ticker;
    this.maxBytes = b.maxBytes;
    Caffeine<Object, Object> caffeine =
        Caffeine.newBuilder()
            .expireAfterWrite(b.maxAge)
            .maximumSize(b.maximumSize)
            .ticker(b.ticker)
            // Run maintenance and the removal listener on the calling thread, so keys are zeroed
            // as soon as the cache discards them (and deterministically in tests).
            .executor(Runnable::run);
    if (b.ticker == Ticker.systemTicker()) {
      // Expire idle entries promptly, so their key bytes do not wait for the next cache access.
      caffeine.scheduler(Scheduler.systemScheduler());
    }
    this.cache =
        caffeine
            .<CacheKey, UnwrappedDataKey>removalListener(
                (k, v, cause) -> {
                  if (v != null) {
                    v.destroy();
                  }
                  if (cause.wasEvicted()) {
                    evictions.increment();
                  }
                })
            .build();
  }

  /**
   * A builder for a cache that unwraps keys through {@code kms} as {@code caller}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(KeyManagementService kms, Principal caller) {
    return new Builder(kms, caller);
  }

  /**
   * Unwraps (or returns the cached unwrapping of) a wrapped data key, counting one use and {@code
   * bytes} bytes against the entry's limits. When the entry is absent, older than max-age, or this
   * use would take it past max-uses or max-bytes, the key is unwrapped again by a KMS call.
   * Concurrent misses for the same key make one KMS call. A request for more than max-bytes can
   * never be served by an entry: it makes its own KMS call and its result is not cached.
   *
   * @param wrappedKey the wrapped data key (copied; the caller may reuse the array)
   * @param context the encryption context the key was wrapped with
   * @param bytes how many bytes the caller is about to encrypt or decrypt with the key, {@code >=
   *     0}
   * @throws io.cloak.kms.KmsException whatever the KMS throws, unchanged; failures are not cached
   * @throws IllegalArgumentException if {@code bytes} is negative or {@code wrappedKey} is empty
   * @throws NullPointerException if {@code wrappedKey} or {@code context} is null
   */
  public UnwrappedDataKey get(byte[] wrappedKey, EncryptionContext context, long bytes) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    if (wrappedKey.length == 0) {
      throw new IllegalArgumentException("wrappedKey must not be empty");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    if (bytes > maxBytes) {
      return newKey(unwrap(wrappedKey, context));
    }
    CacheKey cacheKey = new CacheKey(wrappedKey.clone(), context);
    Decrypted[] loadedHere = new Decrypted[1];
    while (true) {
      UnwrappedDataKey entry =
          cache.get(
              cacheKey,
              k -> {
                Decrypted d = unwrap(k.wrapped.clone(), k.context);
                loadedHere[0] = d;
                return newKey(d);
              });
      if (!entry.tryAcquire(bytes, maxUses, maxBytes)) {
        // Exhausted: discard it, unless another thread already replaced it, and load again.
        if (cache.asMap().remove(cacheKey, entry)) {
          evictions.increment();
        }
        continue;
      }
      if (!entry.isDestroyed()) {
        if (loadedHere[0] == null) {
          hits.increment();
        }
        return entry;
      }
      // Discarded between load and use (a concurrent invalidateAll or eviction). If this call
      // paid for an unwrap, serve that uncached rather than calling the KMS again; else retry.
      if (loadedHere[0] != null) {
        return newKey(loadedHere[0]);
      }
    }
  }

  /**
   * Counts one more use of {@code key}, which an earlier {@link #get} of this cache returned,
   * without looking it up again: a cheap path for callers that use one key for many values. Returns
   * false when the key is no longer cached, is older than max-age, or this use would take it past
   * max-uses or max-bytes; the caller then calls {@link #get}, which reloads it. A true return
   * counts as a hit.
   */
  public boolean tryReuse(UnwrappedDataKey key, long bytes) {
    Objects.requireNonNull(key, "key");
    if (bytes < 0 || key.isDestroyed() || ticker.read() - key.loadedAtNanos() >= maxAgeNanos) {
      return false;
    }
    if (!key.tryAcquire(bytes, maxUses, maxBytes) || key.isDestroyed()) {
      return false;
    }
    hits.increment();
    return true;
  }

  /** A snapshot of the counters. */
  public CacheStats stats() {
    return new CacheStats(hits.sum(), misses.sum(), kmsCalls.sum(), evictions.sum());
  }

  /**
   * Discards every entry and zeroes its key bytes, so the next {@link #get} of each key asks the
   * KMS again (which then refuses a disabled or deleted key).
   */
  public void invalidateAll() {
    cache.invalidateAll();
    cache.cleanUp();
  }

  @Override
  public String toString() {
    return "DataKeyCache[caller="
        + caller
        + ", size="
        + cache.estimatedSize()
        + ", "
        + stats()
        + "]";
  }

  private Decrypted unwrap(byte[] wrappedKey, EncryptionContext context) {
    misses.increment();
    kmsCalls.increment();
    return kms.decrypt(caller, wrappedKey, context);
  }

  private UnwrappedDataKey newKey(Decrypted d) {
    return new UnwrappedDataKey(d.keyId(), d.keyVersion(), d.plaintext(), ticker.read());
  }

  /** Wrapped key bytes (owned copy) plus context, compared by content. */
  private static final class CacheKey {
    final byte[] wrapped;
    final EncryptionContext context;
    final int hash;

    CacheKey(byte[] wrapped, EncryptionContext context) {
      this.wrapped = wrapped;
      this.context = context;
      this.hash = 31 * Arrays.hashCode(wrapped) + context.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey other
          && hash == other.hash
          && Arrays.equals(wrapped, other.wrapped)
          && context.equals(other.context);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Configures a {@link DataKeyCache}. Setters reject bad values at once with {@link
   * IllegalArgumentException} (null with {@link NullPointerException}). Not thread-safe.
   */
  public static final class Builder {
    private final KeyManagementService kms;
    private final Principal caller;
    private Duration maxAge = Duration.ofMinutes(5);
    private long maxUses = 1_000_000;
    private long maxBytes = Long.MAX_VALUE;
    private long maximumSize = 10_000;
    private Ticker ticker = Ticker.systemTicker();

    private Builder(KeyManagementService kms, Principal caller) {
      this.kms = Objects.requireNonNull(kms, "kms");
      this.caller = Objects.requireNonNull(caller, "caller");
    }

    /** How long an entry may serve after its unwrap; default 5 minutes; must be positive. */
    public Builder maxAge(Duration d) {
      Objects.requireNonNull(d, "maxAge");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive, got " + d);
      }
      this.maxAge = d;
      return this;
    }

    /** How many {@code get}s one entry may serve; default 1,000,000; must be positive. */
    public Builder maxUses(long n) {
      this.maxUses = positive("maxUses", n);
      return this;
    }

    /** How many bytes one entry may serve in total; default unlimited; must be positive. */
    public Builder maxBytes(long n) {
      this.maxBytes = positive("maxBytes", n);
      return this;
    }

    /** How many entries the cache holds at most; default 10,000; must be positive. */
    public Builder maximumSize(long n) {
      this.maximumSize = positive("maximumSize", n);
      return this;
    }

    /** The time source for max-age; default the system ticker. For tests. */
    public Builder ticker(Ticker t) {
      this.ticker = Objects.requireNonNull(t, "ticker");
      return this;
    }

    public DataKeyCache build() {
      return new DataKeyCache(this);
    }

    private static long positive(String name, long n) {
      if (n <= 0) {
        throw new IllegalArgumentException(name + " must be positive, got " + n);
      }
      return n;
    }
  }
}
