package io.cloak.kms.cache;

/**
 * An immutable snapshot of a {@link DataKeyCache}'s counters, taken by {@link
 * DataKeyCache#stats()}.
 *
 * @param hits {@link DataKeyCache#get} calls answered from the cache, without a KMS call
 * @param misses KMS unwraps a {@code get} had to make (the entry was absent, expired, or had
 *     reached a limit), including failed ones and requests too large to cache
 * @param kmsCalls {@code decrypt} calls made to the KMS, including failed ones; equal to {@code
 *     misses}
 * @param evictions entries discarded because they reached max-age, max-uses or max-bytes, or to
 *     respect the maximum size; {@link DataKeyCache#invalidateAll()} is not counted
 */
public record CacheStats(long hits, long misses, long kmsCalls, long evictions) {}
