package io.cloak.kms.local;

import io.cloak.kms.InvalidCiphertextException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The local engine's ciphertext blob. Layout (integers big-endian):
 *
 * <pre>
 * format 0x01 (1) | keystore id (16) | key id length (1) | key id (UTF-8)
 * | backing-key version (4) | nonce (12) | ciphertext | tag (16)
 * </pre>
 *
 * AES-256-GCM under the named backing key; the associated data is the header (everything before the
 * nonce) followed by the encryption context's canonical encoding, so neither the key reference nor
 * the context can be changed without decryption failing. Immutable.
 */
record CiphertextBlob(byte[] keystoreId, String keyId, int keyVersion, byte[] sealed) {
  static final int FORMAT_VERSION = 1;
  private static final int MIN_SEALED = 12 + 16;

  static byte[] header(byte[] keystoreId, String keyId, int keyVersion) {
    byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 16 + 1 + id.length + 4)
        .put((byte) FORMAT_VERSION)
        .put(keystoreId)
        .put((byte) id.length)
        .put(id)
        .putInt(keyVersion)
        .array();
  }

  byte[] header() {
    return header(keystoreId, keyId, keyVersion);
  }

  static byte[] assemble(byte[] header, byte[] sealed) {
    byte[] out = Arrays.copyOf(header, header.length + sealed.length);
    System.arraycopy(sealed, 0, out, header.length, sealed.length);
    return out;
  }

  /**
   * Parses a blob's header.
   *
   * @throws InvalidCiphertextException if it is not a blob of this format
   */
  static CiphertextBlob parse(byte[] blob) {
    if (blob == null || blob.length < 1 + 16 + 1) {
      throw new InvalidCiphertextException(
          "not a Cloak KMS ciphertext blob: too short ("
              + (blob == null ? 0 : blob.length)
              + " bytes)");
    }
    if (blob[0] != FORMAT_VERSION) {
      throw new InvalidCiphertextException(
          "not a Cloak KMS ciphertext blob: unknown format version " + (blob[0] & 0xff));
    }
    int idLength = blob[17] & 0xff;
    int headerLength = 1 + 16 + 1 + idLength + 4;
    if (idLength == 0 || blob.length < headerLength + MIN_SEALED) {
      throw new InvalidCiphertextException("Cloak KMS ciphertext blob is truncated");
    }
    byte[] keystoreId = Arrays.copyOfRange(blob, 1, 17);
    String keyId = new String(blob, 18, idLength, StandardCharsets.UTF_8);
    int version = ByteBuffer.wrap(blob, 18 + idLength, 4).getInt();
    if (version < 1) {
      throw new InvalidCiphertextException("Cloak KMS ciphertext blob names an invalid version");
    }
    return new CiphertextBlob(
        keystoreId, keyId, version, Arrays.copyOfRange(blob, headerLength, blob.length));
  }
}
