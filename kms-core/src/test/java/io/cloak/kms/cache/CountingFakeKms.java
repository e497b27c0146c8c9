package io.cloak.kms.cache;

import io.cloak.kms.AliasEntry;
import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.DataKey;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.KeyPolicy;
import io.cloak.kms.Principal;
import io.cloak.kms.RotationEntry;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fake KMS whose only working call is {@link #decrypt}: it "unwraps" by XOR with {@link #MASK},
 * counts calls, and can be made to fail or to block. Thread-safe.
 */
final class CountingFakeKms implements KeyManagementService {
  static final byte MASK = 0x5A;
  static final String KEY_ID = "fake-key";
  static final int KEY_VERSION = 3;

  private final AtomicInteger decryptCalls = new AtomicInteger();
  private volatile Supplier<RuntimeException> failure;
  private volatile CountDownLatch entered;
  private volatile CountDownLatch release;

  /** A wrapped key whose unwrapping is {@code plaintext}. */
  static byte[] wrap(byte[] plaintext) {
    byte[] out = new byte[plaintext.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (plaintext[i] ^ MASK);
    }
    return out;
  }

  /** A 32-byte data key whose bytes are all {@code fill}. */
  static byte[] dataKey(int fill) {
    byte[] k = new byte[DATA_KEY_BYTES];
    java.util.Arrays.fill(k, (byte) fill);
    return k;
  }

  int decryptCalls() {
    return decryptCalls.get();
  }

  /** The next decrypt calls throw what {@code f} supplies, until cleared with null. */
  void failWith(Supplier<RuntimeException> f) {
    this.failure = f;
  }

  /** Decrypt calls count down {@code entered}, then wait for {@code release}. */
  void blockOn(CountDownLatch entered, CountDownLatch release) {
    this.entered = entered;
    this.release = release;
  }

  @Override
  public Decrypted decrypt(Principal caller, byte[] ciphertextBlob, EncryptionContext context) {
    decryptCalls.incrementAndGet();
    CountDownLatch e = entered;
    CountDownLatch r = release;
    if (e != null) {
      e.countDown();
      try {
        if (!r.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("fake KMS was never released");
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(ex);
      }
    }
    Supplier<RuntimeException> f = failure;
    if (f != null) {
      throw f.get();
    }
    return new Decrypted(wrap(ciphertextBlob), KEY_ID, KEY_VERSION);
  }

  @Override
  public KeyMetadata createKey(Principal caller, CreateKeyRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata describeKey(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<KeyMetadata> listKeys(Principal caller) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void enableKey(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void disableKey(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata scheduleKeyDeletion(
      Principal caller, String keyIdOrAlias, int pendingWindowDays) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata cancelKeyDeletion(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void createAlias(Principal caller, String alias, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void updateAlias(Principal caller, String alias, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void deleteAlias(Principal caller, String alias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<AliasEntry> listAliases(Principal caller) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] encrypt(
      Principal caller, String keyIdOrAlias, byte[] plaintext, EncryptionContext context) {
    throw new UnsupportedOperationException();
  }

  @Override
  public DataKey generateDataKey(Principal caller, String keyIdOrAlias, EncryptionContext context) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] generateDataKeyWithoutPlaintext(
      Principal caller, String keyIdOrAlias, EncryptionContext context) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] reEncrypt(
      Principal caller,
      byte[] ciphertextBlob,
      EncryptionContext sourceContext,
      String destinationKeyIdOrAlias,
      EncryptionContext destinationContext) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] generateRandom(Principal caller, int numberOfBytes) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata enableKeyRotation(Principal caller, String keyIdOrAlias, int periodDays) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata disableKeyRotation(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata rotateKeyOnDemand(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<RotationEntry> listKeyRotations(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyPolicy getKeyPolicy(Principal caller, String keyIdOrAlias) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void putKeyPolicy(Principal caller, String keyIdOrAlias, KeyPolicy policy) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
