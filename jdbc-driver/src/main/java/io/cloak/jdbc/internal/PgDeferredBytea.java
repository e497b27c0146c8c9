package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.codec.PendingEncryption;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.util.ByteStreamWriter;

/**
 * An encrypted value bound through pgjdbc's public {@link ByteStreamWriter} extension ({@code
 * setObject(index, writer)}), which pgjdbc asks for the bytes only while it sends the statement.
 * pgjdbc always sends such a parameter as {@code bytea}: for a {@code bytea} column it holds the
 * binary form, and for a text column the ASCII bytes of the text form, which the statement turns
 * into text on the server with {@link #TEXT_PARAMETER} in place of the parameter's {@code ?}. The
 * value's checks, encoding, key lookup and size check have already happened when it was bound
 * ({@link ColumnBinding#bind}); what is left for send time is the encryption itself. In a batch
 * pgjdbc sends rows while the server is still executing earlier ones, so the encryption overlaps
 * with the database's work instead of adding to it.
 *
 * <p>The ciphertext is made once and then reused (see {@link PendingEncryption}), so a parameter
 * that pgjdbc sends twice is sent as the same bytes. If encryption fails, {@link #writeTo} throws
 * before writing anything; pgjdbc then fails the statement with an I/O error and closes the
 * connection, so nothing is written in plaintext or half-written.
 *
 * <p>Loaded only where pgjdbc is visible to the driver's class loader (see {@link #usableWith}).
 * Thread-safety: as {@link PendingEncryption}. {@link #toString()} shows no value.
 */
final class PgDeferredBytea implements ByteStreamWriter {
  /**
   * The SQL that takes the place of a text column's {@code ?} when its values are bound as {@link
   * #ofText}: it reads the bytes as UTF-8 text (the text form is ASCII, so valid in every server
   * encoding). A SQL NULL must then be bound as {@code bytea} too.
   */
  static final String TEXT_PARAMETER = "convert_from(?, 'UTF8')";

  private final PendingEncryption value;
  private final boolean text;

  /** The binary form of {@code value}, for a {@code bytea} column. */
  PgDeferredBytea(PendingEncryption value) {
    this(value, false);
  }

  private PgDeferredBytea(PendingEncryption value, boolean text) {
    this.value = value;
    this.text = text;
  }

  /**
   * The text form of {@code value}, for a text column whose parameter is {@link #TEXT_PARAMETER}.
   */
  static PgDeferredBytea ofText(PendingEncryption value) {
    return new PgDeferredBytea(value, true);
  }

  /**
   * Whether {@code real} is a pgjdbc connection whose {@link ByteStreamWriter} is the one this
   * class implements; false if it is another driver or another copy of pgjdbc, or if pgjdbc is not
   * visible to this class's loader (loading this class already fails then: callers catch {@link
   * LinkageError}).
   */
  static boolean usableWith(Connection real) {
    try {
      return real.isWrapperFor(PGConnection.class);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public int getLength() {
    return text ? value.textLength() : value.length();
  }

  @Override
  public void writeTo(ByteStreamTarget target) throws IOException {
    byte[] sealed;
    try {
      sealed = text ? value.sealText() : value.seal();
    } catch (SQLException e) {
      throw new IOException(e.getMessage(), e);
    }
    target.getOutputStream().write(sealed);
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
