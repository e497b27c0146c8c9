package io.cloak.crypto;

import java.security.MessageDigest;

/** Small byte-array helpers. Stateless and thread-safe. */
public final class Bytes {

  private Bytes() {}

  /**
   * Compares two arrays in time that depends only on their lengths, not on their contents.
   *
   * @return {@code true} if both are non-null and have equal contents
   */
  public static boolean equal(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(a, b);
  }

  /**
   * Returns the concatenation of {@code parts} as a fresh array.
   *
   * @throws NullPointerException if any part is {@code null}
   * @throws IllegalArgumentException if the total length exceeds the maximum array size
   */
  public static byte[] concat(byte[]... parts) {
    long total = 0;
    for (byte[] part : parts) {
      total += part.length;
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("concatenation too long: " + total + " bytes");
    }
    byte[] out = new byte[(int) total];
    int pos = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, pos, part.length);
      pos += part.length;
    }
    return out;
  }
}
