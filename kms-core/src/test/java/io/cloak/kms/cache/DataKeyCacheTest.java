package io.cloak.kms.cache;

import static io.cloak.kms.cache.CountingFakeKms.dataKey;
import static io.cloak.kms.cache.CountingFakeKms.wrap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyDisabledException;
import io.cloak.kms.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataKeyCacheTest {
  private static final Principal CALLER = Principal.of("app:test");
  private static final EncryptionContext CTX = EncryptionContext.of("table", "orders");
  private static final byte[] KEY = dataKey(0x41);
  private static final byte[] WRAPPED = wrap(KEY);

  private final CountingFakeKms kms = new CountingFakeKms();
  private final FakeTicker ticker = new FakeTicker();
  private ExecutorService pool;

  @AfterEach
  void stopPool() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  private DataKeyCache.Builder builder() {
    return DataKeyCache.builder(kms, CALLER).ticker(ticker);
  }

  @Test
  void repeatedGetsMakeOneKmsCall() {
    DataKeyCache cache = builder().build();

    UnwrappedDataKey first = cache.get(WRAPPED, CTX, 100);
    for (int i = 1; i < 10_000; i++) {
      assertSame(first, cache.get(WRAPPED, CTX, 100));
    }

    assertArrayEquals(KEY, first.copyOfKey());
    assertEquals(new CacheStats(9_999, 1, 1, 0), cache.stats());
    assertEquals(1, kms.decryptCalls());
  }

  @Test
  void defaultsWithTheSystemClockCacheKeys() {
    DataKeyCache cache = DataKeyCache.builder(kms, CALLER).build();

    assertSame(cache.get(WRAPPED, CTX, 1), cache.get(WRAPPED, CTX, 1));
    assertEquals(1, kms.decryptCalls());
  }

  @Test
  void keyIdAndVersionComeFromTheKms() {
    UnwrappedDataKey key = builder().build().get(WRAPPED, CTX, 0);

    assertEquals(CountingFakeKms.KEY_ID, key.keyId());
    assertEquals(CountingFakeKms.KEY_VERSION, key.keyVersion());
  }

  @Test
  void entryExpiresAfterMaxAge() {
    DataKeyCache cache = builder().maxAge(Duration.ofMinutes(1)).build();
    UnwrappedDataKey first = cache.get(WRAPPED, CTX, 1);

    ticker.advance(Duration.ofSeconds(60).minusNanos(1));
    assertSame(first, cache.get(WRAPPED, CTX, 1));
    assertEquals(1, cache.stats().kmsCalls());

    ticker.advance(Duration.ofNanos(2));
    UnwrappedDataKey second = cache.get(WRAPPED, CTX, 1);

    assertNotSame(first, second);
    assertArrayEquals(KEY, second.copyOfKey());
    assertEquals(new CacheStats(1, 2, 2, 1), cache.stats());
    assertThrows(IllegalStateException.class, first::copyOfKey);
  }

  @Test
  void entryIsReloadedAfterMaxUses() {
    DataKeyCache cache = builder().maxUses(3).build();

    UnwrappedDataKey first = cache.get(WRAPPED, CTX, 1);
    cache.get(WRAPPED, CTX, 1);
    cache.get(WRAPPED, CTX, 1);
    assertEquals(1, kms.decryptCalls());

    UnwrappedDataKey second = cache.get(WRAPPED, CTX, 1);

    assertNotSame(first, second);
    assertEquals(new CacheStats(2, 2, 2, 1), cache.stats());
    assertThrows(IllegalStateException.class, first::copyOfKey);
    assertSame(second, cache.get(WRAPPED, CTX, 1));
  }

  @Test
  void entryIsReloadedAfterMaxBytes() {
    DataKeyCache cache = builder().maxBytes(1_000).build();

    UnwrappedDataKey first = cache.get(WRAPPED, CTX, 400);
    assertSame(first, cache.get(WRAPPED, CTX, 600)); // exactly at the limit: still served
    assertEquals(1, kms.decryptCalls());

    UnwrappedDataKey second = cache.get(WRAPPED, CTX, 1); // would exceed: reloaded
    assertNotSame(first, second);
    assertEquals(2, kms.decryptCalls());

    assertSame(second, cache.get(WRAPPED, CTX, 999));
    assertNotSame(second, cache.get(WRAPPED, CTX, 1));
    assertEquals(new CacheStats(2, 3, 3, 2), cache.stats());
  }

  @Test
  void requestLargerThanMaxBytesIsServedButNotCached() {
    DataKeyCache cache = builder().maxBytes(1_000).build();
    UnwrappedDataKey cached = cache.get(WRAPPED, CTX, 10);

    UnwrappedDataKey big = cache.get(WRAPPED, CTX, 1_001);
    UnwrappedDataKey big2 = cache.get(WRAPPED, CTX, 1_001);

    assertArrayEquals(KEY, big.copyOfKey());
    assertNotSame(big, big2);
    assertNotSame(cached, big);
    assertSame(cached, cache.get(WRAPPED, CTX, 10));
    assertEquals(new CacheStats(1, 3, 3, 0), cache.stats());
  }

  @Test
  void differentContextsAreDifferentEntries() {
    DataKeyCache cache = builder().build();
    EncryptionContext other = EncryptionContext.of("table", "customers");

    UnwrappedDataKey a = cache.get(WRAPPED, CTX, 1);
    UnwrappedDataKey b = cache.get(WRAPPED, other, 1);
    assertNotSame(a, b);
    assertEquals(2, kms.decryptCalls());

    assertSame(a, cache.get(WRAPPED, EncryptionContext.of(Map.of("table", "orders")), 1));
    assertSame(b, cache.get(WRAPPED.clone(), other, 1));
    assertNotSame(a, cache.get(WRAPPED, EncryptionContext.empty(), 1));
    assertNotSame(a, cache.get(wrap(dataKey(0x42)), CTX, 1));
    assertEquals(4, kms.decryptCalls());
  }

  @Test
  void callerMutatingTheWrappedArrayDoesNotCorruptTheCache() {
    DataKeyCache cache = builder().build();
    byte[] wrapped = WRAPPED.clone();
    UnwrappedDataKey first = cache.get(wrapped, CTX, 1);

    wrapped[0] ^= 1;

    assertSame(first, cache.get(WRAPPED, CTX, 1));
    assertNotSame(first, cache.get(wrapped, CTX, 1));
  }

  @Test
  void concurrentMissesForOneKeyMakeOneKmsCall() throws Exception {
    DataKeyCache cache = builder().build();
    int threads = 16;
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch start = new CountDownLatch(1);
    kms.blockOn(entered, release);
    pool = Executors.newFixedThreadPool(threads);
    List<Future<UnwrappedDataKey>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                return cache.get(WRAPPED, CTX, 1);
              }));
    }

    start.countDown();
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    Thread.sleep(100); // let the other threads pile up behind the load
    release.countDown();

    UnwrappedDataKey first = results.get(0).get(10, TimeUnit.SECONDS);
    for (Future<UnwrappedDataKey> f : results) {
      assertSame(first, f.get(10, TimeUnit.SECONDS));
    }
    assertEquals(1, kms.decryptCalls());
    assertEquals(new CacheStats(threads - 1, 1, 1, 0), cache.stats());
  }

  @Test
  void concurrentGetsNeverUseAnEntryBeyondMaxUses() throws Exception {
    int maxUses = 10;
    DataKeyCache cache = builder().maxUses(maxUses).build();
    int threads = 8;
    int getsPerThread = 2_000;
    Map<UnwrappedDataKey, AtomicInteger> usesPerEntry = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < getsPerThread; i++) {
                  UnwrappedDataKey k = cache.get(WRAPPED, CTX, 1);
                  usesPerEntry.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }

    int total = threads * getsPerThread;
    usesPerEntry.values().forEach(n -> assertTrue(n.get() <= maxUses, "uses " + n));
    assertEquals(total, usesPerEntry.values().stream().mapToInt(AtomicInteger::get).sum());
    CacheStats stats = cache.stats();
    assertTrue(stats.kmsCalls() >= total / maxUses, stats.toString());
    assertEquals(kms.decryptCalls(), stats.kmsCalls());
    assertEquals(stats.kmsCalls(), stats.misses());
  }

  @Test
  void kmsFailureIsNotCachedAndPropagates() {
    DataKeyCache cache = builder().build();
    KeyDisabledException failure = new KeyDisabledException("key fake-key is disabled");
    kms.failWith(() -> failure);

    KeyDisabledException thrown =
        assertThrows(KeyDisabledException.class, () -> cache.get(WRAPPED, CTX, 1));
    assertSame(failure, thrown);
    assertSame(failure, assertThrows(KeyDisabledException.class, () -> cache.get(WRAPPED, CTX, 1)));
    assertEquals(new CacheStats(0, 2, 2, 0), cache.stats());

    kms.failWith(null);
    assertArrayEquals(KEY, cache.get(WRAPPED, CTX, 1).copyOfKey());
    assertEquals(3, kms.decryptCalls());
  }

  @Test
  void invalidateAllZeroesHeldKeysAndForcesAnotherKmsCall() {
    DataKeyCache cache = builder().build();
    UnwrappedDataKey first = cache.get(WRAPPED, CTX, 1);
    byte[] copy = first.copyOfKey();
    Object cipher = first.derived("cipher", k -> HexFormat.of().formatHex(k));

    cache.invalidateAll();

    IllegalStateException e = assertThrows(IllegalStateException.class, first::copyOfKey);
    assertEquals("data key was evicted from the cache; get it again", e.getMessage());
    assertArrayEquals(KEY, copy, "copies handed out are unaffected");
    assertSame(cipher, first.derived("cipher", k -> "rebuilt"), "derived objects stay valid");
    assertThrows(IllegalStateException.class, () -> first.derived("new tag", k -> "x"));

    UnwrappedDataKey second = cache.get(WRAPPED, CTX, 1);
    assertNotSame(first, second);
    assertArrayEquals(KEY, second.copyOfKey());
    assertEquals(new CacheStats(0, 2, 2, 0), cache.stats());
  }

  @Test
  void getAlwaysReturnsAUsableKeyWhenTheCacheIsFull() {
    DataKeyCache cache = builder().maximumSize(1).build();

    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        byte[] key = dataKey(i);
        assertArrayEquals(key, cache.get(wrap(key), CTX, 1).copyOfKey());
      }
    }

    assertTrue(cache.stats().evictions() > 0, cache.stats().toString());
  }

  @Test
  void toStringNeverShowsKeyBytes() {
    DataKeyCache cache = builder().build();
    UnwrappedDataKey key = cache.get(WRAPPED, CTX, 1);

    for (String s : List.of(key.toString(), cache.toString(), cache.stats().toString())) {
      assertFalse(s.contains(HexFormat.of().formatHex(KEY)), s);
      assertFalse(s.toLowerCase().contains("4141"), s);
      assertFalse(s.contains(Base64.getEncoder().encodeToString(KEY)), s);
      assertFalse(s.contains("65, 65"), s);
      assertFalse(s.contains("AAAA"), s);
    }
    assertTrue(key.toString().contains(CountingFakeKms.KEY_ID));
  }

  @Test
  void builderRejectsNonPositiveLimits() {
    DataKeyCache.Builder b = DataKeyCache.builder(kms, CALLER);

    assertThrows(IllegalArgumentException.class, () -> b.maxAge(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.maxAge(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.maxUses(0));
    assertThrows(IllegalArgumentException.class, () -> b.maxUses(-1));
    assertThrows(IllegalArgumentException.class, () -> b.maxBytes(0));
    assertThrows(IllegalArgumentException.class, () -> b.maxBytes(Long.MIN_VALUE));
    assertThrows(IllegalArgumentException.class, () -> b.maximumSize(0));
    assertThrows(IllegalArgumentException.class, () -> b.maximumSize(-5));
    assertThrows(NullPointerException.class, () -> b.maxAge(null));
    assertThrows(NullPointerException.class, () -> b.ticker(null));
    assertThrows(NullPointerException.class, () -> DataKeyCache.builder(null, CALLER));
    assertThrows(NullPointerException.class, () -> DataKeyCache.builder(kms, null));
  }

  @Test
  void getRejectsBadArguments() {
    DataKeyCache cache = builder().build();

    assertThrows(IllegalArgumentException.class, () -> cache.get(WRAPPED, CTX, -1));
    assertThrows(IllegalArgumentException.class, () -> cache.get(new byte[0], CTX, 1));
    assertThrows(NullPointerException.class, () -> cache.get(null, CTX, 1));
    assertThrows(NullPointerException.class, () -> cache.get(WRAPPED, null, 1));
    assertEquals(0, kms.decryptCalls());
  }

  @Test
  void derivedObjectIsBuiltOncePerEntry() {
    DataKeyCache cache = builder().maxUses(100).build();
    AtomicInteger builds = new AtomicInteger();

    Object first = null;
    for (int i = 0; i < 100; i++) {
      UnwrappedDataKey key = cache.get(WRAPPED, CTX, 1);
      String derived =
          key.derived(
              "hex",
              k -> {
                builds.incrementAndGet();
                String hex = HexFormat.of().formatHex(k);
                java.util.Arrays.fill(k, (byte) 0); // the factory owns its copy
                return hex;
              });
      if (first == null) {
        first = derived;
      }
      assertSame(first, derived);
      assertArrayEquals(KEY, key.copyOfKey());
    }
    assertEquals(1, builds.get());

    UnwrappedDataKey next = cache.get(WRAPPED, CTX, 1); // entry exhausted: a new one
    String rebuilt =
        next.derived(
            "hex",
            k -> {
              builds.incrementAndGet();
              return HexFormat.of().formatHex(k);
            });
    assertEquals(2, builds.get());
    assertEquals(first, rebuilt);
    assertNotSame(first, rebuilt);
  }

  @Test
  void derivedFactoryFailureIsNotStored() {
    UnwrappedDataKey key = builder().build().get(WRAPPED, CTX, 1);

    assertThrows(
        IllegalStateException.class,
        () ->
            key.derived(
                "t",
                k -> {
                  throw new IllegalStateException("boom");
                }));
    assertThrows(NullPointerException.class, () -> key.derived("t", k -> null));

    assertEquals("ok", key.derived("t", k -> "ok"));
  }

  @Test
  void tryReuseCountsUsesWithoutLookupAndStopsAtEveryLimit() {
    DataKeyCache cache = builder().maxUses(3).maxBytes(1_000).build();
    UnwrappedDataKey key = cache.get(WRAPPED, CTX, 10);
    assertTrue(cache.tryReuse(key, 10));
    assertTrue(cache.tryReuse(key, 10));
    assertFalse(cache.tryReuse(key, 10), "a fourth use exceeds maxUses(3)");
    UnwrappedDataKey again = cache.get(WRAPPED, CTX, 10);
    assertNotSame(key, again);
    assertEquals(2, kms.decryptCalls());
    assertFalse(cache.tryReuse(again, 991), "bytes beyond maxBytes");
  }

  @Test
  void tryReuseRefusesAnExpiredOrInvalidatedKey() {
    DataKeyCache cache = builder().maxAge(java.time.Duration.ofMinutes(5)).build();
    UnwrappedDataKey key = cache.get(WRAPPED, CTX, 0);
    assertTrue(cache.tryReuse(key, 0));
    ticker.advance(java.time.Duration.ofMinutes(5));
    assertFalse(cache.tryReuse(key, 0));
    UnwrappedDataKey fresh = cache.get(WRAPPED, CTX, 0);
    assertTrue(cache.tryReuse(fresh, 0));
    cache.invalidateAll();
    assertFalse(cache.tryReuse(fresh, 0));
  }
}
