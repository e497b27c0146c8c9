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
   * older versions still decrypt.
   *
   * @throws SQLException if the column is not configured for encryption or the KMS refuses
   */
  int rotateDataKey(String table, String column) throws SQLException;

  /** Counters of the data-key cache this connection uses (hits, misses, KMS calls). */
  CacheStats dataKeyCacheStats();

  /** The configuration file this connection's encryption comes from. */
  String configSource();
}
