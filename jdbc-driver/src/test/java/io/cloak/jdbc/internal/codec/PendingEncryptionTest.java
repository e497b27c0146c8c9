package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.config.EncryptionMode;
import io.cloak.crypto.Aead;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PendingEncryptionTest {
  private static final String SECRET = "TOP-SECRET-5500-0000-0000-0004";

  private static ColumnCipher cipher(EncryptionMode mode, ColumnKeys keys) {
    return new ColumnCipher("customers", "card", "customers.card", mode, keys);
  }

  @ParameterizedTest
  @EnumSource(EncryptionMode.class)
  void sealedValueHasTheAnnouncedLengthAndDecryptsToTheValue(EncryptionMode mode) throws Exception {
    ColumnCipher cipher = cipher(mode, new TestKeys(3));
    for (Object value : SampleValues.all()) {
      PendingEncryption pending = cipher.prepare(value);
      byte[] sealed = pending.seal();
      assertEquals(pending.length(), sealed.length, String.valueOf(value.getClass()));
      assertEquals(cipher.encrypt(value).length, sealed.length);
      SampleValues.assertSameTypeAndValue(value, cipher.decrypt(sealed));
    }
  }

  @Test
  void deterministicSealEqualsDirectEncryption() throws Exception {
    ColumnCipher cipher = cipher(EncryptionMode.DETERMINISTIC, new TestKeys(1));
    assertArrayEquals(cipher.encrypt(SECRET), cipher.prepare(SECRET).seal());
  }

  @Test
  void valueIsEncryptedOnceAndEverySealReturnsThoseBytes() throws Exception {
    CountingAead counting = new CountingAead(new TestKeys(1).current().randomized());
    ColumnCipher cipher = cipher(EncryptionMode.RANDOMIZED, TestKeys.withRandomized(counting));
    PendingEncryption pending = cipher.prepare(SECRET);
    assertEquals(0, counting.calls.get(), "prepare must not encrypt");
    byte[] first = pending.seal();
    byte[] second = pending.seal();
    assertSame(first, second);
    assertEquals(1, counting.calls.get());
    // A second preparation of the same value is a new randomized encryption.
    assertFalse(Arrays.equals(first, cipher.prepare(SECRET).seal()));
    assertEquals(SECRET, cipher.decrypt(first));
  }

  @Test
  void valueAndKeyProblemsAreReportedByPrepareNamingTheColumn() {
    ColumnCipher cipher = cipher(EncryptionMode.RANDOMIZED, new TestKeys(1));
    SQLException type = assertThrows(SQLException.class, () -> cipher.prepare(new Object()));
    assertTrue(type.getMessage().contains("customers.card"), type.getMessage());
    assertEquals(ValueCodec.SQLSTATE_INVALID_PARAMETER, type.getSQLState());

    ColumnKeys broken =
        new ColumnKeys() {
          @Override
          public ColumnKey current() throws SQLException {
            throw new SQLException("key 'alias/cards' is disabled", "28000");
          }

          @Override
          public ColumnKey version(int version) throws SQLException {
            throw new SQLException("unused");
          }
        };
    SQLException key =
        assertThrows(
            SQLException.class, () -> cipher(EncryptionMode.RANDOMIZED, broken).prepare(SECRET));
    assertTrue(key.getMessage().contains("customers.card"), key.getMessage());
    assertTrue(key.getMessage().contains("disabled"), key.getMessage());
    assertEquals("28000", key.getSQLState());
  }

  @Test
  void failedEncryptionIsReportedOnEverySealWithoutThePlaintext() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Aead failing =
        new Aead() {
          @Override
          public byte[] encrypt(byte[] plaintext, byte[] associatedData)
              throws GeneralSecurityException {
            attempts.incrementAndGet();
            throw new GeneralSecurityException("provider failure");
          }

          @Override
          public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            throw new UnsupportedOperationException();
          }
        };
    PendingEncryption pending =
        cipher(EncryptionMode.RANDOMIZED, TestKeys.withRandomized(failing)).prepare(SECRET);
    SQLException first = assertThrows(SQLException.class, pending::seal);
    assertTrue(first.getMessage().contains("customers.card"), first.getMessage());
    assertFalse(first.getMessage().contains(SECRET));
    SQLException again = assertThrows(SQLException.class, pending::seal);
    assertTrue(again.getMessage().contains("customers.card"), again.getMessage());
    assertFalse(again.getMessage().contains(SECRET));
    assertEquals(1, attempts.get(), "a failed value is not encrypted again");
  }

  @Test
  void toStringNamesTheColumnAndLengthOnly() throws Exception {
    PendingEncryption pending = cipher(EncryptionMode.RANDOMIZED, new TestKeys(1)).prepare(SECRET);
    String shown = pending.toString();
    assertTrue(shown.contains("customers.card"), shown);
    assertTrue(shown.contains(pending.length() + " bytes"), shown);
    assertFalse(shown.contains("SECRET"), shown);
    pending.seal();
    assertEquals(shown, pending.toString());
  }

  /** Counts encryptions and passes them on. */
  private static final class CountingAead implements Aead {
    final AtomicInteger calls = new AtomicInteger();
    private final Aead delegate;

    CountingAead(Aead delegate) {
      this.delegate = delegate;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
      calls.incrementAndGet();
      return delegate.encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
        throws GeneralSecurityException {
      return delegate.decrypt(ciphertext, associatedData);
    }
  }
}
