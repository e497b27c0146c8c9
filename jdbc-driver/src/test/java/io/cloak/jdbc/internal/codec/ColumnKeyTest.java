package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cloak.crypto.AesGcm;
import io.cloak.crypto.AesSiv;
import io.cloak.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ColumnKeyTest {

  private static final byte[] AD = "ad".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PLAINTEXT = "hello".getBytes(StandardCharsets.UTF_8);

  @Test
  void gcmKeyIsHkdfOfTheDataKeyWithTheGcmInfo() throws Exception {
    byte[] dataKey = TestKeys.dataKey(1);
    ColumnKey key = ColumnKey.derive(1, dataKey);
    byte[] expectedKey =
        Hkdf.sha256(
            dataKey, null, "cloak column aes-256-gcm v1".getBytes(StandardCharsets.UTF_8), 32);
    byte[] ciphertext = key.randomized().encrypt(PLAINTEXT, AD);
    assertArrayEquals(PLAINTEXT, new AesGcm(expectedKey).decrypt(ciphertext, AD));
  }

  @Test
  void sivKeyIsHkdfOfTheDataKeyWithTheSivInfo() throws Exception {
    byte[] dataKey = TestKeys.dataKey(1);
    ColumnKey key = ColumnKey.derive(1, dataKey);
    byte[] expectedKey =
        Hkdf.sha256(
            dataKey, null, "cloak column aes-256-siv v1".getBytes(StandardCharsets.UTF_8), 64);
    assertArrayEquals(
        new AesSiv(expectedKey).encryptDeterministically(PLAINTEXT, AD),
        key.deterministic().encryptDeterministically(PLAINTEXT, AD));
  }

  @Test
  void deriveLeavesTheDataKeyUnchanged() throws Exception {
    byte[] dataKey = TestKeys.dataKey(3);
    ColumnKey.derive(3, dataKey);
    assertArrayEquals(TestKeys.dataKey(3), dataKey);
  }

  @Test
  void dataKeyMustBe32Bytes() {
    assertThrows(IllegalArgumentException.class, () -> ColumnKey.derive(1, new byte[16]));
    assertThrows(IllegalArgumentException.class, () -> ColumnKey.derive(1, new byte[33]));
  }

  @Test
  void toStringShowsVersionButNoKeyBytes() throws Exception {
    byte[] dataKey = TestKeys.dataKey(7);
    String text = ColumnKey.derive(7, dataKey).toString();
    assertEquals("ColumnKey[version=7]", text);
    assertFalse(text.contains(HexFormat.of().formatHex(dataKey)));
    assertFalse(text.contains(Base64.getEncoder().encodeToString(dataKey)));
  }
}
