package io.cloak.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on how long and how much a plaintext data key may be reused from the cache before Cloak
 * asks the KMS again. Immutable and thread-safe.
 *
 * @param maxAge how long a cached data key stays usable (default 5 minutes)
 * @param maxUses how many values a cached data key may encrypt (default 1,000,000)
 * @param maxBytes how many plaintext bytes a cached data key may encrypt (default unlimited, {@link
 *     Long#MAX_VALUE})
 */
public record CacheSettings(Duration maxAge, long maxUses, long maxBytes) {
  /** The limits used when the configuration has no {@code cache} section. */
  public static final CacheSettings DEFAULTS =
      new CacheSettings(Duration.ofMinutes(5), 1_000_000L, Long.MAX_VALUE);

  /**
   * @throws NullPointerException if {@code maxAge} is null
   * @throws IllegalArgumentException if any limit is zero or negative
   */
  public CacheSettings {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isZero() || maxAge.isNegative()) {
      throw new IllegalArgumentException("cache max-age must be positive, got " + maxAge);
    }
    if (maxUses <= 0) {
      throw new IllegalArgumentException("cache max-uses must be positive, got " + maxUses);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("cache max-bytes must be positive, got " + maxBytes);
    }
  }
}
