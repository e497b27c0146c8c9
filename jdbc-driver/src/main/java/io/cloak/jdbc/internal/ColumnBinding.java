package io.cloak.jdbc.internal;

import io.cloak.config.ColumnRule;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import io.cloak.jdbc.internal.codec.PendingEncryption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;

/**
 * One encrypted column as the driver uses it: its rule, cipher and physical storage (text or
 * binary, and its size). Encrypts values for parameters and literals, decrypts values from result
 * sets. Thread-safe.
 */
final class ColumnBinding {
  final ColumnRule rule;
  final ColumnCipher cipher;
  final PhysicalColumn physical;
  private final boolean allowPlaintextReads;
  private final Dialect dialect;
  private final boolean deferredBytea;
  private final boolean deferredText;

  /**
   * @param pgWriters the connection is pgjdbc's and takes {@link PgDeferredBytea}s, which pgjdbc
   *     asks for their bytes only when it sends them: values of a binary column are always bound
   *     that way, values of a text column where the statement allows it (see {@link #defersText})
   */
  ColumnBinding(
      ColumnRule rule,
      ColumnCipher cipher,
      PhysicalColumn physical,
      boolean allowPlaintextReads,
      Dialect dialect,
      boolean pgWriters) {
    this.rule = rule;
    this.cipher = cipher;
    this.physical = physical;
    this.allowPlaintextReads = allowPlaintextReads;
    this.dialect = dialect;
    this.deferredBytea = pgWriters && physical.isBinary();
    this.deferredText = pgWriters && physical.isText();
  }

  /**
   * True if values written to this text column can be bound as {@link PgDeferredBytea#ofText},
   * provided the statement's SQL has {@link PgDeferredBytea#TEXT_PARAMETER} in place of the
   * parameter (see {@link #bind(PreparedStatement, int, Object, boolean)}).
   */
  boolean defersText() {
    return deferredText;
  }

  String label() {
    return rule.qualifiedName();
  }

  /**
   * Encrypts {@code value} and sets it as parameter {@code index} of the real statement. With
   * pgjdbc and a binary column the value is checked, encoded and given its key here, and encrypted
   * when pgjdbc sends it (see {@link PgDeferredBytea}).
   */
  void bind(PreparedStatement real, int index, Object value) throws SQLException {
    bind(real, index, value, false);
  }

  /**
   * {@link #bind(PreparedStatement, int, Object)}, or, with {@code asText}, for a parameter whose
   * {@code ?} the statement's SQL has as {@link PgDeferredBytea#TEXT_PARAMETER}: the value (or SQL
   * NULL) is bound as {@code bytea} holding the text form, encrypted when pgjdbc sends it.
   */
  void bind(PreparedStatement real, int index, Object value, boolean asText) throws SQLException {
    if (asText) {
      bindDeferredText(real, index, value);
      return;
    }
    if (value == null) {
      real.setNull(index, physical.isBinary() ? Types.VARBINARY : Types.VARCHAR);
      return;
    }
    if (deferredBytea) {
      PendingEncryption pending = cipher.prepare(value);
      checkSize(pending.length(), "bytes");
      real.setObject(index, new PgDeferredBytea(pending));
      return;
    }
    if (physical.isBinary()) {
      byte[] encrypted = cipher.encrypt(value);
      checkSize(encrypted.length, "bytes");
      real.setBytes(index, encrypted);
    } else {
      String encrypted = cipher.encryptToText(value);
      checkSize(encrypted.length(), "characters");
      real.setString(index, encrypted);
    }
  }

  private void bindDeferredText(PreparedStatement real, int index, Object value)
      throws SQLException {
    if (!deferredText) {
      // Only after DDL changed the column since the statement was prepared for a text column.
      throw new SQLException(
          "Cloak: parameter "
              + index
              + " was prepared for "
              + label()
              + " as a text column, which it no longer is; prepare the statement again",
          "0A000");
    }
    if (value == null) {
      real.setNull(index, Types.BINARY);
      return;
    }
    PendingEncryption pending = cipher.prepare(value);
    checkSize(pending.textLength(), "characters");
    real.setObject(index, PgDeferredBytea.ofText(pending));
  }

  /** The SQL literal that stores {@code value} encrypted, for plain statements. */
  String sqlLiteral(Object value) throws SQLException {
    if (value == null) {
      return "NULL";
    }
    if (physical.isBinary()) {
      byte[] encrypted = cipher.encrypt(value);
      checkSize(encrypted.length, "bytes");
      return dialect.binaryLiteral(HexFormat.of().formatHex(encrypted));
    }
    String encrypted = cipher.encryptToText(value);
    checkSize(encrypted.length(), "characters");
    return "'" + encrypted + "'";
  }

  /** Reads and decrypts column {@code index} of the real result set; null for SQL NULL. */
  Object read(ResultSet real, int index) throws SQLException {
    if (physical.isBinary()) {
      byte[] stored = real.getBytes(index);
      if (stored == null) {
        return null;
      }
      if (!ColumnCipher.isCiphertext(stored)) {
        return plaintext(stored);
      }
      return cipher.decrypt(stored);
    }
    String stored = real.getString(index);
    if (stored == null) {
      return null;
    }
    if (!ColumnCipher.isCiphertext(stored)) {
      return plaintext(stored);
    }
    return cipher.decryptText(stored);
  }

  private Object plaintext(Object stored) throws SQLException {
    if (allowPlaintextReads) {
      return stored;
    }
    throw Errors.data(
        label()
            + " holds a value that is not Cloak ciphertext. Encrypt existing data with `cloak"
            + " encrypt`, or set allow-plaintext-reads: true during the migration window");
  }

  private void checkSize(int needed, String unit) throws SQLException {
    if (needed > physical.capacity()) {
      throw new SQLException(
          "Cloak: the encrypted value for "
              + label()
              + " needs "
              + needed
              + " "
              + unit
              + " but the column ("
              + physical.typeName()
              + "("
              + physical.size()
              + ")) holds "
              + physical.size()
              + "; widen it to at least "
              + needed
              + " "
              + unit,
          "22001");
    }
  }
}
