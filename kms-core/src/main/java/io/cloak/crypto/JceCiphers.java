package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;

/** Package-private helpers for obtaining JCE ciphers and checking AES key sizes. */
final class JceCiphers {

  private JceCiphers() {}

  /**
   * Returns a new {@link Cipher}, preferring the JDK's SunJCE provider (which uses the AES-NI and
   * CLMUL intrinsics) even if another provider was registered with higher priority, and falling
   * back to the default provider selection if SunJCE is absent or lacks the transformation.
   */
  static Cipher newCipher(String transformation) throws GeneralSecurityException {
    Provider sunJce = Security.getProvider("SunJCE");
    if (sunJce != null) {
      try {
        return Cipher.getInstance(transformation, sunJce);
      } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
        // Fall through to the default provider selection.
      }
    }
    return Cipher.getInstance(transformation);
  }

  /** Returns the calling thread's cached cipher for {@code transformation}, creating it once. */
  static Cipher perThread(ThreadLocal<Cipher> cache, String transformation)
      throws GeneralSecurityException {
    Cipher cipher = cache.get();
    if (cipher == null) {
      cipher = newCipher(transformation);
      cache.set(cipher);
    }
    return cipher;
  }

  /** Creates and initialises a cipher. */
  @FunctionalInterface
  interface CipherFactory {
    Cipher create() throws GeneralSecurityException;
  }

  /**
   * Returns the calling thread's cached cipher, created and initialised once by {@code factory}.
   */
  static Cipher perThread(ThreadLocal<Cipher> cache, CipherFactory factory)
      throws GeneralSecurityException {
    Cipher cipher = cache.get();
    if (cipher == null) {
      cipher = factory.create();
      cache.set(cipher);
    }
    return cipher;
  }

  /**
   * Checks that {@code length} is a valid AES key length in bytes (16, 24 or 32).
   *
   * @throws InvalidKeyException otherwise; the message names the length only, never key bytes
   */
  static void checkAesKeyLength(String what, int length) throws InvalidKeyException {
    if (length != 16 && length != 24 && length != 32) {
      throw new InvalidKeyException(
          what + " must be 16, 24 or 32 bytes long, got " + length + " bytes");
    }
  }
}
