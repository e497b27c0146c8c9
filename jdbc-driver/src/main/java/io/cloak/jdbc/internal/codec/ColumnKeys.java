package io.cloak.jdbc.internal.codec;

import java.sql.SQLException;

/**
 * Source of {@link ColumnKey}s for a {@link ColumnCipher}, supplied by the driver (backed by the
 * database's data-key table and the KMS cache).
 *
 * <p>Thread-safety: implementations must be thread-safe; one instance is shared by all statements
 * and connections that use the same ciphers.
 */
public interface ColumnKeys {

  /**
   * Returns the key new values are encrypted with.
   *
   * @throws SQLException if the key cannot be obtained (for example the KMS is unreachable or
   *     denies access); the message must not contain key material
   */
  ColumnKey current() throws SQLException;

  /**
   * Returns the key for data-key {@code version}, as written into stored values.
   *
   * @return the key, whose {@link ColumnKey#version()} is {@code version}
   * @throws SQLException if no such version exists ("unknown data-key version") or the key cannot
   *     be obtained; the message must not contain key material
   */
  ColumnKey version(int version) throws SQLException;
}
