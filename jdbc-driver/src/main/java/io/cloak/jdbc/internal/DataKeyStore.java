package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.codec.ColumnKey;
import io.cloak.jdbc.internal.codec.ColumnKeys;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KmsException;
import io.cloak.kms.cache.UnwrappedDataKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column data keys, stored wrapped in the table {@value #TABLE} of the same database:
 *
 * <pre>
 * binding      VARCHAR(400)  the column ("customers.ssn") or join group ("group:NAME")
 * version      INT           1, 2, ... (primary key with binding)
 * master_key   VARCHAR(400)  the key id or alias that wraps it, as configured
 * wrapped_key  VARCHAR(4000) base64 of the KMS ciphertext blob
 * created_at   VARCHAR(40)   ISO-8601 instant
 * </pre>
 *
 * Each wrapped key's encryption context names its binding and version, so a key row copied to
 * another column does not unwrap. Keys are created on a separate autocommit connection, so a
 * rolled-back application transaction never loses a key that encrypted values; several JVMs
 * starting together end with one key per version because of the primary key. Thread-safe.
 */
final class DataKeyStore {
  static final String TABLE = "cloak_data_keys";
  private static final String CREATE =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " (binding VARCHAR(400) NOT NULL, version INT NOT NULL,"
          + " master_key VARCHAR(400) NOT NULL, wrapped_key VARCHAR(4000) NOT NULL,"
          + " created_at VARCHAR(40) NOT NULL, PRIMARY KEY (binding, version))";

  private final CloakRuntime runtime;
  private final ConnectionFactory raw;
  private final Map<String, BindingKeys> bindings = new ConcurrentHashMap<>();
  private volatile boolean tableReady;

  DataKeyStore(CloakRuntime runtime, ConnectionFactory raw) {
    this.runtime = runtime;
    this.raw = raw;
  }

  ColumnKeys keysFor(String binding, String masterKey, String label) {
    return bindings.computeIfAbsent(binding, b -> new BindingKeys(b, masterKey, label));
  }

  /** Whether the binding has at least one data-key version in the table (read afresh). */
  boolean hasVersions(String binding, String masterKey, String label) throws SQLException {
    BindingKeys keys = (BindingKeys) keysFor(binding, masterKey, label);
    return !keys.reload().isEmpty();
  }

  int rotate(String binding, String masterKey, String label) throws SQLException {
    BindingKeys keys = (BindingKeys) keysFor(binding, masterKey, label);
    return keys.rotate();
  }

  static EncryptionContext context(String binding, int version) {
    return EncryptionContext.of(
        "cloak:binding", binding, "cloak:dk-version", Integer.toString(version));
  }

  private Connection open() throws SQLException {
    Connection c = raw.connect();
    if (c == null) {
      throw new SQLException("Cloak: cannot open a connection for data keys", "08001");
    }
    c.setAutoCommit(true);
    if (!tableReady) {
      try (Statement st = c.createStatement()) {
        st.execute(CREATE);
      }
      tableReady = true;
    }
    return c;
  }

  /** An unwrapped data key and the ciphers derived from it. */
  private record Handle(int version, UnwrappedDataKey key, ColumnKey columnKey) {}

  /** The data keys of one binding. */
  private final class BindingKeys implements ColumnKeys {
    private final String binding;
    private final String masterKey;
    private final String label;
    private volatile TreeMap<Integer, byte[]> wrapped = new TreeMap<>();
    private volatile long loadedAtNanos;
    private final Map<Integer, Handle> handles = new ConcurrentHashMap<>();
    // The handle used last, checked before the map: encryption asks for the same (newest)
    // version for every value.
    private volatile Handle lastHandle;

    BindingKeys(String binding, String masterKey, String label) {
      this.binding = binding;
      this.masterKey = masterKey;
      this.label = label;
    }

    @Override
    public ColumnKey current() throws SQLException {
      TreeMap<Integer, byte[]> keys = wrapped;
      if (keys.isEmpty() || stale()) {
        keys = reload();
        if (keys.isEmpty()) {
          createVersion(1);
          keys = reload();
        }
      }
      Map.Entry<Integer, byte[]> newest = keys.lastEntry();
      return columnKey(newest.getKey(), newest.getValue());
    }

    @Override
    public ColumnKey version(int version) throws SQLException {
      byte[] blob = wrapped.get(version);
      if (blob == null) {
        blob = reload().get(version);
      }
      if (blob == null) {
        throw Errors.data(
            "no data key version "
                + version
                + " for "
                + label
                + " in "
                + TABLE
                + "; the value was written with a key this database no longer holds");
      }
      return columnKey(version, blob);
    }

    /**
     * The column key of one version: the handle from the last unwrap is reused while the cache says
     * it is still valid (cached, within max-age, max-uses and max-bytes), so steady work neither
     * calls the KMS nor hashes the wrapped key per value.
     */
    private ColumnKey columnKey(int version, byte[] blob) throws SQLException {
      Handle last = lastHandle;
      Handle h = last != null && last.version() == version ? last : handles.get(version);
      if (h != null && runtime.cache.tryReuse(h.key(), 0)) {
        if (h != last) {
          lastHandle = h;
        }
        return h.columnKey();
      }
      try {
        UnwrappedDataKey key = runtime.cache.get(blob, context(binding, version), 0);
        ColumnKey columnKey =
            key.derived(ColumnKey.class, bytes -> ColumnKey.derive(version, bytes));
        Handle handle = new Handle(version, key, columnKey);
        handles.put(version, handle);
        lastHandle = handle;
        return columnKey;
      } catch (KmsException e) {
        throw Errors.kms("cannot unwrap the data key (version " + version + ") of " + label, e);
      }
    }

    int rotate() throws SQLException {
      TreeMap<Integer, byte[]> keys = reload();
      int next = keys.isEmpty() ? 1 : keys.lastKey() + 1;
      createVersion(next);
      reload();
      return next;
    }

    private boolean stale() {
      long maxAge = runtime.config.cache().maxAge().toNanos();
      return System.nanoTime() - loadedAtNanos > maxAge;
    }

    private synchronized TreeMap<Integer, byte[]> reload() throws SQLException {
      TreeMap<Integer, byte[]> keys = new TreeMap<>();
      try (Connection c = open();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT version, wrapped_key FROM " + TABLE + " WHERE binding = ?")) {
        ps.setString(1, binding);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            keys.put(rs.getInt(1), Base64.getDecoder().decode(rs.getString(2)));
          }
        }
      }
      wrapped = keys;
      loadedAtNanos = System.nanoTime();
      return keys;
    }

    private void createVersion(int version) throws SQLException {
      byte[] blob;
      try {
        blob =
            runtime.kms.generateDataKeyWithoutPlaintext(
                runtime.principal, masterKey, context(binding, version));
      } catch (KmsException e) {
        throw Errors.kms("cannot create a data key for " + label, e);
      }
      try (Connection c = open();
          PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO "
                      + TABLE
                      + " (binding, version, master_key, wrapped_key, created_at)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, binding);
        ps.setInt(2, version);
        ps.setString(3, masterKey == null ? "alias/cloak/default" : masterKey);
        ps.setString(4, Base64.getEncoder().encodeToString(blob));
        ps.setString(5, Instant.now().toString());
        ps.executeUpdate();
      } catch (SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
          throw e;
        }
        // another connection or JVM created this version first; its key wins
      }
    }
  }
}
