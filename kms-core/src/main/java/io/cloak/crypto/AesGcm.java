package io.cloak.crypto;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (NIST SP 800-38D) with a fresh random 96-bit nonce per message and a 128-bit tag, using
 * the JDK's {@code AES/GCM/NoPadding} (SunJCE, hardware accelerated).
 *
 * <p>Ciphertext layout: {@code nonce (12 bytes) | encrypted plaintext | tag (16 bytes)}.
 *
 * <p>Security contract: see {@link Aead}. Nonces are random: each thread draws them from its own
 * instance of the JDK's NIST SP 800-90A {@code DRBG} (see {@code NonceSource}); to keep the
 * probability of a nonce collision below 2<sup>-32</sup>, encrypt at most 2<sup>32</sup> messages
 * under one key, each shorter than 2<sup>36</sup>-32 bytes (Java arrays are far shorter anyway).
 * The key is copied on construction and never appears in {@link #toString()} or in exception
 * messages.
 *
 * <p>Thread-safety: instances are immutable and thread-safe; {@link Cipher} objects are cached per
 * thread and key.
 *
 * <p>Exceptions: all failures are {@link GeneralSecurityException}s; authentication failures are
 * {@link javax.crypto.AEADBadTagException}s. {@code null} plaintext, ciphertext or key gives a
 * {@link NullPointerException}; {@code null} associated data is treated as empty.
 */
public final class AesGcm implements Aead {

  /** Length in bytes of the random nonce that prefixes every ciphertext. */
  public static final int NONCE_LENGTH = 12;

  /** Length in bytes of the authentication tag that ends every ciphertext. */
  public static final int TAG_LENGTH = 16;

  private static final int TAG_BITS = TAG_LENGTH * 8;
  private static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private static final ThreadLocal<NonceSource> NONCES = ThreadLocal.withInitial(NonceSource::new);

  private final SecretKeySpec keySpec;
  // One Cipher per thread and per key: SunJCE re-expands the AES key whenever a Cipher is
  // initialised with a different key, so sharing one Cipher between keys costs a key schedule
  // per message.
  private final ThreadLocal<Cipher> ciphers = new ThreadLocal<>();

  /**
   * Creates an AES-GCM instance for {@code key}, which is copied.
   *
   * @param key a 16, 24 or 32 byte AES key (Cloak uses 32)
   * @throws java.security.InvalidKeyException if the key length is not 16, 24 or 32 bytes
   */
  public AesGcm(byte[] key) throws GeneralSecurityException {
    Objects.requireNonNull(key, "key");
    JceCiphers.checkAesKeyLength("AES-GCM key", key.length);
    this.keySpec = new SecretKeySpec(key, "AES"); // SecretKeySpec copies the key
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
    Objects.requireNonNull(plaintext, "plaintext");
    checkPlaintextLength(plaintext.length);
    byte[] out = new byte[plaintext.length + OVERHEAD];
    encrypt(plaintext, 0, plaintext.length, associatedData, out, 0);
    return out;
  }

  /**
   * Encrypts {@code in[inOff, inOff + inLen)} and writes {@code nonce | ciphertext | tag} into
   * {@code out} starting at {@code outOff}, without intermediate copies.
   *
   * @param associatedData authenticated data; {@code null} is treated as empty
   * @return the number of bytes written, always {@code inLen + NONCE_LENGTH + TAG_LENGTH}
   * @throws ShortBufferException if {@code out} has fewer than {@code inLen + 28} bytes after
   *     {@code outOff}
   * @throws IndexOutOfBoundsException if the input range or {@code outOff} is out of bounds
   * @throws IllegalArgumentException if the input and output ranges overlap in the same array
   * @throws GeneralSecurityException if encryption fails
   */
  public int encrypt(byte[] in, int inOff, int inLen, byte[] associatedData, byte[] out, int outOff)
      throws GeneralSecurityException {
    Objects.checkFromIndexSize(inOff, inLen, in.length);
    checkPlaintextLength(inLen);
    int outLen = inLen + OVERHEAD;
    checkOutput(out, outOff, outLen);
    checkNoOverlap(in, inOff, inLen, out, outOff, outLen);

    NONCES.get().next(out, outOff);
    Cipher cipher = JceCiphers.perThread(ciphers, TRANSFORMATION);
    cipher.init(
        Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, out, outOff, NONCE_LENGTH));
    if (associatedData != null && associatedData.length > 0) {
      cipher.updateAAD(associatedData);
    }
    int written = cipher.doFinal(in, inOff, inLen, out, outOff + NONCE_LENGTH);
    if (written != inLen + TAG_LENGTH) {
      throw new GeneralSecurityException("unexpected AES-GCM output length");
    }
    return outLen;
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    checkCiphertextLength(ciphertext.length);
    byte[] out = new byte[ciphertext.length - OVERHEAD];
    decrypt(ciphertext, 0, ciphertext.length, associatedData, out, 0);
    return out;
  }

  /**
   * Verifies and decrypts {@code in[inOff, inOff + inLen)} (laid out as {@code nonce | ciphertext |
   * tag}) into {@code out} starting at {@code outOff}. On failure the output range is zeroed, so
   * unauthenticated plaintext is never left behind.
   *
   * @param associatedData authenticated data; {@code null} is treated as empty
   * @return the plaintext length, always {@code inLen - NONCE_LENGTH - TAG_LENGTH}
   * @throws javax.crypto.AEADBadTagException if authentication fails
   * @throws ShortBufferException if {@code out} is too short for the plaintext
   * @throws IndexOutOfBoundsException if the input range or {@code outOff} is out of bounds
   * @throws IllegalArgumentException if the input and output ranges overlap in the same array
   * @throws GeneralSecurityException if the input is shorter than 28 bytes or decryption fails
   */
  public int decrypt(byte[] in, int inOff, int inLen, byte[] associatedData, byte[] out, int outOff)
      throws GeneralSecurityException {
    Objects.checkFromIndexSize(inOff, inLen, in.length);
    checkCiphertextLength(inLen);
    int outLen = inLen - OVERHEAD;
    checkOutput(out, outOff, outLen);
    checkNoOverlap(in, inOff, inLen, out, outOff, outLen);

    Cipher cipher = JceCiphers.perThread(ciphers, TRANSFORMATION);
    cipher.init(
        Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, in, inOff, NONCE_LENGTH));
    if (associatedData != null && associatedData.length > 0) {
      cipher.updateAAD(associatedData);
    }
    try {
      int written = cipher.doFinal(in, inOff + NONCE_LENGTH, inLen - NONCE_LENGTH, out, outOff);
      if (written != outLen) {
        throw new GeneralSecurityException("unexpected AES-GCM output length");
      }
      return written;
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(out, outOff, outOff + outLen, (byte) 0);
      throw e;
    }
  }

  /**
   * Encrypts with a caller-chosen nonce and tag length, returning {@code ciphertext | tag} without
   * the nonce. For known-answer tests only: reusing a nonce under one key breaks GCM completely.
   * Accepts any nonce of at least 1 byte and the tag lengths the JDK supports (96 to 128 bits).
   */
  byte[] encryptWithNonce(byte[] nonce, int tagBits, byte[] plaintext, byte[] associatedData)
      throws GeneralSecurityException {
    return withNonce(Cipher.ENCRYPT_MODE, nonce, tagBits, plaintext, associatedData);
  }

  /** Inverse of {@link #encryptWithNonce}; for known-answer tests only. */
  byte[] decryptWithNonce(byte[] nonce, int tagBits, byte[] ciphertextAndTag, byte[] associatedData)
      throws GeneralSecurityException {
    return withNonce(Cipher.DECRYPT_MODE, nonce, tagBits, ciphertextAndTag, associatedData);
  }

  private byte[] withNonce(int mode, byte[] nonce, int tagBits, byte[] input, byte[] ad)
      throws GeneralSecurityException {
    if (nonce.length < 1) {
      throw new InvalidAlgorithmParameterException("GCM nonce must not be empty");
    }
    // A fresh Cipher: the cached per-thread ones refuse re-encryption under the same key and nonce.
    Cipher cipher = JceCiphers.newCipher(TRANSFORMATION);
    cipher.init(mode, keySpec, new GCMParameterSpec(tagBits, nonce));
    if (ad != null && ad.length > 0) {
      cipher.updateAAD(ad);
    }
    return cipher.doFinal(input);
  }

  private static void checkPlaintextLength(int length) throws GeneralSecurityException {
    if (length > Integer.MAX_VALUE - 64 - OVERHEAD) {
      throw new GeneralSecurityException("plaintext too long for AES-GCM: " + length + " bytes");
    }
  }

  private static void checkCiphertextLength(int length) throws GeneralSecurityException {
    if (length < OVERHEAD) {
      throw new GeneralSecurityException(
          "AES-GCM ciphertext too short: " + length + " bytes, need at least " + OVERHEAD);
    }
  }

  private static void checkOutput(byte[] out, int outOff, int outLen) throws ShortBufferException {
    Objects.checkIndex(outOff, out.length + 1);
    if (out.length - outOff < outLen) {
      throw new ShortBufferException(
          "output buffer too short: need " + outLen + " bytes, have " + (out.length - outOff));
    }
  }

  private static void checkNoOverlap(
      byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
    if (in == out && inLen > 0 && outLen > 0 && inOff < outOff + outLen && outOff < inOff + inLen) {
      throw new IllegalArgumentException("input and output ranges must not overlap");
    }
  }

  /**
   * Random nonces for one thread, drawn 64 at a time from the thread's own instance of the JDK's
   * {@code DRBG} {@link SecureRandom} (NIST SP 800-90A Hash_DRBG with SHA-256, 256-bit security
   * strength, seeded and reseeded by the JDK from the system's entropy source). One instance per
   * thread avoids contention on the generator's lock; drawing 64 nonces per call costs about 50 ns
   * per nonce here, against about 300 ns for the default {@code NativePRNG}, which mixes in a read
   * of /dev/urandom on every call. Every nonce is handed out once.
   */
  private static final class NonceSource {
    private static final int BATCH = 64;
    private final SecureRandom random = drbg();
    private final byte[] pool = new byte[NONCE_LENGTH * BATCH];
    private int next = pool.length;

    void next(byte[] out, int offset) {
      if (next == pool.length) {
        random.nextBytes(pool);
        next = 0;
      }
      System.arraycopy(pool, next, out, offset, NONCE_LENGTH);
      next += NONCE_LENGTH;
    }

    private static SecureRandom drbg() {
      try {
        return SecureRandom.getInstance(
            "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE, null));
      } catch (NoSuchAlgorithmException e) {
        return new SecureRandom(); // a JDK without DRBG: the platform default
      }
    }
  }
}
