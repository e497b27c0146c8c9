package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-SIV (RFC 5297) deterministic authenticated encryption with one associated-data component.
 *
 * <p>The key is split in halves: {@code K1} keys the S2V construction (AES-CMAC: Bouncy Castle's
 * CMAC over the JDK's hardware AES) and {@code K2} keys AES-CTR (the JDK's AES-ECB applied to the
 * counter blocks). The synthetic IV {@code V = S2V(K1, ad, plaintext)} is the 16-byte ciphertext
 * prefix; the counter is {@code V} with bits 31 and 63 cleared, as RFC 5297 section 2.6 specifies.
 * Ciphertext layout: {@code V (16 bytes) | ciphertext}.
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
  private static final String ECB_TRANSFORMATION = "AES/ECB/NoPadding";
  private static final byte[] EMPTY = new byte[0];

  private final byte[] macKey;
  // Per thread and per key, so neither the JDK's AES key schedule (CTR, run as ECB over the counter
  // blocks) nor Bouncy Castle's CMAC subkeys are recomputed for every message; CMac.doFinal resets
  // to the keyed state.
  private final ThreadLocal<Cipher> ecbCiphers = new ThreadLocal<>();
  private final ThreadLocal<CMac> macs = ThreadLocal.withInitial(this::newMac);
  private final SecretKeySpec ctrKey;
  // CMAC(K1, 0^128), the first S2V value; depends only on the key, so it is computed once.
  private final byte[] cmacOfZero;
  // The S2V state of the last associated data seen (see adState).
  private volatile AdState lastAd;

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
    checkPlaintextLength(plaintext.length);
    byte[] out = new byte[BLOCK + plaintext.length];
    encryptDeterministically(plaintext, 0, plaintext.length, associatedData, out, 0);
    return out;
  }

  /**
   * Encrypts {@code in[inOff, inOff + inLen)} and writes {@code V | ciphertext} into {@code out}
   * starting at {@code outOff}, without intermediate copies. The result is the same as {@link
   * #encryptDeterministically(byte[], byte[])}.
   *
   * @param associatedData authenticated data; {@code null} is treated as empty
   * @return the number of bytes written, always {@code inLen + 16}
   * @throws IndexOutOfBoundsException if the input range or the output range is out of bounds
   * @throws IllegalArgumentException if the input and output ranges overlap in the same array
   * @throws GeneralSecurityException if encryption fails
   */
  public int encryptDeterministically(
      byte[] in, int inOff, int inLen, byte[] associatedData, byte[] out, int outOff)
      throws GeneralSecurityException {
    Objects.checkFromIndexSize(inOff, inLen, in.length);
    checkPlaintextLength(inLen);
    Objects.checkFromIndexSize(outOff, BLOCK + inLen, out.length);
    if (in == out && inLen > 0 && inOff < outOff + BLOCK + inLen && outOff < inOff + inLen) {
      throw new IllegalArgumentException("input and output ranges must not overlap");
    }
    s2v(associatedData, in, inOff, inLen, out, outOff);
    ctr(out, outOff, in, inOff, inLen, out, outOff + BLOCK);
    return BLOCK + inLen;
  }

  @Override
  public byte[] decryptDeterministically(byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    return decryptDeterministically(ciphertext, 0, ciphertext.length, associatedData);
  }

  /**
   * Verifies and decrypts {@code in[inOff, inOff + inLen)} (laid out as {@code V | ciphertext}), as
   * {@link #decryptDeterministically(byte[], byte[])} does for a whole array.
   *
   * @param associatedData the associated data used on encryption; {@code null} is treated as empty
   * @return the plaintext (a fresh array)
   * @throws IndexOutOfBoundsException if the input range is out of bounds
   * @throws GeneralSecurityException if the input is shorter than 16 bytes, was tampered with, or
   *     the key or associated data do not match
   */
  public byte[] decryptDeterministically(byte[] in, int inOff, int inLen, byte[] associatedData)
      throws GeneralSecurityException {
    Objects.checkFromIndexSize(inOff, inLen, in.length);
    if (inLen < BLOCK) {
      throw new GeneralSecurityException(
          "AES-SIV ciphertext too short: " + inLen + " bytes, need at least " + BLOCK);
    }
    byte[] siv = Arrays.copyOfRange(in, inOff, inOff + BLOCK);
    byte[] plaintext = new byte[inLen - BLOCK];
    ctr(siv, 0, in, inOff + BLOCK, plaintext.length, plaintext, 0);
    byte[] expected = new byte[BLOCK];
    s2v(associatedData, plaintext, 0, plaintext.length, expected, 0);
    if (!Bytes.equal(expected, siv)) {
      Arrays.fill(plaintext, (byte) 0);
      throw new AEADBadTagException("AES-SIV authentication failed");
    }
    return plaintext;
  }

  private static void checkPlaintextLength(int length) throws GeneralSecurityException {
    if (length > Integer.MAX_VALUE - 64 - BLOCK) {
      throw new GeneralSecurityException("plaintext too long for AES-SIV: " + length + " bytes");
    }
  }

  /**
   * The S2V state after the associated data, {@code dbl(CMAC(K1, 0^128)) xor CMAC(K1, ad)}: it
   * depends only on the key and the associated data, which callers such as the JDBC driver repeat
   * for every value of a column, so the last one is remembered.
   */
  private byte[] adState(byte[] associatedData) {
    byte[] ad = associatedData == null ? EMPTY : associatedData;
    AdState last = lastAd;
    if (last != null && Arrays.equals(last.ad, ad)) {
      return last.d;
    }
    byte[] d = cmacOfZero.clone();
    dbl(d);
    xorInto(d, cmac(ad));
    lastAd = new AdState(ad.clone(), d);
    return d;
  }

  /** Associated data and its S2V state; both arrays are never modified after construction. */
  private record AdState(byte[] ad, byte[] d) {}

  /**
   * S2V (RFC 5297 section 2.4) over the two strings {@code (ad, plaintext)}; writes the 16-byte
   * synthetic IV into {@code v[vOff, vOff + 16)}.
   */
  private void s2v(byte[] associatedData, byte[] in, int inOff, int n, byte[] v, int vOff) {
    byte[] d = adState(associatedData).clone();

    CMac mac = macs.get();
    if (n >= BLOCK) {
      // T = plaintext xorend D
      mac.update(in, inOff, n - BLOCK);
      for (int i = 0; i < BLOCK; i++) {
        d[i] ^= in[inOff + n - BLOCK + i];
      }
      mac.update(d, 0, BLOCK);
    } else {
      // T = dbl(D) xor pad(plaintext)
      dbl(d);
      for (int i = 0; i < n; i++) {
        d[i] ^= in[inOff + i];
      }
      d[n] ^= (byte) 0x80;
      mac.update(d, 0, BLOCK);
    }
    mac.doFinal(v, vOff);
    Arrays.fill(d, (byte) 0);
  }

  /**
   * AES-CTR with the counter {@code Q = V} with bits 31 and 63 cleared (RFC 5297 section 2.6),
   * computed as AES-ECB over the counter blocks so that no per-message {@code Cipher.init} is
   * needed. The counter is incremented as one 128-bit big-endian integer, as in SP 800-38A.
   */
  private void ctr(byte[] siv, int sivOff, byte[] in, int inOff, int inLen, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (inLen == 0) {
      return;
    }
    int blocks = (inLen + BLOCK - 1) / BLOCK;
    byte[] stream = new byte[blocks * BLOCK];
    System.arraycopy(siv, sivOff, stream, 0, BLOCK);
    stream[8] &= (byte) 0x7f; // clear bit 63
    stream[12] &= (byte) 0x7f; // clear bit 31
    for (int b = 1; b < blocks; b++) {
      int at = b * BLOCK;
      System.arraycopy(stream, at - BLOCK, stream, at, BLOCK);
      for (int i = at + BLOCK - 1; i >= at; i--) {
        if (++stream[i] != 0) {
          break;
        }
      }
    }
    Cipher ecb = JceCiphers.perThread(ecbCiphers, this::newEcb);
    int written = ecb.doFinal(stream, 0, stream.length, stream, 0);
    if (written != stream.length) {
      throw new GeneralSecurityException("unexpected AES output length");
    }
    for (int i = 0; i < inLen; i++) {
      out[outOff + i] = (byte) (in[inOff + i] ^ stream[i]);
    }
    Arrays.fill(stream, (byte) 0);
  }

  private Cipher newEcb() throws GeneralSecurityException {
    Cipher cipher = JceCiphers.newCipher(ECB_TRANSFORMATION);
    cipher.init(Cipher.ENCRYPT_MODE, ctrKey);
    return cipher;
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
