package io.cloak.cli.columns;

import io.cloak.jdbc.internal.codec.ColumnKey;
import io.cloak.jdbc.internal.codec.ColumnKeys;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KmsException;
import io.cloak.kms.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data keys of one binding, read from {@code cloak_data_keys} and unwrapped through the KMS
 * with the same encryption context the driver uses, so the CLI encrypts exactly as the driver.
 * Creating keys is left to the driver ({@code CloakConnection.rotateDataKey}). Not thread-safe.
 */
final class DataKeys implements ColumnKeys {
  static final String TABLE = "cloak_data_keys";

  private final KeyManagementService kms;
  private final Principal principal;
  private final String binding;
  private TreeMap<Integer, byte[]> wrapped = new TreeMap<>();
  private final Map<Integer, ColumnKey> unwrapped = new HashMap<>();

  DataKeys(KeyManagementService kms, Principal principal, String binding) {
    this.kms = kms;
    this.principal = principal;
    this.binding = binding;
  }

  /** The encryption context of a wrapped data key, as the driver's {@code DataKeyStore} sets it. */
  static EncryptionContext context(String binding, int version) {
    return EncryptionContext.of(
        "cloak:binding", binding, "cloak:dk-version", Integer.toString(version));
  }

  /** (Re)reads the wrapped keys of the binding; none when the table does not exist yet. */
  void load(Connection plain) throws SQLException {
    TreeMap<Integer, byte[]> keys = new TreeMap<>();
    if (tableExists(plain)) {
      try (PreparedStatement ps =
          plain.prepareStatement(
              "SELECT version, wrapped_key FROM " + TABLE + " WHERE binding = ?")) {
        ps.setString(1, binding);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            keys.put(rs.getInt(1), Base64.getDecoder().decode(rs.getString(2)));
          }
        }
      }
    }
    wrapped = keys;
  }

  static boolean tableExists(Connection plain) throws SQLException {
    boolean autoCommit = plain.getAutoCommit();
    try (var st = plain.createStatement()) {
      st.executeQuery("SELECT 1 FROM " + TABLE + " WHERE 1 = 0").close();
      return true;
    } catch (SQLException e) {
      if (!autoCommit) {
        plain.rollback();
      }
      return false;
    }
  }

  boolean isEmpty() {
    return wrapped.isEmpty();
  }

  /** The newest version, or 0 when there is none. */
  int newest() {
    return wrapped.isEmpty() ? 0 : wrapped.lastKey();
  }

  @Override
  public ColumnKey current() throws SQLException {
    if (wrapped.isEmpty()) {
      throw new SQLException("no data key for " + binding + " in " + TABLE, "22000");
    }
    return version(wrapped.lastKey());
  }

  @Override
  public ColumnKey version(int version) throws SQLException {
    ColumnKey key = unwrapped.get(version);
    if (key != null) {
      return key;
    }
    byte[] blob = wrapped.get(version);
    if (blob == null) {
      throw new SQLException(
          "no data key version " + version + " for " + binding + " in " + TABLE, "22000");
    }
    byte[] plaintext = null;
    try {
      Decrypted d = kms.decrypt(principal, blob, context(binding, version));
      plaintext = d.plaintext();
      key = ColumnKey.derive(version, plaintext);
    } catch (KmsException e) {
      throw new SQLException(
          "cannot unwrap data key version " + version + " of " + binding + ": " + e.getMessage(),
          "22000",
          e);
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
    unwrapped.put(version, key);
    return key;
  }
}
