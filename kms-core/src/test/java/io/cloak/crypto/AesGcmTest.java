package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.AEADBadTagException;
import javax.crypto.ShortBufferException;
import org.junit.jupiter.api.Test;

class AesGcmTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = "associated data".getBytes(StandardCharsets.UTF_8);

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void roundTripsAllKeySizesAndPlaintextLengths() throws Exception {
    for (int keyLength : new int[] {16, 24, 32}) {
      AesGcm gcm = new AesGcm(randomBytes(keyLength));
      for (int n : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 1000, 65537}) {
        byte[] plaintext = randomBytes(n);
        byte[] ciphertext = gcm.encrypt(plaintext, AD);
        assertEquals(AesGcm.NONCE_LENGTH + n + AesGcm.TAG_LENGTH, ciphertext.length);
        assertArrayEquals(plaintext, gcm.decrypt(ciphertext, AD));
      }
    }
  }

  @Test
  void nullAndEmptyAssociatedDataAreEquivalent() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] plaintext = randomBytes(40);
    assertArrayEquals(plaintext, gcm.decrypt(gcm.encrypt(plaintext, null), new byte[0]));
    assertArrayEquals(plaintext, gcm.decrypt(gcm.encrypt(plaintext, new byte[0]), null));
  }

  @Test
  void twoEncryptionsOfTheSamePlaintextDiffer() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] plaintext = randomBytes(32);
    Set<String> nonces = new HashSet<>();
    Set<String> ciphertexts = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      byte[] ciphertext = gcm.encrypt(plaintext, AD);
      nonces.add(HexFormat.of().formatHex(ciphertext, 0, AesGcm.NONCE_LENGTH));
      ciphertexts.add(HexFormat.of().formatHex(ciphertext));
    }
    assertEquals(1000, nonces.size());
    assertEquals(1000, ciphertexts.size());
  }

  @Test
  void rejectsEveryFlippedBit() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] ciphertext = gcm.encrypt(randomBytes(5), AD);
    for (int bit = 0; bit < ciphertext.length * 8; bit++) {
      byte[] tampered = ciphertext.clone();
      tampered[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(AEADBadTagException.class, () -> gcm.decrypt(tampered, AD), "bit " + bit);
    }
  }

  @Test
  void rejectsTruncatedCiphertext() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] ciphertext = gcm.encrypt(randomBytes(20), AD);
    for (int length = 0; length < ciphertext.length; length++) {
      byte[] truncated = Arrays.copyOf(ciphertext, length);
      assertThrows(GeneralSecurityException.class, () -> gcm.decrypt(truncated, AD), "" + length);
    }
  }

  @Test
  void rejectsAppendedBytes() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] ciphertext = gcm.encrypt(randomBytes(20), AD);
    byte[] extended = Arrays.copyOf(ciphertext, ciphertext.length + 1);
    assertThrows(GeneralSecurityException.class, () -> gcm.decrypt(extended, AD));
  }

  @Test
  void rejectsWrongAssociatedData() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] ciphertext = gcm.encrypt(randomBytes(20), AD);
    assertThrows(AEADBadTagException.class, () -> gcm.decrypt(ciphertext, new byte[0]));
    assertThrows(AEADBadTagException.class, () -> gcm.decrypt(ciphertext, null));
    byte[] otherAd = AD.clone();
    otherAd[0] ^= 1;
    assertThrows(AEADBadTagException.class, () -> gcm.decrypt(ciphertext, otherAd));
  }

  @Test
  void rejectsWrongKey() throws Exception {
    byte[] ciphertext = new AesGcm(randomBytes(32)).encrypt(randomBytes(20), AD);
    AesGcm other = new AesGcm(randomBytes(32));
    assertThrows(AEADBadTagException.class, () -> other.decrypt(ciphertext, AD));
  }

  @Test
  void rejectsInvalidKeyLengths() {
    for (int length : new int[] {0, 1, 15, 17, 23, 31, 33, 64}) {
      InvalidKeyException e =
          assertThrows(InvalidKeyException.class, () -> new AesGcm(new byte[length]));
      assertFalse(e.getMessage().contains("00000000"));
    }
  }

  @Test
  void copiesTheKeyOnConstruction() throws Exception {
    byte[] key = randomBytes(32);
    AesGcm gcm = new AesGcm(key);
    byte[] ciphertext = gcm.encrypt(randomBytes(10), AD);
    Arrays.fill(key, (byte) 0);
    gcm.decrypt(ciphertext, AD); // still works with the original key
  }

  @Test
  void toStringDoesNotRevealTheKey() throws Exception {
    byte[] key = randomBytes(32);
    String text = new AesGcm(key).toString();
    assertFalse(text.toLowerCase().contains(HexFormat.of().formatHex(key, 0, 4)));
    assertFalse(text.contains(Arrays.toString(key).substring(1, 10)));
  }

  @Test
  void offsetEncryptWritesNonceCiphertextAndTagIntoTheCallerBuffer() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] input = randomBytes(100);
    byte[] out = new byte[7 + 50 + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH + 3];
    int written = gcm.encrypt(input, 20, 50, AD, out, 7);
    assertEquals(50 + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH, written);
    byte[] ciphertext = Arrays.copyOfRange(out, 7, 7 + written);
    assertArrayEquals(Arrays.copyOfRange(input, 20, 70), gcm.decrypt(ciphertext, AD));

    byte[] plain = new byte[60];
    int plainLength = gcm.decrypt(out, 7, written, AD, plain, 5);
    assertEquals(50, plainLength);
    assertArrayEquals(Arrays.copyOfRange(input, 20, 70), Arrays.copyOfRange(plain, 5, 55));
  }

  @Test
  void offsetDecryptZeroesTheOutputOnFailure() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] ciphertext = gcm.encrypt(randomBytes(40), AD);
    ciphertext[ciphertext.length - 1] ^= 1;
    byte[] out = new byte[40];
    Arrays.fill(out, (byte) 0x55);
    assertThrows(
        AEADBadTagException.class, () -> gcm.decrypt(ciphertext, 0, ciphertext.length, AD, out, 0));
    assertArrayEquals(new byte[40], out);
  }

  @Test
  void offsetMethodsRejectShortOutputAndOverlap() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] input = randomBytes(10);
    assertThrows(ShortBufferException.class, () -> gcm.encrypt(input, 0, 10, AD, new byte[37], 0));
    byte[] ciphertext = gcm.encrypt(input, AD);
    assertThrows(
        ShortBufferException.class,
        () -> gcm.decrypt(ciphertext, 0, ciphertext.length, AD, new byte[9], 0));
    byte[] shared = new byte[100];
    assertThrows(IllegalArgumentException.class, () -> gcm.encrypt(shared, 0, 10, AD, shared, 5));
    assertThrows(
        IndexOutOfBoundsException.class, () -> gcm.encrypt(input, 5, 10, AD, new byte[100], 0));
  }

  @Test
  void nonceOfAnyPositiveLengthWorksInTheKnownAnswerPathButEmptyNonceIsRejected() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(16));
    byte[] plaintext = randomBytes(33);
    for (int nonceLength : new int[] {1, 8, 12, 16, 257}) {
      byte[] nonce = randomBytes(nonceLength);
      byte[] ciphertext = gcm.encryptWithNonce(nonce, 128, plaintext, AD);
      assertArrayEquals(plaintext, gcm.decryptWithNonce(nonce, 128, ciphertext, AD));
    }
    assertThrows(
        GeneralSecurityException.class,
        () -> gcm.encryptWithNonce(new byte[0], 128, plaintext, AD));
  }

  @Test
  void knownAnswerPathWithTwelveByteNonceMatchesThePublicLayout() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    byte[] plaintext = randomBytes(50);
    byte[] ciphertext = gcm.encrypt(plaintext, AD);
    byte[] nonce = Arrays.copyOf(ciphertext, AesGcm.NONCE_LENGTH);
    byte[] rest = Arrays.copyOfRange(ciphertext, AesGcm.NONCE_LENGTH, ciphertext.length);
    assertArrayEquals(plaintext, gcm.decryptWithNonce(nonce, 128, rest, AD));
    assertArrayEquals(rest, gcm.encryptWithNonce(nonce, 128, plaintext, AD));
  }

  @Test
  void sharedInstanceIsSafeAcrossThreads() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    byte[] plaintext = randomBytes(i % 97);
                    byte[] ad = randomBytes(i % 5);
                    if (!Arrays.equals(plaintext, gcm.decrypt(gcm.encrypt(plaintext, ad), ad))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertEquals(true, result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noncesAreDistinctWithinAndAcrossThreadsAndLookUniform() throws Exception {
    AesGcm gcm = new AesGcm(randomBytes(32));
    // More than one refill of the per-thread nonce pool, from two threads.
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        results.add(
            pool.submit(
                () -> {
                  List<String> nonces = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    byte[] c = gcm.encrypt(new byte[1], AD);
                    nonces.add(HexFormat.of().formatHex(c, 0, AesGcm.NONCE_LENGTH));
                  }
                  return nonces;
                }));
      }
      Set<String> all = new HashSet<>();
      long ones = 0;
      for (Future<List<String>> f : results) {
        for (String nonce : f.get()) {
          all.add(nonce);
          ones += new java.math.BigInteger(nonce, 16).bitCount();
        }
      }
      assertEquals(2 * perThread, all.size());
      double bits = 2.0 * perThread * AesGcm.NONCE_LENGTH * 8;
      // Half of the bits set, within far more than 10 standard deviations (sd = sqrt(bits) / 2).
      assertTrue(Math.abs(ones / bits - 0.5) < 0.01, "fraction of one bits " + ones / bits);
    } finally {
      pool.shutdownNow();
    }
  }
}
