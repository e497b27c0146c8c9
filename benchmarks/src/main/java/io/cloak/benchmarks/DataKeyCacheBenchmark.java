package io.cloak.benchmarks;

import io.cloak.kms.EncryptionContext;
import io.cloak.kms.cache.CacheStats;
import io.cloak.kms.cache.DataKeyCache;
import io.cloak.kms.cache.UnwrappedDataKey;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Average time of a cache-hit {@link DataKeyCache#get} of a warm data key, next to a baseline
 * {@link ConcurrentHashMap#get} of an entry keyed by the content of the same wrapped-key bytes.
 *
 * <p>The cache is built with max-uses and max-age well beyond what a run can reach (the defaults,
 * 1,000,000 uses and 5 minutes, would make a fast hit loop re-unwrap through the KMS every million
 * calls), so every measured call is a hit; {@link #tearDown} fails the trial if any call after the
 * warming one missed. The cache's hit path copies the wrapped key, hashes it and the context, looks
 * it up in Caffeine and counts the use and byte budget; the baseline hashes the same bytes and
 * looks them up in a map with content equality.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DataKeyCacheBenchmark {
  private static final long BYTES_PER_USE = 32 * 1024;

  private TempKms temp;
  private EncryptionContext context;
  private byte[] wrappedKey;
  private DataKeyCache cache;
  private ConcurrentHashMap<BytesKey, Object> map;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    temp = new TempKms();
    context = EncryptionContext.of("purpose", "benchmark", "table", "orders");
    wrappedKey = temp.kms.generateDataKey(TempKms.PRINCIPAL, temp.keyId, context).ciphertextBlob();
    cache =
        DataKeyCache.builder(temp.kms, TempKms.PRINCIPAL)
            .maxUses(Long.MAX_VALUE)
            .maxAge(Duration.ofDays(1))
            .build();
    cache.get(wrappedKey, context, BYTES_PER_USE); // the one miss: unwraps through the KMS

    map = new ConcurrentHashMap<>();
    // A few neighbours so the lookup is not into a single-entry table.
    for (int i = 0; i < 16; i++) {
      byte[] other = wrappedKey.clone();
      other[other.length - 1] ^= (byte) (i + 1);
      map.put(new BytesKey(other), new Object());
    }
    map.put(new BytesKey(wrappedKey.clone()), new Object());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try {
      if (cache != null) {
        CacheStats stats = cache.stats();
        if (stats.misses() != 1 || stats.evictions() != 0) {
          throw new IllegalStateException("cache-hit benchmark saw misses: " + stats);
        }
      }
    } finally {
      if (temp != null) {
        temp.close();
      }
    }
  }

  /** Cloak: a cache hit, as an encrypting caller would make it. */
  @Benchmark
  public UnwrappedDataKey cacheHit() {
    return cache.get(wrappedKey, context, BYTES_PER_USE);
  }

  /** Baseline: a plain concurrent map lookup keyed by the wrapped key's content. */
  @Benchmark
  public Object mapBaseline() {
    return map.get(new BytesKey(wrappedKey));
  }

  /** A byte array compared by content. */
  private static final class BytesKey {
    private final byte[] bytes;
    private final int hash;

    BytesKey(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BytesKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
