package io.cloak.jdbc.internal.codec;

import io.cloak.crypto.Aead;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** In-memory {@link ColumnKeys} with deterministic per-version data keys. */
public final class TestKeys implements ColumnKeys {

  static final String UNKNOWN_VERSION_STATE = "22023";

  private final Map<Integer, ColumnKey> keys = new ConcurrentHashMap<>();
  private volatile int current;

  public TestKeys(int... versions) {
    for (int version : versions) {
      add(version);
    }
    current = versions[0];
  }

  TestKeys add(int version) {
    keys.put(version, ColumnKey.derive(version, dataKey(version)));
    return this;
  }

  void makeCurrent(int version) {
    if (!keys.containsKey(version)) {
      throw new IllegalArgumentException("no version " + version);
    }
    current = version;
  }

  /**
   * Keys with one version, 1, whose deterministic key is {@link TestKeys}' and whose randomized
   * AEAD is {@code randomized} (to count or fail encryptions).
   */
  public static ColumnKeys withRandomized(Aead randomized) {
    ColumnKey key = new ColumnKey(1, randomized, new TestKeys(1).current().deterministic());
    return new ColumnKeys() {
      @Override
      public ColumnKey current() {
        return key;
      }

      @Override
      public ColumnKey version(int version) {
        return key;
      }
    };
  }

  static byte[] dataKey(int version) {
    byte[] key = new byte[ColumnKey.DATA_KEY_LENGTH];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (version * 31 + i);
    }
    return key;
  }

  @Override
  public ColumnKey current() {
    return keys.get(current);
  }

  @Override
  public ColumnKey version(int version) throws SQLException {
    ColumnKey key = keys.get(version);
    if (key == null) {
      throw new SQLException("unknown data-key version " + version, UNKNOWN_VERSION_STATE);
    }
    return key;
  }
}
