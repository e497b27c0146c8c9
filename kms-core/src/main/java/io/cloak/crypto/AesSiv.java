package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-SIV (RFC 5297) deterministic authenticated encryption with one associated-data component.
 *
 * <p>The key is split in halves: {@code K1} keys the S2V construction (AES-CMAC: Bouncy Castle's
 * CMAC over the JDK's hardware AES) and {@code K2} keys AES-CTR (from the JDK). The synthetic IV
 * {@code V = S2V(K1, ad, plaintext)} is the 16-byte ciphertext prefix; the counter is {@code V}
 * with bits 31 and 63 cleared, as RFC 5297 section 2.6 specifies. Ciphertext layout: {@code V (16
 * bytes) | ciphertext}.
 *
 * <p>Security contract: see {@link DeterministicAead}. AES-SIV is also misuse resistant: it stays
 * secure, apart from the equality leak, when the same inputs are encrypted repeatedly. Decryption
 * compares the synthetic IV in constant time and never returns unauthenticated plaintext. The key
 * is copied on construction and never appears in {@link #toString()} or exception messages.
 *
 * <p>Thread-safety: instances are immutable and thread-safe.
 *
 * <p>Exceptions: all failures are {@link GeneralSecurityException}s; authentication failures are
 * {@link AEADBadTagException}s. {@code null} plaintext, ciphertext or key gives a {@link
 * NullPointerException}; {@code null} associated data is treated as an empty component.
 */
public final class AesSiv implements DeterministicAead {

  private static final int BLOCK = 16;
  private static final String CTR_TRANSFORMATION = "AES/CTR/NoPadding";

  private final byte[] macKey;
  // Per thread and per key, so neither the JDK's AES key schedule (CTR) nor Bouncy Castle's CMAC
  // subkeys are recomputed for every message; CMac.doFinal resets to the keyed state.
  private final ThreadLocal<Cipher> ctrCiphers = new ThreadLocal<>();
  private final ThreadLocal<CMac> macs = ThreadLocal.withInitial(this::newMac);
  private final SecretKeySpec ctrKey;
  // CMAC(K1, 0^128), the first S2V value; depends only on the key, so it is computed once.
  private final byte[] cmacOfZero;

  /**
   * Creates an AES-SIV instance for {@code key}, which is copied.
   *
   * @param key 32, 48 or 64 bytes: the first half is the CMAC key K1, the second half the CTR key
   *     K2 (Cloak uses 64 bytes, i.e. AES-256-SIV)
   * @throws InvalidKeyException if the key length is not 32, 48 or 64 bytes
   */
  public AesSiv(byte[] key) throws GeneralSecurityException {
    Objects.requireNonNull(key, "key");
    if (key.length != 32 && key.length != 48 && key.length != 64) {
      throw new InvalidKeyException(
          "AES-SIV key must be 32, 48 or 64 bytes long, got " + key.length + " bytes");
    }
    int half = key.length / 2;
    this.macKey = Arrays.copyOfRange(key, 0, half);
    this.ctrKey = new SecretKeySpec(key, half, half, "AES");
    this.cmacOfZero = cmac(new byte[BLOCK]);
  }

  @Override
  public byte[] encryptDeterministically(byte[] plaintext, byte[] associatedData)
      throws GeneralSecurityException {
    Objects.requireNonNull(plaintext, "plaintext");
    if (plaintext.length > Integer.MAX_VALUE - 64 - BLOCK) {
      throw new GeneralSecurityException(
          "plaintext too long for AES-SIV: " + plaintext.length + " bytes");
    }
    byte[] siv = s2v(associatedData, plaintext);
    byte[] out = new byte[BLOCK + plaintext.length];
    System.arraycopy(siv, 0, out, 0, BLOCK);
    ctr(siv, plaintext, 0, plaintext.length, out, BLOCK);
    return out;
  }

  @Override
  public byte[] decryptDeterministically(byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (ciphertext.length < BLOCK) {
      throw new GeneralSecurityException(
          "AES-SIV ciphertext too short: " + ciphertext.length + " bytes, need at least " + BLOCK);
    }
    byte[] siv = Arrays.copyOf(ciphertext, BLOCK);
    byte[] plaintext = new byte[ciphertext.length - BLOCK];
    ctr(siv, ciphertext, BLOCK, plaintext.length, plaintext, 0);
    byte[] expected = s2v(associatedData, plaintext);
    if (!Bytes.equal(expected, siv)) {
      Arrays.fill(plaintext, (byte) 0);
      throw new AEADBadTagException("AES-SIV authentication failed");
    }
    return plaintext;
  }

  /** S2V (RFC 5297 section 2.4) over the two strings {@code (ad, plaintext)}. */
  private byte[] s2v(byte[] associatedData, byte[] plaintext) {
    byte[] d = cmacOfZero.clone();
    dbl(d);
    xorInto(d, cmac(associatedData == null ? new byte[0] : associatedData));

    CMac mac = macs.get();
    int n = plaintext.length;
    if (n >= BLOCK) {
      // T = plaintext xorend D
      mac.update(plaintext, 0, n - BLOCK);
      for (int i = 0; i < BLOCK; i++) {
        d[i] ^= plaintext[n - BLOCK + i];
      }
      mac.update(d, 0, BLOCK);
    } else {
      // T = dbl(D) xor pad(plaintext)
      dbl(d);
      for (int i = 0; i < n; i++) {
        d[i] ^= plaintext[i];
      }
      d[n] ^= (byte) 0x80;
      mac.update(d, 0, BLOCK);
    }
    byte[] v = new byte[BLOCK];
    mac.doFinal(v, 0);
    return v;
  }

  private void ctr(byte[] siv, byte[] in, int inOff, int inLen, byte[] out, int outOff)
      throws GeneralSecurityException {
    byte[] counter = siv.clone();
    counter[8] &= (byte) 0x7f; // clear bit 63
    counter[12] &= (byte) 0x7f; // clear bit 31
    Cipher cipher = JceCiphers.perThread(ctrCiphers, CTR_TRANSFORMATION);
    cipher.init(Cipher.ENCRYPT_MODE, ctrKey, new IvParameterSpec(counter));
    int written = cipher.doFinal(in, inOff, inLen, out, outOff);
    if (written != inLen) {
      throw new GeneralSecurityException("unexpected AES-CTR output length");
    }
  }

  private byte[] cmac(byte[] data) {
    CMac mac = macs.get();
    mac.update(data, 0, data.length);
    byte[] out = new byte[BLOCK];
    mac.doFinal(out, 0);
    return out;
  }

  private CMac newMac() {
    CMac mac = new CMac(new JdkAesBlockCipher());
    mac.init(new KeyParameter(macKey));
    return mac;
  }

  /** Doubling in GF(2^128) as defined in RFC 5297 section 2.3, in constant time. */
  static void dbl(byte[] block) {
    int carry = (block[0] & 0xff) >>> 7;
    for (int i = 0; i < BLOCK - 1; i++) {
      block[i] = (byte) ((block[i] << 1) | ((block[i + 1] & 0xff) >>> 7));
    }
    block[BLOCK - 1] = (byte) ((block[BLOCK - 1] << 1) ^ (0x87 & -carry));
  }

  private static void xorInto(byte[] target, byte[] source) {
    for (int i = 0; i < BLOCK; i++) {
      target[i] ^= source[i];
    }
  }
}
