package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES Key Wrap with Padding (RFC 5649, NIST SP 800-38F KWP), using the JDK's {@code
 * AES/KWP/NoPadding}.
 *
 * <p>Security contract: {@link #wrap} is deterministic authenticated encryption of key material
 * under a key-encryption key (KEK); it must only be used for uniformly random secrets such as keys,
 * never for structured or low-entropy data. {@link #unwrap} returns the key only if the wrapped
 * value is authentic under the KEK, and reports every integrity failure with the same exception
 * type and message. Key bytes never appear in exception messages.
 *
 * <p>Thread-safety: stateless and thread-safe.
 *
 * <p>Exceptions: all failures are {@link GeneralSecurityException}s; a KEK that is not 16, 24 or 32
 * bytes gives a {@link java.security.InvalidKeyException}. {@code null} arguments give a {@link
 * NullPointerException}.
 */
public final class AesKeyWrapPadded {

  private static final String TRANSFORMATION = "AES/KWP/NoPadding";

  private AesKeyWrapPadded() {}

  /**
   * Wraps {@code keyToWrap} under {@code kek}.
   *
   * @param kek a 16, 24 or 32 byte AES key-encryption key
   * @param keyToWrap the key material, at least 1 byte
   * @return the wrapped key: {@code 8 + keyToWrap.length} rounded up to a multiple of 8 bytes, and
   *     at least 16 bytes
   * @throws GeneralSecurityException if the KEK length is invalid, {@code keyToWrap} is empty, or
   *     wrapping fails
   */
  public static byte[] wrap(byte[] kek, byte[] keyToWrap) throws GeneralSecurityException {
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(keyToWrap, "keyToWrap");
    JceCiphers.checkAesKeyLength("AES-KWP key-encryption key", kek.length);
    if (keyToWrap.length == 0) {
      throw new GeneralSecurityException("AES-KWP cannot wrap an empty key");
    }
    Cipher cipher = JceCiphers.newCipher(TRANSFORMATION);
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"));
    return cipher.doFinal(keyToWrap);
  }

  /**
   * Unwraps a key wrapped by {@link #wrap} under the same {@code kek}.
   *
   * @param kek the 16, 24 or 32 byte AES key-encryption key used to wrap
   * @param wrapped the wrapped key
   * @return the unwrapped key material
   * @throws GeneralSecurityException if the KEK length is invalid, the wrapped value is not a
   *     multiple of 8 bytes of at least 16 bytes, or its integrity check (including the RFC 5649
   *     length and padding checks) fails
   */
  public static byte[] unwrap(byte[] kek, byte[] wrapped) throws GeneralSecurityException {
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(wrapped, "wrapped");
    JceCiphers.checkAesKeyLength("AES-KWP key-encryption key", kek.length);
    if (wrapped.length < 16 || wrapped.length % 8 != 0) {
      throw new GeneralSecurityException(
          "AES-KWP wrapped key must be a multiple of 8 bytes and at least 16 bytes, got "
              + wrapped.length);
    }
    Cipher cipher = JceCiphers.newCipher(TRANSFORMATION);
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"));
    try {
      return cipher.doFinal(wrapped);
    } catch (GeneralSecurityException e) {
      // One message for every integrity failure (bad ICV, length or padding): no oracle.
      throw new GeneralSecurityException("AES-KWP unwrap failed: integrity check failed");
    }
  }
}
