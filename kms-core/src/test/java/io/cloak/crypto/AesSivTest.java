package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class AesSivTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = "table=users,column=email".getBytes(StandardCharsets.UTF_8);

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void roundTripsAllKeySizesAndPlaintextLengths() throws Exception {
    for (int keyLength : new int[] {32, 48, 64}) {
      AesSiv siv = new AesSiv(randomBytes(keyLength));
      for (int n : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 1000}) {
        byte[] plaintext = randomBytes(n);
        byte[] ciphertext = siv.encryptDeterministically(plaintext, AD);
        assertEquals(16 + n, ciphertext.length);
        assertArrayEquals(plaintext, siv.decryptDeterministically(ciphertext, AD));
      }
    }
  }

  @Test
  void isDeterministic() throws Exception {
    byte[] key = randomBytes(64);
    byte[] plaintext = "alice@example.com".getBytes(StandardCharsets.UTF_8);
    byte[] first = new AesSiv(key).encryptDeterministically(plaintext, AD);
    assertArrayEquals(first, new AesSiv(key).encryptDeterministically(plaintext, AD));
    assertArrayEquals(first, new AesSiv(key).encryptDeterministically(plaintext.clone(), AD));
  }

  @Test
  void differentPlaintextOrAssociatedDataGiveDifferentCiphertexts() throws Exception {
    AesSiv siv = new AesSiv(randomBytes(64));
    byte[] plaintext = "alice@example.com".getBytes(StandardCharsets.UTF_8);
    byte[] base = siv.encryptDeterministically(plaintext, AD);
    byte[] otherPlaintext = plaintext.clone();
    otherPlaintext[0] ^= 1;
    assertFalse(Arrays.equals(base, siv.encryptDeterministically(otherPlaintext, AD)));
    assertFalse(Arrays.equals(base, siv.encryptDeterministically(plaintext, new byte[0])));
  }

  @Test
  void nullAndEmptyAssociatedDataAreEquivalent() throws Exception {
    AesSiv siv = new AesSiv(randomBytes(64));
    byte[] plaintext = randomBytes(20);
    assertArrayEquals(
        siv.encryptDeterministically(plaintext, null),
        siv.encryptDeterministically(plaintext, new byte[0]));
  }

  @Test
  void rejectsEveryFlippedBit() throws Exception {
    AesSiv siv = new AesSiv(randomBytes(64));
    byte[] ciphertext = siv.encryptDeterministically(randomBytes(20), AD);
    for (int bit = 0; bit < ciphertext.length * 8; bit++) {
      byte[] tampered = ciphertext.clone();
      tampered[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(
          AEADBadTagException.class,
          () -> siv.decryptDeterministically(tampered, AD),
          "bit " + bit);
    }
  }

  @Test
  void rejectsWrongAssociatedDataAndWrongKey() throws Exception {
    byte[] key = randomBytes(64);
    AesSiv siv = new AesSiv(key);
    byte[] ciphertext = siv.encryptDeterministically(randomBytes(20), AD);
    assertThrows(
        AEADBadTagException.class, () -> siv.decryptDeterministically(ciphertext, new byte[1]));
    assertThrows(AEADBadTagException.class, () -> siv.decryptDeterministically(ciphertext, null));
    byte[] otherKey = key.clone();
    otherKey[63] ^= 1; // only the CTR half differs
    assertThrows(
        AEADBadTagException.class,
        () -> new AesSiv(otherKey).decryptDeterministically(ciphertext, AD));
  }

  @Test
  void rejectsTruncatedCiphertext() throws Exception {
    AesSiv siv = new AesSiv(randomBytes(64));
    byte[] ciphertext = siv.encryptDeterministically(randomBytes(20), AD);
    for (int length = 0; length < ciphertext.length; length++) {
      byte[] truncated = Arrays.copyOf(ciphertext, length);
      assertThrows(
          GeneralSecurityException.class,
          () -> siv.decryptDeterministically(truncated, AD),
          "" + length);
    }
  }

  @Test
  void rejectsInvalidKeyLengths() {
    for (int length : new int[] {0, 16, 24, 31, 33, 47, 49, 63, 65, 128}) {
      assertThrows(InvalidKeyException.class, () -> new AesSiv(new byte[length]), "" + length);
    }
  }

  @Test
  void copiesTheKeyAndDoesNotRevealItInToString() throws Exception {
    byte[] key = randomBytes(64);
    AesSiv siv = new AesSiv(key);
    byte[] plaintext = randomBytes(10);
    byte[] ciphertext = siv.encryptDeterministically(plaintext, AD);
    byte[] original = key.clone();
    Arrays.fill(key, (byte) 0);
    assertArrayEquals(ciphertext, new AesSiv(original).encryptDeterministically(plaintext, AD));
    assertArrayEquals(plaintext, siv.decryptDeterministically(ciphertext, AD));
    assertFalse(siv.toString().toLowerCase().contains(HexFormat.of().formatHex(original, 0, 4)));
  }

  @Test
  void doublingMatchesRfc5297Definition() {
    byte[] noCarry = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
    AesSiv.dbl(noCarry);
    assertArrayEquals(HexFormat.of().parseHex("020406080a0c0e10121416181a1c1e20"), noCarry);
    byte[] carry = HexFormat.of().parseHex("80000000000000000000000000000001");
    AesSiv.dbl(carry);
    assertArrayEquals(HexFormat.of().parseHex("00000000000000000000000000000085"), carry);
  }

  @Test
  void offsetEncryptionMatchesArrayEncryptionAndDecryptsInPlace() throws Exception {
    AesSiv siv = new AesSiv(randomBytes(64));
    for (int length : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 100}) {
      byte[] plaintext = randomBytes(length);
      byte[] input = new byte[length + 7];
      System.arraycopy(plaintext, 0, input, 3, length);
      byte[] out = new byte[length + 16 + 9];
      assertEquals(length + 16, siv.encryptDeterministically(input, 3, length, AD, out, 5));
      byte[] expected = siv.encryptDeterministically(plaintext, AD);
      assertArrayEquals(expected, Arrays.copyOfRange(out, 5, 5 + length + 16));
      assertArrayEquals(plaintext, siv.decryptDeterministically(out, 5, length + 16, AD));
    }
  }

  @Test
  void alternatingAssociatedDataGivesTheSameResultsAsFreshInstances() throws Exception {
    byte[] key = randomBytes(64);
    AesSiv siv = new AesSiv(key);
    byte[] plaintext = randomBytes(20);
    byte[] other = "table=users,column=phone".getBytes(StandardCharsets.UTF_8);
    byte[] mutable = AD.clone();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(
          new AesSiv(key).encryptDeterministically(plaintext, AD),
          siv.encryptDeterministically(plaintext, mutable));
      assertArrayEquals(
          new AesSiv(key).encryptDeterministically(plaintext, other),
          siv.encryptDeterministically(plaintext, other));
      assertArrayEquals(
          new AesSiv(key).encryptDeterministically(plaintext, null),
          siv.encryptDeterministically(plaintext, null));
    }
    // Changing the caller's array after use must not leak into later results.
    byte[] before = siv.encryptDeterministically(plaintext, mutable);
    mutable[0] ^= 1;
    assertFalse(Arrays.equals(before, siv.encryptDeterministically(plaintext, mutable)));
    assertArrayEquals(
        new AesSiv(key).encryptDeterministically(plaintext, mutable),
        siv.encryptDeterministically(plaintext, mutable));
  }
}
