package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.config.EncryptionMode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ColumnCipherTest {

  private static final String SECRET = "TOP-SECRET-4111-1111-1111-1111";

  private TestKeys keys;

  @BeforeEach
  void setUp() throws SQLException {
    keys = new TestKeys(1);
  }

  private ColumnCipher cipher(String table, String column, EncryptionMode mode) {
    return new ColumnCipher(table, column, table + "." + column, mode, keys);
  }

  private ColumnCipher ssn(EncryptionMode mode) {
    return cipher("customers", "ssn", mode);
  }

  static Stream<Arguments> modesAndValues() {
    List<Arguments> arguments = new ArrayList<>();
    for (EncryptionMode mode : EncryptionMode.values()) {
      for (Object value : SampleValues.all()) {
        arguments.add(Arguments.of(mode, value));
      }
    }
    return arguments.stream();
  }

  // ---- round trips ----

  @ParameterizedTest
  @MethodSource("modesAndValues")
  void binaryFormRoundTripsTypeAndValue(EncryptionMode mode, Object value) throws SQLException {
    ColumnCipher cipher = ssn(mode);
    byte[] stored = cipher.encrypt(value);
    assertTrue(ColumnCipher.isCiphertext(stored));
    SampleValues.assertSameTypeAndValue(value, cipher.decrypt(stored));
  }

  @ParameterizedTest
  @MethodSource("modesAndValues")
  void textFormRoundTripsTypeAndValue(EncryptionMode mode, Object value) throws SQLException {
    ColumnCipher cipher = ssn(mode);
    String stored = cipher.encryptToText(value);
    assertTrue(stored.startsWith("$ck1$"), stored);
    assertFalse(stored.contains("="), "no base64 padding");
    assertTrue(ColumnCipher.isCiphertext(stored));
    SampleValues.assertSameTypeAndValue(value, cipher.decryptText(stored));
  }

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void nullStaysNull(EncryptionMode mode) throws SQLException {
    ColumnCipher cipher = ssn(mode);
    assertNull(cipher.encrypt(null));
    assertNull(cipher.encryptToText(null));
    assertNull(cipher.decrypt(null));
    assertNull(cipher.decryptText(null));
  }

  @Test
  void binaryFormHasTheDocumentedHeader() throws SQLException {
    keys.add(0x01020304).makeCurrent(0x01020304);
    byte[] randomized = ssn(EncryptionMode.RANDOMIZED).encrypt("x");
    assertEquals("c10a010101020304", HexFormat.of().formatHex(randomized, 0, 8));
    assertEquals(8 + 12 + 2 + 16, randomized.length);
    byte[] deterministic = ssn(EncryptionMode.DETERMINISTIC).encrypt("x");
    assertEquals("c10a010201020304", HexFormat.of().formatHex(deterministic, 0, 8));
    assertEquals(8 + 16 + 2, deterministic.length);
  }

  @Test
  void textFormIsPrefixPlusUnpaddedBase64OfBinaryForm() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.DETERMINISTIC);
    byte[] binary = cipher.encrypt(SECRET);
    String text = cipher.encryptToText(SECRET);
    assertEquals("$ck1$" + Base64.getEncoder().withoutPadding().encodeToString(binary), text);
  }

  // ---- determinism ----

  @Test
  void deterministicEncryptionOfEqualValuesIsIdentical() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.DETERMINISTIC);
    assertArrayEquals(cipher.encrypt(SECRET), cipher.encrypt(SECRET));
    assertEquals(cipher.encryptToText(SECRET), cipher.encryptToText(SECRET));
    assertNotEquals(cipher.encryptToText(SECRET), cipher.encryptToText(SECRET + "x"));
  }

  @Test
  void deterministicEncryptionDistinguishesTypes() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.DETERMINISTIC);
    assertNotEquals(cipher.encryptToText(1), cipher.encryptToText(1L));
    assertNotEquals(cipher.encryptToText("1"), cipher.encryptToText(1));
  }

  @Test
  void randomizedEncryptionOfEqualValuesDiffers() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.RANDOMIZED);
    byte[] first = cipher.encrypt(SECRET);
    byte[] second = cipher.encrypt(SECRET);
    assertFalse(java.util.Arrays.equals(first, second));
    assertNotEquals(cipher.encryptToText(SECRET), cipher.encryptToText(SECRET));
    assertEquals(SECRET, cipher.decrypt(first));
    assertEquals(SECRET, cipher.decrypt(second));
  }

  @Test
  void joinGroupBindingLetsColumnsShareValues() throws SQLException {
    ColumnCipher customers =
        new ColumnCipher(
            "customers", "id", "group:customer_id", EncryptionMode.DETERMINISTIC, keys);
    ColumnCipher orders =
        new ColumnCipher(
            "orders", "customer_id", "group:customer_id", EncryptionMode.DETERMINISTIC, keys);
    assertEquals(customers.encryptToText(42L), orders.encryptToText(42L));
    assertEquals(42L, orders.decryptText(customers.encryptToText(42L)));
  }

  // ---- integrity ----

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void everySingleByteChangeOfStoredValueFails(EncryptionMode mode) throws SQLException {
    keys.add(2);
    ColumnCipher cipher = ssn(mode);
    byte[] stored = cipher.encrypt(SECRET);
    for (int position = 0; position < stored.length; position++) {
      for (int delta = 1; delta < 256; delta++) {
        byte[] tampered = stored.clone();
        tampered[position] = (byte) (tampered[position] ^ delta);
        int p = position;
        int d = delta;
        SQLException e =
            assertThrows(
                SQLException.class,
                () -> cipher.decrypt(tampered),
                () -> "position " + p + " delta " + d);
        assertNoSecrets(e, stored);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void truncationAtEveryLengthFails(EncryptionMode mode) throws SQLException {
    ColumnCipher cipher = ssn(mode);
    byte[] stored = cipher.encrypt(SECRET);
    String text = cipher.encryptToText(SECRET);
    for (int length = 0; length < stored.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(stored, length);
      SQLException e = assertThrows(SQLException.class, () -> cipher.decrypt(truncated));
      assertTrue(e.getMessage().contains("customers.ssn"), e.getMessage());
      assertNoSecrets(e, stored);
    }
    for (int length = 0; length < text.length(); length++) {
      String truncated = text.substring(0, length);
      assertThrows(SQLException.class, () -> cipher.decryptText(truncated));
    }
  }

  @Test
  void truncatedHeaderIsReportedAsTruncated() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.RANDOMIZED);
    byte[] stored = cipher.encrypt(SECRET);
    SQLException e =
        assertThrows(SQLException.class, () -> cipher.decrypt(java.util.Arrays.copyOf(stored, 20)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertEquals("22000", e.getSQLState());
  }

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void valueCopiedToAnotherColumnOrTableFailsNamingTheTargetColumn(EncryptionMode mode)
      throws SQLException {
    byte[] stored = ssn(mode).encrypt(SECRET);

    SQLException otherTable =
        assertThrows(SQLException.class, () -> cipher("orders", "ssn", mode).decrypt(stored));
    assertTrue(otherTable.getMessage().contains("orders.ssn"), otherTable.getMessage());
    assertTrue(
        otherTable.getMessage().contains("copied from another column or table"),
        otherTable.getMessage());
    assertEquals("22000", otherTable.getSQLState());
    assertNoSecrets(otherTable, stored);

    SQLException otherColumn =
        assertThrows(SQLException.class, () -> cipher("customers", "email", mode).decrypt(stored));
    assertTrue(otherColumn.getMessage().contains("customers.email"), otherColumn.getMessage());
    assertTrue(
        otherColumn.getMessage().contains("authentication failed"), otherColumn.getMessage());
    assertNoSecrets(otherColumn, stored);
  }

  @Test
  void valueFromAColumnWithTheOtherModeFailsNamingTheModes() throws SQLException {
    byte[] stored = ssn(EncryptionMode.DETERMINISTIC).encrypt(SECRET);
    SQLException e =
        assertThrows(SQLException.class, () -> ssn(EncryptionMode.RANDOMIZED).decrypt(stored));
    assertTrue(e.getMessage().contains("customers.ssn"), e.getMessage());
    assertTrue(e.getMessage().contains("DETERMINISTIC"), e.getMessage());
    assertTrue(e.getMessage().contains("RANDOMIZED"), e.getMessage());
    assertNoSecrets(e, stored);
  }

  @Test
  void unknownFormatVersionIsReported() throws SQLException {
    byte[] stored = ssn(EncryptionMode.RANDOMIZED).encrypt(SECRET);
    stored[2] = 2;
    SQLException e =
        assertThrows(SQLException.class, () -> ssn(EncryptionMode.RANDOMIZED).decrypt(stored));
    assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    assertFalse(ColumnCipher.isCiphertext(stored));
  }

  @Test
  void unknownDataKeyVersionIsPropagatedFromColumnKeysWithTheColumn() throws SQLException {
    ColumnCipher cipher = ssn(EncryptionMode.RANDOMIZED);
    byte[] stored = cipher.encrypt(SECRET);
    stored[7] = 9; // data-key version 9, which TestKeys does not know
    SQLException e = assertThrows(SQLException.class, () -> cipher.decrypt(stored));
    assertTrue(e.getMessage().contains("customers.ssn"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown data-key version 9"), e.getMessage());
    assertEquals(TestKeys.UNKNOWN_VERSION_STATE, e.getSQLState());
  }

  @Test
  void plaintextIsReportedAsNotCiphertextWithTheMigrationHint() {
    ColumnCipher cipher = ssn(EncryptionMode.DETERMINISTIC);
    SQLException text = assertThrows(SQLException.class, () -> cipher.decryptText(SECRET));
    assertTrue(text.getMessage().contains("not Cloak ciphertext"), text.getMessage());
    assertTrue(text.getMessage().contains("allow-plaintext-reads: true"), text.getMessage());
    assertTrue(text.getMessage().contains("customers.ssn"), text.getMessage());
    assertFalse(text.getMessage().contains(SECRET), text.getMessage());

    byte[] bytes = SECRET.getBytes(StandardCharsets.UTF_8);
    SQLException binary = assertThrows(SQLException.class, () -> cipher.decrypt(bytes));
    assertTrue(binary.getMessage().contains("allow-plaintext-reads: true"), binary.getMessage());
    assertFalse(binary.getMessage().contains(SECRET), binary.getMessage());
  }

  @Test
  void invalidBase64IsReportedWithoutQuotingIt() {
    ColumnCipher cipher = ssn(EncryptionMode.DETERMINISTIC);
    SQLException e =
        assertThrows(SQLException.class, () -> cipher.decryptText("$ck1$" + SECRET + "!!"));
    assertTrue(e.getMessage().contains("base64"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }

  @Test
  void unsupportedTypeNamesTheColumnAndClass() {
    ColumnCipher cipher = ssn(EncryptionMode.RANDOMIZED);
    SQLException e =
        assertThrows(
            SQLException.class, () -> cipher.encrypt(new ValueCodecTest.Secretive(SECRET)));
    assertEquals("22023", e.getSQLState());
    assertTrue(e.getMessage().contains("customers.ssn"), e.getMessage());
    assertTrue(e.getMessage().contains("Secretive"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }

  // ---- rotation ----

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void valuesFromOldKeyVersionDecryptAfterRotationAndNewValuesUseNewVersion(EncryptionMode mode)
      throws SQLException {
    ColumnCipher cipher = ssn(mode);
    byte[] old = cipher.encrypt(SECRET);
    String oldText = cipher.encryptToText(SECRET);
    assertEquals(1, version(old));

    keys.add(2).makeCurrent(2);

    byte[] fresh = cipher.encrypt(SECRET);
    assertEquals(2, version(fresh));
    assertEquals(SECRET, cipher.decrypt(old));
    assertEquals(SECRET, cipher.decryptText(oldText));
    assertEquals(SECRET, cipher.decrypt(fresh));
    if (mode == EncryptionMode.DETERMINISTIC) {
      assertFalse(java.util.Arrays.equals(old, fresh), "new key version gives a new ciphertext");
    }
  }

  private static int version(byte[] stored) {
    return java.nio.ByteBuffer.wrap(stored, 4, 4).getInt();
  }

  // ---- detection ----

  @Test
  void isCiphertextRecognisesOnlyCloakValues() throws SQLException {
    assertTrue(ColumnCipher.isCiphertext(ssn(EncryptionMode.RANDOMIZED).encrypt("a")));
    assertTrue(ColumnCipher.isCiphertext(ssn(EncryptionMode.DETERMINISTIC).encrypt("a")));
    assertTrue(ColumnCipher.isCiphertext(ssn(EncryptionMode.RANDOMIZED).encryptToText("a")));

    assertFalse(ColumnCipher.isCiphertext((String) null));
    assertFalse(ColumnCipher.isCiphertext((byte[]) null));
    assertFalse(ColumnCipher.isCiphertext(""));
    assertFalse(ColumnCipher.isCiphertext(SECRET));
    assertFalse(ColumnCipher.isCiphertext("ck1$abc"));
    assertFalse(ColumnCipher.isCiphertext("$CK1$abc"));
    assertFalse(ColumnCipher.isCiphertext(new byte[0]));
    assertFalse(ColumnCipher.isCiphertext(SECRET.getBytes(StandardCharsets.UTF_8)));
    assertFalse(ColumnCipher.isCiphertext(new byte[] {(byte) 0xC1, 0x0A, 1, 1, 0, 0, 0}));
    assertFalse(ColumnCipher.isCiphertext(new byte[] {(byte) 0xC1, 0x0A, 1, 3, 0, 0, 0, 1}));
    assertFalse(ColumnCipher.isCiphertext(new byte[] {(byte) 0xC1, 0x0B, 1, 1, 0, 0, 0, 1}));
    assertTrue(ColumnCipher.isCiphertext(new byte[] {(byte) 0xC1, 0x0A, 1, 2, 0, 0, 0, 1}));
  }

  // ---- sizes ----

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void lengthsMatchActualEncryptedLengths(EncryptionMode mode) throws SQLException {
    ColumnCipher cipher = ssn(mode);
    for (int n : new int[] {0, 1, 2, 3, 4, 5, 15, 16, 17, 100, 255, 1000, 4096}) {
      byte[] bytes = new byte[n];
      assertEquals(ColumnCipher.binaryLength(mode, n), cipher.encrypt(bytes).length, "bytes " + n);
      assertEquals(ColumnCipher.textLength(mode, n), cipher.encryptToText(bytes).length());
      String ascii = "a".repeat(n);
      assertEquals(ColumnCipher.binaryLength(mode, n), cipher.encrypt(ascii).length);
      assertEquals(ColumnCipher.textLength(mode, n), cipher.encryptToText(ascii).length());
    }
    assertEquals(ColumnCipher.binaryLength(mode, 8), cipher.encrypt(Long.MIN_VALUE).length);
    assertEquals(ColumnCipher.textLength(mode, 8), cipher.encryptToText(Long.MIN_VALUE).length());
    // Four UTF-8 bytes for one emoji.
    assertEquals(ColumnCipher.textLength(mode, 4), cipher.encryptToText("😀").length());
  }

  @Test
  void lengthRejectsNegativeAndOverflowingSizes() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ColumnCipher.binaryLength(EncryptionMode.RANDOMIZED, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ColumnCipher.textLength(EncryptionMode.RANDOMIZED, Integer.MAX_VALUE - 10));
  }

  // ---- secrecy and concurrency ----

  @Test
  void messagesNeverContainThePlaintext() throws SQLException {
    List<SQLException> failures = new ArrayList<>();
    for (EncryptionMode mode : EncryptionMode.values()) {
      ColumnCipher cipher = ssn(mode);
      byte[] stored = cipher.encrypt(SECRET);
      String text = cipher.encryptToText(SECRET);
      byte[] tampered = stored.clone();
      tampered[stored.length - 1] ^= 1;
      failures.add(assertThrows(SQLException.class, () -> cipher.decrypt(tampered)));
      failures.add(
          assertThrows(SQLException.class, () -> cipher("orders", "ssn", mode).decryptText(text)));
      failures.add(assertThrows(SQLException.class, () -> cipher.decryptText(SECRET)));
      failures.add(
          assertThrows(
              SQLException.class, () -> cipher.encrypt(new ValueCodecTest.Secretive(SECRET))));
      failures.add(
          assertThrows(
              SQLException.class,
              () -> ValueConversions.convert(cipher.decrypt(stored), Integer.class, "ssn")));
      for (SQLException e : failures) {
        assertNoSecrets(e, stored);
        assertFalse(e.getMessage().contains(text), e.getMessage());
      }
    }
    assertFalse(ssn(EncryptionMode.RANDOMIZED).toString().contains(SECRET));
  }

  @Test
  void cipherIsSafeToShareBetweenThreads() throws Exception {
    ColumnCipher randomized = ssn(EncryptionMode.RANDOMIZED);
    ColumnCipher deterministic = ssn(EncryptionMode.DETERMINISTIC);
    String expected = deterministic.encryptToText(SECRET);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    String value = SECRET + thread + ":" + i;
                    assertEquals(value, randomized.decrypt(randomized.encrypt(value)));
                    assertEquals(expected, deterministic.encryptToText(SECRET));
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Asserts that neither the message chain nor the causes quote the plaintext or stored bytes. */
  private static void assertNoSecrets(Throwable e, byte[] stored) {
    String hex = HexFormat.of().formatHex(stored);
    String base64 = Base64.getEncoder().withoutPadding().encodeToString(stored);
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      assertFalse(message.contains(SECRET), message);
      assertFalse(message.contains(hex), message);
      assertFalse(message.contains(base64), message);
    }
  }

  @Test
  void textFormIsThePrefixAndUnpaddedStandardBase64() {
    java.util.Random random = new java.util.Random(42);
    for (int length = 0; length < 200; length++) {
      byte[] binary = new byte[length];
      random.nextBytes(binary);
      String text = ColumnCipher.toText(binary);
      assertEquals(
          ColumnCipher.TEXT_PREFIX + Base64.getEncoder().withoutPadding().encodeToString(binary),
          text);
      assertEquals(ColumnCipher.TEXT_PREFIX.length() + (4 * length + 2) / 3, text.length());
    }
  }
}
