package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869) with HMAC-SHA256: extract and expand written over the JDK's {@code HmacSHA256}
 * {@link Mac}.
 *
 * <p>The JDK's HMAC rather than Bouncy Castle's {@code HKDFBytesGenerator}: the first Bouncy Castle
 * digest initialises its {@code CryptoServicesRegistrar}, which loads {@code java.util.logging} and
 * default DSA and DH parameters (about 40 ms of the Java agent's start-up), while the JDK's
 * providers, which {@code Mac.getInstance} loads, are loaded for the AES ciphers anyway.
 *
 * <p>Security contract: derives {@code length} pseudorandom bytes from input keying material that
 * has enough entropy; distinct {@code info} values give independent outputs. The salt should be
 * fixed per application or random, not chosen by an attacker. Secret inputs and outputs never
 * appear in exception messages.
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
public final class Hkdf {

  private static final int HASH_LENGTH = 32;
  private static final String HMAC = "HmacSHA256";

  /** The largest output length RFC 5869 allows for SHA-256: 255 * 32 bytes. */
  static final int MAX_LENGTH = 255 * HASH_LENGTH;

  private Hkdf() {}

  /**
   * Computes HKDF-SHA256 (extract then expand).
   *
   * @param ikm input keying material, not {@code null} (may be empty)
   * @param salt optional salt; {@code null} or empty means no salt (32 zero bytes, per RFC 5869)
   * @param info optional context information; {@code null} is treated as empty
   * @param length output length in bytes, 1 to 8160
   * @return {@code length} bytes of output keying material
   * @throws GeneralSecurityException if {@code length} is out of range or HMAC-SHA256 is
   *     unavailable
   * @throws NullPointerException if {@code ikm} is {@code null}
   */
  public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length)
      throws GeneralSecurityException {
    Objects.requireNonNull(ikm, "ikm");
    if (length < 1 || length > MAX_LENGTH) {
      throw new GeneralSecurityException(
          "HKDF-SHA256 output length must be between 1 and " + MAX_LENGTH + ", got " + length);
    }
    // a null or empty salt is HashLen zero bytes (RFC 5869 section 2.2)
    byte[] extractSalt = (salt == null || salt.length == 0) ? new byte[HASH_LENGTH] : salt;
    Mac mac = Mac.getInstance(HMAC);
    mac.init(new SecretKeySpec(extractSalt, HMAC));
    byte[] prk = mac.doFinal(ikm);
    byte[] out = new byte[length];
    byte[] block = new byte[0];
    try {
      mac.init(new SecretKeySpec(prk, HMAC));
      // T(i) = HMAC(PRK, T(i-1) | info | i), i = 1..ceil(length / HashLen)
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(block);
        if (info != null) {
          mac.update(info);
        }
        mac.update((byte) i);
        Arrays.fill(block, (byte) 0);
        block = mac.doFinal();
        int n = Math.min(HASH_LENGTH, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
    } finally {
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(block, (byte) 0);
    }
    return out;
  }
}
