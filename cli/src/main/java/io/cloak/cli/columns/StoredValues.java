package io.cloak.cli.columns;

import io.cloak.jdbc.internal.codec.ColumnCipher;
import java.nio.ByteBuffer;
import java.util.Base64;

/** Classifies raw stored values: Cloak ciphertext or not, and the data-key version they name. */
final class StoredValues {
  private StoredValues() {}

  /** Whether a raw value ({@code String} or {@code byte[]}) is Cloak ciphertext. */
  static boolean isCiphertext(Object raw) {
    if (raw instanceof String s) {
      return ColumnCipher.isCiphertext(s);
    }
    if (raw instanceof byte[] b) {
      return ColumnCipher.isCiphertext(b);
    }
    return false;
  }

  /**
   * The data-key version of a ciphertext (bytes 4..7 of the binary form, big-endian), or -1 when
   * the value is not ciphertext or too short to say.
   */
  static int version(Object raw) {
    if (!isCiphertext(raw)) {
      return -1;
    }
    byte[] binary;
    if (raw instanceof byte[] b) {
      binary = b;
    } else {
      String s = ((String) raw).substring(ColumnCipher.TEXT_PREFIX.length());
      // 12 base64 characters are 9 bytes: enough for the 8-byte header
      if (s.length() > 12) {
        s = s.substring(0, 12);
      }
      try {
        binary = Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        return -1;
      }
    }
    if (binary.length < ColumnCipher.HEADER_LENGTH) {
      return -1;
    }
    return ByteBuffer.wrap(binary, 4, 4).getInt();
  }
}
