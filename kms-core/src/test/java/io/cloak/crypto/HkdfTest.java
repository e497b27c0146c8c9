package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HkdfTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void matchesRfc5869TestCase1() throws Exception {
    // RFC 5869 appendix A.1.
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    byte[] okm =
        HEX.parseHex(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    assertArrayEquals(okm, Hkdf.sha256(ikm, salt, info, 42));
  }

  @Test
  void matchesRfc5869TestCase3WithoutSaltAndInfo() throws Exception {
    // RFC 5869 appendix A.3: zero-length salt and info.
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] okm =
        HEX.parseHex(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    assertArrayEquals(okm, Hkdf.sha256(ikm, new byte[0], new byte[0], 42));
    assertArrayEquals(okm, Hkdf.sha256(ikm, null, null, 42));
    assertArrayEquals(okm, Hkdf.sha256(ikm, new byte[32], null, 42));
  }

  @Test
  void producesEveryAllowedLengthAsPrefixOfLongerOutputs() throws Exception {
    byte[] ikm = HEX.parseHex("00112233445566778899aabbccddeeff");
    byte[] longest = Hkdf.sha256(ikm, null, null, Hkdf.MAX_LENGTH);
    assertEquals(8160, longest.length);
    for (int length : new int[] {1, 16, 31, 32, 33, 64, 65, 255, 8159, 8160}) {
      byte[] out = Hkdf.sha256(ikm, null, null, length);
      assertEquals(length, out.length);
      assertArrayEquals(Arrays.copyOf(longest, length), out);
    }
  }

  @Test
  void rejectsOutOfRangeLengths() {
    byte[] ikm = new byte[16];
    for (int length : new int[] {Integer.MIN_VALUE, -1, 0, 8161, Integer.MAX_VALUE}) {
      assertThrows(
          GeneralSecurityException.class, () -> Hkdf.sha256(ikm, null, null, length), "" + length);
    }
  }

  @Test
  void differentInfoGivesDifferentOutput() throws Exception {
    byte[] ikm = new byte[32];
    assertFalse(
        Arrays.equals(
            Hkdf.sha256(ikm, null, new byte[] {1}, 32),
            Hkdf.sha256(ikm, null, new byte[] {2}, 32)));
  }
}
