package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AesKeyWrapPaddedTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void roundTripsAllKekSizesAndKeyLengths() throws Exception {
    for (int kekLength : new int[] {16, 24, 32}) {
      byte[] kek = randomBytes(kekLength);
      for (int n = 1; n <= 72; n++) {
        byte[] key = randomBytes(n);
        byte[] wrapped = AesKeyWrapPadded.wrap(kek, key);
        assertEquals(8 + ((n + 7) / 8) * 8, wrapped.length, "length for " + n);
        assertArrayEquals(key, AesKeyWrapPadded.unwrap(kek, wrapped));
      }
    }
  }

  @Test
  void isDeterministic() throws Exception {
    byte[] kek = randomBytes(32);
    byte[] key = randomBytes(32);
    assertArrayEquals(AesKeyWrapPadded.wrap(kek, key), AesKeyWrapPadded.wrap(kek, key));
  }

  @Test
  void rejectsEveryFlippedBitWithOneUniformMessage() throws Exception {
    byte[] kek = randomBytes(32);
    for (int n : new int[] {5, 32}) {
      byte[] wrapped = AesKeyWrapPadded.wrap(kek, randomBytes(n));
      String firstMessage = null;
      for (int bit = 0; bit < wrapped.length * 8; bit++) {
        byte[] tampered = wrapped.clone();
        tampered[bit / 8] ^= (byte) (1 << (bit % 8));
        GeneralSecurityException e =
            assertThrows(
                GeneralSecurityException.class,
                () -> AesKeyWrapPadded.unwrap(kek, tampered),
                "bit " + bit);
        if (firstMessage == null) {
          firstMessage = e.getMessage();
        }
        assertEquals(firstMessage, e.getMessage());
      }
    }
  }

  @Test
  void rejectsWrongKek() throws Exception {
    byte[] wrapped = AesKeyWrapPadded.wrap(randomBytes(32), randomBytes(32));
    assertThrows(
        GeneralSecurityException.class, () -> AesKeyWrapPadded.unwrap(randomBytes(32), wrapped));
  }

  @Test
  void rejectsMalformedLengthsAndEmptyKey() throws Exception {
    byte[] kek = randomBytes(32);
    byte[] wrapped = AesKeyWrapPadded.wrap(kek, randomBytes(32));
    for (int length : new int[] {0, 8, 15, 17, wrapped.length - 1, wrapped.length - 8}) {
      byte[] truncated = Arrays.copyOf(wrapped, length);
      assertThrows(
          GeneralSecurityException.class,
          () -> AesKeyWrapPadded.unwrap(kek, truncated),
          "" + length);
    }
    assertThrows(GeneralSecurityException.class, () -> AesKeyWrapPadded.wrap(kek, new byte[0]));
  }

  @Test
  void rejectsInvalidKekLengthsWithoutRevealingKeyBytes() {
    for (int length : new int[] {0, 8, 15, 17, 31, 33, 64}) {
      byte[] kek = new byte[length];
      Arrays.fill(kek, (byte) 0xab);
      InvalidKeyException e =
          assertThrows(InvalidKeyException.class, () -> AesKeyWrapPadded.wrap(kek, new byte[16]));
      assertFalse(e.getMessage().toLowerCase().contains("abab"));
      assertThrows(InvalidKeyException.class, () -> AesKeyWrapPadded.unwrap(kek, new byte[24]));
    }
  }

  @Test
  void matchesRfc5649Example() throws Exception {
    // RFC 5649 section 6, 20-octet key wrapped under a 192-bit KEK.
    HexFormat hex = HexFormat.of();
    byte[] kek = hex.parseHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
    byte[] key = hex.parseHex("c37b7e6492584340bed12207808941155068f738");
    byte[] expected =
        hex.parseHex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
    assertArrayEquals(expected, AesKeyWrapPadded.wrap(kek, key));
    assertArrayEquals(key, AesKeyWrapPadded.unwrap(kek, expected));
  }
}
