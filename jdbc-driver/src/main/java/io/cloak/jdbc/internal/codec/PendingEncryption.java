package io.cloak.jdbc.internal.codec;

import java.sql.SQLException;

/**
 * One value of an encrypted column, checked, encoded and paired with its data key by {@link
 * ColumnCipher#prepare}, whose encryption is left for later: a driver that writes parameters when
 * it sends them (pgjdbc does, for {@code bytea} streams) can then encrypt while the database is
 * still busy with the rows before.
 *
 * <p>The value is encrypted once, by the first {@link #seal()}; every later call returns the same
 * ciphertext, so a parameter sent twice (a statement executed again, a row added to a batch twice)
 * is sent as the same bytes, as if it had been encrypted when it was bound. The encoded plaintext
 * is zeroed as soon as it is encrypted.
 *
 * <p>Thread-safety: thread-safe. {@link #toString()} names the column and the length only.
 */
public final class PendingEncryption {
  private final ColumnCipher cipher;
  private final ColumnCipher.KeyState state;
  private final int length;
  private byte[] plaintext; // guarded by this; null once sealed
  private byte[] sealed; // guarded by this

  PendingEncryption(
      ColumnCipher cipher, ColumnCipher.KeyState state, byte[] plaintext, int length) {
    this.cipher = cipher;
    this.state = state;
    this.plaintext = plaintext;
    this.length = length;
  }

  /** The length in bytes of the binary form that {@link #seal()} returns. */
  public int length() {
    return length;
  }

  /** The length in bytes (ASCII characters) of the text form that {@link #sealText()} returns. */
  public int textLength() {
    return ColumnCipher.TEXT_PREFIX.length() + (4 * length + 2) / 3;
  }

  /**
   * Returns the ASCII bytes of the value's text form ({@value ColumnCipher#TEXT_PREFIX} + base64 of
   * {@link #seal()}), encrypting it on the first call of either method.
   *
   * @throws SQLException as {@link #seal()}
   */
  public byte[] sealText() throws SQLException {
    return ColumnCipher.toTextBytes(seal());
  }

  /**
   * Returns the value's binary form (see {@link ColumnCipher}), encrypting it on the first call.
   * The caller must not modify the returned array.
   *
   * @throws SQLException SQLState 22000 if encryption fails (it then fails on every call)
   */
  public synchronized byte[] seal() throws SQLException {
    if (sealed == null) {
      if (plaintext == null) {
        throw new SQLException(
            "Cannot encrypt a value for column " + cipher.where() + ": an earlier attempt failed",
            ColumnCipher.SQLSTATE_ENCRYPT);
      }
      byte[] p = plaintext;
      plaintext = null;
      byte[] out = cipher.seal(state, p, length); // zeroes p, also on failure
      if (out.length != length) {
        throw new SQLException(
            "Cannot encrypt a value for column " + cipher.where() + ": unexpected length",
            ColumnCipher.SQLSTATE_ENCRYPT);
      }
      sealed = out;
    }
    return sealed;
  }

  @Override
  public String toString() {
    return "PendingEncryption[" + cipher.where() + ", " + length + " bytes]";
  }
}
