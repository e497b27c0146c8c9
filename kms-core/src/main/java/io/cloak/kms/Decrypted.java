package io.cloak.kms;

/**
 * The result of {@link KeyManagementService#decrypt}: the plaintext and the key and version that
 * decrypted it. {@link #toString()} never shows the plaintext. Immutable.
 */
public final class Decrypted {
  private final byte[] plaintext;
  private final String keyId;
  private final int keyVersion;

  public Decrypted(byte[] plaintext, String keyId, int keyVersion) {
    this.plaintext = plaintext.clone();
    this.keyId = keyId;
    this.keyVersion = keyVersion;
  }

  /** A copy of the plaintext. */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  public String keyId() {
    return keyId;
  }

  public int keyVersion() {
    return keyVersion;
  }

  @Override
  public String toString() {
    return "Decrypted[keyId=" + keyId + ", keyVersion=" + keyVersion + ", plaintext=<hidden>]";
  }
}
