package io.cloak.kms;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * A data key from {@link KeyManagementService#generateDataKey}: the plaintext key for local
 * encryption and the same key wrapped under a master key, to be stored beside the data. {@link
 * #toString()} never shows key bytes. Not thread-safe once {@link #destroy()} may be called.
 */
public final class DataKey implements Destroyable {
  private final byte[] plaintext;
  private final byte[] ciphertextBlob;
  private final String keyId;
  private final int keyVersion;
  private boolean destroyed;

  public DataKey(byte[] plaintext, byte[] ciphertextBlob, String keyId, int keyVersion) {
    this.plaintext = plaintext.clone();
    this.ciphertextBlob = ciphertextBlob.clone();
    this.keyId = keyId;
    this.keyVersion = keyVersion;
  }

  /**
   * A copy of the plaintext key.
   *
   * @throws IllegalStateException after {@link #destroy()}
   */
  public byte[] plaintext() {
    if (destroyed) {
      throw new IllegalStateException("data key was destroyed");
    }
    return plaintext.clone();
  }

  /** A copy of the wrapped key, a KMS ciphertext blob. */
  public byte[] ciphertextBlob() {
    return ciphertextBlob.clone();
  }

  /** The master key that wraps this data key. */
  public String keyId() {
    return keyId;
  }

  /** The master key's backing version that wraps this data key. */
  public int keyVersion() {
    return keyVersion;
  }

  /** Overwrites the plaintext key with zeros. */
  @Override
  public void destroy() {
    Arrays.fill(plaintext, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "DataKey[keyId=" + keyId + ", keyVersion=" + keyVersion + ", plaintext=<hidden>]";
  }
}
