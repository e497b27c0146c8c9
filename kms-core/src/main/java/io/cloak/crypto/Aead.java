package io.cloak.crypto;

import java.security.GeneralSecurityException;

/**
 * Authenticated encryption with associated data (AEAD).
 *
 * <p>Security contract: {@link #encrypt} provides confidentiality of the plaintext and integrity of
 * both the plaintext and the associated data; the associated data itself is not encrypted and is
 * not part of the returned ciphertext. {@link #decrypt} returns the plaintext only if the
 * ciphertext and associated data are exactly those produced by {@code encrypt} under the same key,
 * and throws otherwise.
 *
 * <p>Implementations are thread-safe.
 */
public interface Aead {

  /**
   * Encrypts and authenticates {@code plaintext}, binding it to {@code associatedData}.
   *
   * @param plaintext the data to encrypt, not {@code null}
   * @param associatedData authenticated but unencrypted data; {@code null} is treated as empty
   * @return the ciphertext (a fresh array)
   * @throws GeneralSecurityException if encryption fails
   */
  byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException;

  /**
   * Verifies and decrypts {@code ciphertext}, which must have been produced by {@link #encrypt}
   * with the same key and associated data.
   *
   * @param ciphertext the output of {@link #encrypt}, not {@code null}
   * @param associatedData the associated data used on encryption; {@code null} is treated as empty
   * @return the plaintext (a fresh array)
   * @throws GeneralSecurityException if the ciphertext is malformed, was tampered with, or the key
   *     or associated data do not match
   */
  byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException;
}
