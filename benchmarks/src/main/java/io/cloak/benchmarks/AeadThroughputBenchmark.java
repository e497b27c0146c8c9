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
 * AES-256-GCM encryption throughput of Cloak's {@link AesGcm} against a bare JDK {@link Cipher}
 * doing the same work (same key, same 16-byte associated data, same buffer, a fresh 12-byte nonce
 * and a 128-bit tag per message), in two like-for-like pairs:
 *
 * <ul>
 *   <li>into a reused output buffer: {@link #jdkIntoBuffer} against {@link #cloakIntoBuffer};
 *   <li>allocating a new output array per message: {@link #jdkAllocating} against {@link
 *       #cloakAllocating}.
 * </ul>
 *
 * The JDK side uses the cheapest correct nonce (a counter; GCM forbids reuse), Cloak draws its
 * nonce from a {@code SecureRandom} and also allocates room for it. Scores are messages per second;
 * {@link BenchmarkMain} multiplies by {@code bufferSize} to report MB/s.
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
    if (jdkIntoBuffer().length != bufferSize + 16) {
      throw new IllegalStateException("unexpected JDK output size");
    }
    byte[] sealed = cloakAllocating();
    if (sealed.length != bufferSize + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH
        || !Arrays.equals(aesGcm.decrypt(sealed, associatedData), plaintext)) {
      throw new IllegalStateException("Cloak AES-GCM round trip failed");
    }
  }

  /** Bare JDK AES-256-GCM: cached Cipher, fresh counter nonce, doFinal into a reused buffer. */
  @Benchmark
  public byte[] jdkIntoBuffer() throws GeneralSecurityException {
    nonceCounter.putLong(0, ++counter);
    cipher.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(associatedData);
    cipher.doFinal(plaintext, 0, plaintext.length, jdkOut, 0);
    return jdkOut;
  }

  /** Bare JDK AES-256-GCM returning a new output array, like Cloak's allocating API. */
  @Benchmark
  public byte[] jdkAllocating() throws GeneralSecurityException {
    nonceCounter.putLong(0, ++counter);
    cipher.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(associatedData);
    return cipher.doFinal(plaintext);
  }

  /** Cloak's primitive: random nonce, new output array holding nonce, ciphertext and tag. */
  @Benchmark
  public byte[] cloakAllocating() throws GeneralSecurityException {
    return aesGcm.encrypt(plaintext, associatedData);
  }

  /**
   * Cloak's primitive writing into a reused buffer ({@link AesGcm#encrypt(byte[], int, int, byte[],
   * byte[], int)}): the same work as {@link #jdkIntoBuffer} plus Cloak's random nonce, checks and
   * nonce copy. This pair is the like-for-like comparison.
   */
  @Benchmark
  public byte[] cloakIntoBuffer() throws GeneralSecurityException {
    aesGcm.encrypt(plaintext, 0, plaintext.length, associatedData, cloakOut, 0);
    return cloakOut;
  }
}
