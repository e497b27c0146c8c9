package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.codec.PendingEncryption;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.util.ByteStreamWriter;

/**
 * An encrypted value of a {@code bytea} column, bound through pgjdbc's public {@link
 * ByteStreamWriter} extension ({@code setObject(index, writer)}), which pgjdbc asks for the bytes
 * only while it sends the statement. The value's checks, encoding, key lookup and size check have
 * already happened when it was bound ({@link ColumnBinding#bind}); what is left for send time is
 * the encryption itself. In a batch pgjdbc sends rows while the server is still executing earlier
 * ones, so the encryption overlaps with the database's work instead of adding to it.
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
  private final PendingEncryption value;

  PgDeferredBytea(PendingEncryption value) {
    this.value = value;
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
    return value.length();
  }

  @Override
  public void writeTo(ByteStreamTarget target) throws IOException {
    byte[] sealed;
    try {
      sealed = value.seal();
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
