package io.cloak.jdbc.internal.codec;

import io.cloak.crypto.Aead;
import io.cloak.crypto.AesGcm;
import io.cloak.crypto.AesSiv;
import io.cloak.crypto.DeterministicAead;
import io.cloak.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The column-encryption keys derived from one version of a data key.
 *
 * <p>{@link #derive} expands the 32-byte data key with HKDF-SHA256 (no salt) into an AES-256-GCM
 * key (info {@value #GCM_INFO}, 32 bytes) for {@linkplain io.cloak.config.EncryptionMode#RANDOMIZED
 * randomized} columns and an AES-256-SIV key (info {@value #SIV_INFO}, 64 bytes) for {@linkplain
 * io.cloak.config.EncryptionMode#DETERMINISTIC deterministic} columns. The info strings are part of
 * the stored format.
 *
 * <p>Thread-safety: immutable and thread-safe. {@link #toString()} shows only the version, never
 * key material.
 *
 * @param version the data-key version, written into every value encrypted with these keys
 * @param randomized AES-256-GCM for randomized columns
 * @param deterministic AES-256-SIV for deterministic columns
 */
public record ColumnKey(int version, Aead randomized, DeterministicAead deterministic) {

  /** Required data-key length in bytes. */
  public static final int DATA_KEY_LENGTH = 32;

  /** HKDF info for the AES-256-GCM key. */
  public static final String GCM_INFO = "cloak column aes-256-gcm v1";

  /** HKDF info for the AES-256-SIV key. */
  public static final String SIV_INFO = "cloak column aes-256-siv v1";

  /**
   * Creates a column key from existing primitives.
   *
   * @throws NullPointerException if {@code randomized} or {@code deterministic} is {@code null}
   */
  public ColumnKey {
    Objects.requireNonNull(randomized, "randomized");
    Objects.requireNonNull(deterministic, "deterministic");
  }

  /**
   * Derives the column keys for one data-key version. The derived key bytes are zeroed after the
   * primitives have copied them; {@code dataKey} is not modified.
   *
   * @param version the data-key version
   * @param dataKey the 32-byte plaintext data key
   * @throws IllegalArgumentException if {@code dataKey} is not 32 bytes long
   * @throws NullPointerException if {@code dataKey} is {@code null}
   * @throws IllegalStateException if the JCE cannot provide HMAC-SHA256 or AES (never on a standard
   *     JDK); unchecked so that {@code derive} can be used as a {@code Function}
   */
  public static ColumnKey derive(int version, byte[] dataKey) {
    Objects.requireNonNull(dataKey, "dataKey");
    if (dataKey.length != DATA_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "data key must be " + DATA_KEY_LENGTH + " bytes long, got " + dataKey.length);
    }
    byte[] gcmKey = null;
    byte[] sivKey = null;
    try {
      gcmKey = Hkdf.sha256(dataKey, null, GCM_INFO.getBytes(StandardCharsets.UTF_8), 32);
      sivKey = Hkdf.sha256(dataKey, null, SIV_INFO.getBytes(StandardCharsets.UTF_8), 64);
      return new ColumnKey(version, new AesGcm(gcmKey), new AesSiv(sivKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "Cannot derive column keys for data-key version " + version + ": " + e, e);
    } finally {
      if (gcmKey != null) {
        Arrays.fill(gcmKey, (byte) 0);
      }
      if (sivKey != null) {
        Arrays.fill(sivKey, (byte) 0);
      }
    }
  }

  @Override
  public String toString() {
    return "ColumnKey[version=" + version + "]";
  }
}
