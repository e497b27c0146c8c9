package io.cloak.benchmarks;

import io.cloak.crypto.AesGcm;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * AES-256-GCM encryption throughput: Cloak's {@link AesGcm#encrypt(byte[], byte[])} against a bare
 * JDK {@link Cipher} doing the same work (same key, same 16-byte associated data, same buffer, a
 * fresh 12-byte nonce and a 128-bit tag per message). Scores are messages per second; {@link
 * BenchmarkMain} multiplies by {@code bufferSize} to report MB/s.
 *
 * <p>The baseline is the cheapest correct use of the JDK API: one cached {@code Cipher}, a counter
 * nonce (GCM forbids reusing a nonce, and SunJCE refuses to re-init with the last one), and {@code
 * doFinal} into a preallocated output. Cloak's primitive additionally draws its nonce from a {@code
 * SecureRandom}, allocates the {@code nonce | ciphertext | tag} output per call and copies the
 * nonce in: that is the price of its allocating API, and what the ratio measures. {@link
 * #cloakAesGcmIntoBuffer} separates the allocation from the rest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AeadThroughputBenchmark {
  private static final int TAG_BITS = 128;

  @Param({"4096", "32768"})
  public int bufferSize;

  private byte[] plaintext;
  private byte[] associatedData;

  // JDK baseline.
  private Cipher cipher;
  private SecretKeySpec keySpec;
  private byte[] nonce;
  private ByteBuffer nonceCounter;
  private long counter;
  private byte[] jdkOut;

  // Cloak.
  private AesGcm aesGcm;
  private byte[] cloakOut;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[32];
    random.nextBytes(key);
    plaintext = new byte[bufferSize];
    random.nextBytes(plaintext);
    associatedData = new byte[16];
    random.nextBytes(associatedData);

    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    keySpec = new SecretKeySpec(key, "AES");
    // Nonce = 4 random bytes | 8-byte counter, as in SP 800-38D's deterministic construction.
    nonce = new byte[12];
    random.nextBytes(nonce);
    nonceCounter = ByteBuffer.wrap(nonce, 4, 8).slice();
    counter = nonceCounter.getLong(0);
    jdkOut = new byte[bufferSize + TAG_BITS / 8];

    aesGcm = new AesGcm(key);
    cloakOut = new byte[bufferSize + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH];

    // Sanity check: both produce ciphertexts of the expected size and Cloak's decrypts.
    if (jdkCipher().length != bufferSize + 16) {
      throw new IllegalStateException("unexpected JDK output size");
    }
    byte[] sealed = cloakAesGcm();
    if (sealed.length != bufferSize + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH
        || !Arrays.equals(aesGcm.decrypt(sealed, associatedData), plaintext)) {
      throw new IllegalStateException("Cloak AES-GCM round trip failed");
    }
  }

  /** Bare JDK AES-256-GCM: cached Cipher, fresh counter nonce, doFinal into a reused buffer. */
  @Benchmark
  public byte[] jdkCipher() throws GeneralSecurityException {
    nonceCounter.putLong(0, ++counter);
    cipher.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(associatedData);
    cipher.doFinal(plaintext, 0, plaintext.length, jdkOut, 0);
    return jdkOut;
  }

  /** Cloak's primitive: random nonce, new output array holding nonce, ciphertext and tag. */
  @Benchmark
  public byte[] cloakAesGcm() throws GeneralSecurityException {
    return aesGcm.encrypt(plaintext, associatedData);
  }

  /**
   * Diagnostic, not part of the acceptance ratio: Cloak's primitive writing into a reused buffer
   * ({@link AesGcm#encrypt(byte[], int, int, byte[], byte[], int)}), so the difference to {@link
   * #cloakAesGcm} is the cost of allocating the output, and the difference to {@link #jdkCipher} is
   * the random nonce, the checks and the nonce copy.
   */
  @Benchmark
  public byte[] cloakAesGcmIntoBuffer() throws GeneralSecurityException {
    aesGcm.encrypt(plaintext, 0, plaintext.length, associatedData, cloakOut, 0);
    return cloakOut;
  }
}
