package io.cloak.jdbc.internal.sql;

import java.util.List;
import java.util.Set;

/**
 * What the analyser needs to know about the schema. Implemented by the driver from config and
 * {@link java.sql.DatabaseMetaData}. Names are given as written in SQL with quotes removed;
 * matching is case-insensitive; {@code schema} may be null (meaning: whichever schema the table
 * resolves to). Implementations must be thread-safe.
 */
public interface EncryptedSchema {

  /** The encrypted column, or {@code null} if the column is not encrypted or unknown. */
  EncryptedColumn encryptedColumn(String schema, String table, String column);

  /** The table's columns in ordinal order; empty if the table is unknown. */
  List<String> columns(String schema, String table);

  /** Bare names of all encrypted columns, lower-case; used to vet SQL the parser cannot read. */
  Set<String> encryptedColumnNames();

  /**
   * When {@code name} is a view whose definition reads, directly or through other views, a table
   * with encrypted columns: one of those columns. {@code null} when it is not such a view (or not a
   * view, or a view the config names itself). Writing through such a view would store plaintext,
   * since Cloak encrypts by the table a statement names.
   */
  default EncryptedColumn encryptedColumnUnderView(String schema, String name) {
    return null;
  }

  /**
   * When {@code view} is such a view and its column {@code column} carries the values of an
   * encrypted column under that column's own name: that encrypted column, so that reads through the
   * view decrypt and comparisons on it are checked as on the table. {@code null} otherwise.
   */
  default EncryptedColumn encryptedColumnThroughView(String schema, String view, String column) {
    return null;
  }
}
