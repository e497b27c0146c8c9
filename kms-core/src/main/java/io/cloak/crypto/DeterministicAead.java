package io.cloak.crypto;

import java.security.GeneralSecurityException;

/**
 * Deterministic authenticated encryption with associated data.
 *
 * <p>Security contract: like {@link Aead}, except that encryption is deterministic: equal {@code
 * (plaintext, associatedData)} pairs under the same key give equal ciphertexts. It therefore
 * reveals whether two ciphertexts encrypt the same pair, and nothing else; use it only where that
 * equality leak is intended (for example to look up encrypted values). Decryption throws unless the
 * ciphertext and associated data are authentic.
 *
 * <p>Implementations are thread-safe.
 */
public interface DeterministicAead {

  /**
   * Deterministically encrypts and authenticates {@code plaintext}, binding it to {@code
   * associatedData}.
   *
   * @param plaintext the data to encrypt, not {@code null}
   * @param associatedData authenticated but unencrypted data; {@code null} is treated as empty
   * @return the ciphertext (a fresh array)
   * @throws GeneralSecurityException if encryption fails
   */
  byte[] encryptDeterministically(byte[] plaintext, byte[] associatedData)
      throws GeneralSecurityException;

  /**
   * Verifies and decrypts a ciphertext produced by {@link #encryptDeterministically}.
   *
   * @param ciphertext the ciphertext, not {@code null}
   * @param associatedData the associated data used on encryption; {@code null} is treated as empty
   * @return the plaintext (a fresh array)
   * @throws GeneralSecurityException if the ciphertext is malformed, was tampered with, or the key
   *     or associated data do not match
   */
  byte[] decryptDeterministically(byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException;
}
