package io.cloak.cli.columns;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** What one scan of a column's raw values found. */
final class ColumnStats {
  long rows;
  long nulls;
  long encrypted;
  long plaintext;

  /** Ciphertexts per data-key version; -1 counts ciphertexts whose version cannot be read. */
  final TreeMap<Integer, Long> versions = new TreeMap<>();

  /** Scans every raw value of {@code target} through a plain connection. */
  static ColumnStats scan(Connection plain, TargetColumn target) throws SQLException {
    ColumnStats stats = new ColumnStats();
    boolean autoCommit = plain.getAutoCommit();
    // PostgreSQL streams with a fetch size only inside a transaction
    plain.setAutoCommit(false);
    try (Statement st = plain.createStatement()) {
      st.setFetchSize(1000);
      try (ResultSet rs =
          st.executeQuery("SELECT " + target.columnSql + " FROM " + target.tableSql)) {
        while (rs.next()) {
          stats.add(target.readRaw(rs, 1));
        }
      }
      plain.commit();
    } finally {
      plain.setAutoCommit(autoCommit);
    }
    return stats;
  }

  void add(Object raw) {
    rows++;
    if (raw == null) {
      nulls++;
    } else if (StoredValues.isCiphertext(raw)) {
      encrypted++;
      versions.merge(StoredValues.version(raw), 1L, Long::sum);
    } else {
      plaintext++;
    }
  }

  /** Ciphertexts under a version other than {@code newest}. */
  long notAtVersion(int newest) {
    long n = 0;
    for (Map.Entry<Integer, Long> e : versions.entrySet()) {
      if (e.getKey() != newest) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** E.g. {@code v1: 10, v2: 5}, or {@code none}. */
  String versionSummary() {
    if (versions.isEmpty()) {
      return "none";
    }
    StringJoiner j = new StringJoiner(", ");
    versions.forEach((v, n) -> j.add((v < 0 ? "unreadable" : "v" + v) + ": " + n));
    return j.toString();
  }

  @Override
  public String toString() {
    return rows
        + " rows, "
        + encrypted
        + " encrypted, "
        + nulls
        + " NULL, "
        + plaintext
        + " plaintext; data-key versions: "
        + versionSummary();
  }
}
