package io.cloak.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF (RFC 5869) with HMAC-SHA256, using Bouncy Castle's {@code HKDFBytesGenerator}.
 *
 * <p>Bouncy Castle's lightweight API rather than the JDK's {@code Mac}: HKDF inputs are a few dozen
 * bytes, and the JDK's {@code Mac.getInstance} loads every installed security provider the first
 * time (about 130 classes and 0.15 s of the Java agent's start-up).
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
    // a null salt is HashLen zero bytes (RFC 5869), which is what an empty salt means too
    byte[] extractSalt = (salt == null || salt.length == 0) ? null : salt;
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, extractSalt, info == null ? new byte[0] : info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }
}
