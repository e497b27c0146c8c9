package io.cloak.jdbc;

import io.cloak.kms.cache.CacheStats;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A connection whose configured columns are encrypted transparently. Obtain it with {@code
 * connection.unwrap(CloakConnection.class)} from any connection Cloak made. Thread-safety is that
 * of the underlying connection.
 */
public interface CloakConnection extends Connection {
  /**
   * Adds a new data-key version for an encrypted column: new writes use it, values written under
   * older versions still decrypt. For a deterministic column that already has a data key this is
   * refused (SQLState {@code 0A000}), because values under two versions no longer compare equal;
   * see {@link #rotateDataKeyWithEqualityGap}. Creating a deterministic column's first version is
   * allowed.
   *
   * @throws SQLException if the column is not configured for encryption, the KMS refuses, or the
   *     column is deterministic and already has a data key
   */
  int rotateDataKey(String table, String column) throws SQLException;

  /**
   * {@link #rotateDataKey}, also for a deterministic column that already has a data key, which
   * {@code rotateDataKey} refuses. Equal plaintexts then have different ciphertexts under the old
   * and the new version: until every value has been re-encrypted ({@code cloak reencrypt}),
   * equality, {@code IN}, joins, {@code GROUP BY}, {@code DISTINCT} and unique indexes on the
   * column (and on every column of its join group) miss or split them. Use it with the applications
   * that search the column stopped.
   *
   * @throws SQLException if the column is not configured for encryption or the KMS refuses
   */
  int rotateDataKeyWithEqualityGap(String table, String column) throws SQLException;

  /** Counters of the data-key cache this connection uses (hits, misses, KMS calls). */
  CacheStats dataKeyCacheStats();

  /** The configuration file this connection's encryption comes from. */
  String configSource();
}
