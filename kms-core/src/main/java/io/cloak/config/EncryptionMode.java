package io.cloak.config;

/** How a column is encrypted. */
public enum EncryptionMode {
  /** AES-256-GCM with a fresh nonce per value: equal values look different; no search. */
  RANDOMIZED,
  /**
   * AES-SIV: equal values give equal ciphertexts, so {@code =}, {@code IN}, joins, {@code GROUP BY}
   * and {@code DISTINCT} work; reveals which values are equal.
   */
  DETERMINISTIC
}
