package io.cloak.agent.volume;

import io.cloak.crypto.AesGcm;
import io.cloak.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * The unwrapped 256-bit key of one volume, together with the volume's id. Obtained once per volume
 * from {@link VolumeDescriptor#unlock}; opening files with it makes no KMS call. Every file key is
 * derived from it: {@code HKDF-SHA256(volumeKey, salt = fileId, info = "cloak volume file v1", 32)}
 * for the chunks and {@code HKDF-SHA256(volumeKey, salt = fileId, info = "cloak volume header v1",
 * 32)} for the header tag (see {@link EncryptedFile}).
 *
 * <p>Thread-safe. {@link #toString()} never shows the key. After {@link #destroy()} the key bytes
 * are zeroed and opening files fails with {@link IllegalStateException}; files already open keep
 * working, since they hold their own derived keys.
 */
public final class VolumeKey implements Destroyable {
  /** Length in bytes of a volume id. */
  public static final int VOLUME_ID_LENGTH = 16;

  /** Length in bytes of the volume key (AES-256). */
  public static final int KEY_LENGTH = 32;

  static final byte[] FILE_KEY_INFO = "cloak volume file v1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] HEADER_KEY_INFO =
      "cloak volume header v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] volumeId;
  private final byte[] key; // guarded by this; zeroed by destroy()
  private boolean destroyed; // guarded by this

  private VolumeKey(byte[] volumeId, byte[] key) {
    this.volumeId = volumeId;
    this.key = key;
  }

  /**
   * A volume key from its parts, both copied. Package-private: production code gets keys from
   * {@link VolumeDescriptor#unlock}.
   */
  static VolumeKey of(byte[] volumeId, byte[] key) {
    Objects.requireNonNull(volumeId, "volumeId");
    Objects.requireNonNull(key, "key");
    if (volumeId.length != VOLUME_ID_LENGTH) {
      throw new IllegalArgumentException(
          "a volume id has " + VOLUME_ID_LENGTH + " bytes, got " + volumeId.length);
    }
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a volume key has " + KEY_LENGTH + " bytes, got " + key.length);
    }
    return new VolumeKey(volumeId.clone(), key.clone());
  }

  /** A copy of the 16-byte volume id. */
  public byte[] volumeId() {
    return volumeId.clone();
  }

  /** The volume id as 32 lowercase hex digits. */
  public String volumeIdHex() {
    return HexFormat.of().formatHex(volumeId);
  }

  boolean hasVolumeId(byte[] id, int offset) {
    return Arrays.equals(volumeId, 0, VOLUME_ID_LENGTH, id, offset, offset + VOLUME_ID_LENGTH);
  }

  /** The keys of one file: the chunk cipher and the header MAC key. */
  record FileKeys(AesGcm chunkCipher, byte[] headerMacKey) {}

  /**
   * Derives the keys of the file with id {@code fileId}.
   *
   * @throws IllegalStateException after {@link #destroy()}
   */
  FileKeys fileKeys(byte[] fileId) throws GeneralSecurityException {
    byte[] chunkKey;
    byte[] headerKey;
    synchronized (this) {
      if (destroyed) {
        throw new IllegalStateException("volume key " + volumeIdHex() + " was destroyed");
      }
      chunkKey = Hkdf.sha256(key, fileId, FILE_KEY_INFO, KEY_LENGTH);
      headerKey = Hkdf.sha256(key, fileId, HEADER_KEY_INFO, KEY_LENGTH);
    }
    try {
      return new FileKeys(new AesGcm(chunkKey), headerKey);
    } finally {
      Arrays.fill(chunkKey, (byte) 0);
    }
  }

  /** Zeroes the key bytes. Idempotent. */
  @Override
  public synchronized void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public synchronized boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "VolumeKey[volumeId=" + volumeIdHex() + ", key=<hidden>]";
  }
}
