package io.cloak.cli.columns;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;

/**
 * Checkpoints of the column operations, in the table {@value #TABLE} of the same database:
 *
 * <pre>
 * table_name   VARCHAR(200)   configured [schema.]table, lower case
 * column_name  VARCHAR(200)   configured column, lower case
 * operation    VARCHAR(40)    encrypt | reencrypt
 * last_key     VARCHAR(1000)  primary key of the last row handled, NULL before the first batch
 * done         BOOLEAN        the last run finished
 * updated_at   VARCHAR(40)    ISO-8601
 * </pre>
 *
 * Checkpoints are written in the transaction of the batch they describe.
 */
final class ProgressTable {
  static final String TABLE = "cloak_column_progress";

  /** One checkpoint. */
  record Progress(String lastKey, boolean done) {}

  private final String table;
  private final String column;
  private final String operation;

  ProgressTable(TargetColumn target, String operation) {
    String t = target.ruleTable();
    this.table = t.toLowerCase(Locale.ROOT);
    this.column = target.rule.column().toLowerCase(Locale.ROOT);
    this.operation = operation;
  }

  static void ensure(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + TABLE
              + " (table_name VARCHAR(200) NOT NULL, column_name VARCHAR(200) NOT NULL,"
              + " operation VARCHAR(40) NOT NULL, last_key VARCHAR(1000), done BOOLEAN NOT NULL,"
              + " updated_at VARCHAR(40) NOT NULL,"
              + " PRIMARY KEY (table_name, column_name, operation))");
    }
  }

  /** The checkpoint, or {@code null} when this operation never ran on the column. */
  Progress read(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_key, done FROM "
                + TABLE
                + " WHERE table_name = ? AND column_name = ? AND operation = ?")) {
      bindKey(ps, 1);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Progress(rs.getString(1), rs.getBoolean(2)) : null;
      }
    }
  }

  /** Writes the checkpoint, in the connection's current transaction. */
  void save(Connection c, String lastKey, boolean done) throws SQLException {
    String now = Instant.now().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + TABLE
                + " SET last_key = ?, done = ?, updated_at = ?"
                + " WHERE table_name = ? AND column_name = ? AND operation = ?")) {
      ps.setString(1, lastKey);
      ps.setBoolean(2, done);
      ps.setString(3, now);
      bindKey(ps, 4);
      if (ps.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (table_name, column_name, operation, last_key, done, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      bindKey(ps, 1);
      ps.setString(4, lastKey);
      ps.setBoolean(5, done);
      ps.setString(6, now);
      ps.executeUpdate();
    }
  }

  private void bindKey(PreparedStatement ps, int first) throws SQLException {
    ps.setString(first, table);
    ps.setString(first + 1, column);
    ps.setString(first + 2, operation);
  }
}
