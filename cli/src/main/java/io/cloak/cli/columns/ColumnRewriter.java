package io.cloak.cli.columns;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the raw values of one column in primary-key order, one batch per transaction, on a plain
 * connection.
 *
 * <p>Each batch reads its rows with {@code SELECT pk, col ... WHERE pk > last ORDER BY pk LIMIT n
 * FOR UPDATE}: the locking read returns the newest committed value and keeps other writers off
 * those rows until the batch commits. The new value is computed from exactly that raw value and
 * written with {@code UPDATE ... WHERE pk = ?} in the same transaction, together with the
 * checkpoint. An application update either committed before the lock (and is what we read and
 * rewrite) or waits for the commit and then overwrites our value with its own: none is lost.
 */
final class ColumnRewriter {
  /** Computes a row's new raw value from its current raw value; {@code null} keeps it. */
  @FunctionalInterface
  interface Rewrite {
    Object apply(Object raw) throws SQLException;
  }

  /** What a pass did. */
  record Outcome(boolean finished, long batches, long rows, long rewritten, String lastKey) {}

  private static final int MAX_ATTEMPTS = 10;

  private final Connection plain;
  private final TargetColumn target;
  private final ProgressTable progress;
  private final int batchSize;

  ColumnRewriter(Connection plain, TargetColumn target, ProgressTable progress, int batchSize) {
    this.plain = plain;
    this.target = target;
    this.progress = progress;
    this.batchSize = batchSize;
  }

  /**
   * Runs batches from after {@code startKey} (from the start when null) to the end of the table, or
   * until {@code maxBatches} batches have committed.
   */
  Outcome pass(String startKey, long maxBatches, Rewrite rewrite) throws SQLException {
    Object last = target.parseKey(startKey);
    String lastKey = startKey;
    long batches = 0;
    long rows = 0;
    long rewritten = 0;
    String select =
        "SELECT "
            + target.pkSql
            + ", "
            + target.columnSql
            + " FROM "
            + target.tableSql
            + "%s ORDER BY "
            + target.pkSql
            + " LIMIT "
            + batchSize
            + " FOR UPDATE";
    String update =
        "UPDATE "
            + target.tableSql
            + " SET "
            + target.columnSql
            + " = ? WHERE "
            + target.pkSql
            + " = ?";
    while (true) {
      if (batches >= maxBatches) {
        return new Outcome(false, batches, rows, rewritten, lastKey);
      }
      int attempt = 0;
      while (true) {
        attempt++;
        boolean autoCommit = plain.getAutoCommit();
        plain.setAutoCommit(false);
        try {
          List<Object> keys = new ArrayList<>();
          List<Object> values = new ArrayList<>();
          try (PreparedStatement ps =
              plain.prepareStatement(
                  String.format(select, last == null ? "" : " WHERE " + target.pkSql + " > ?"))) {
            if (last != null) {
              ps.setObject(1, last);
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                keys.add(rs.getObject(1));
                values.add(target.readRaw(rs, 2));
              }
            }
          }
          int changed = 0;
          try (PreparedStatement ps = plain.prepareStatement(update)) {
            for (int i = 0; i < keys.size(); i++) {
              Object next = rewrite.apply(values.get(i));
              if (next == null) {
                continue;
              }
              checkSize(next);
              if (next instanceof byte[] b) {
                ps.setBytes(1, b);
              } else {
                ps.setString(1, (String) next);
              }
              ps.setObject(2, keys.get(i));
              if (ps.executeUpdate() != 1) {
                throw new SQLException(
                    "row " + keys.get(i) + " of " + target.table + " vanished while locked");
              }
              changed++;
            }
          }
          String batchLast = keys.isEmpty() ? lastKey : String.valueOf(keys.get(keys.size() - 1));
          progress.save(plain, batchLast, false);
          plain.commit();
          batches++;
          rows += keys.size();
          rewritten += changed;
          lastKey = batchLast;
          last = keys.isEmpty() ? last : keys.get(keys.size() - 1);
          if (keys.size() < batchSize) {
            return new Outcome(true, batches, rows, rewritten, lastKey);
          }
          break;
        } catch (SQLException | RuntimeException e) {
          // roll back before autocommit is restored: restoring it would commit a partial batch
          plain.rollback();
          if (!(e instanceof SQLException s) || !retryable(s) || attempt >= MAX_ATTEMPTS) {
            throw e;
          }
          sleep(attempt);
        } finally {
          plain.setAutoCommit(autoCommit);
        }
      }
    }
  }

  private void checkSize(Object value) {
    int length = value instanceof byte[] b ? b.length : ((String) value).length();
    if (target.size > 0 && length > target.size) {
      throw new ColumnOpException(
          "the encrypted value for "
              + target.label()
              + " needs "
              + length
              + (value instanceof byte[] ? " bytes" : " characters")
              + " but the column holds "
              + target.size
              + "; widen it first (nothing of this batch was written)");
    }
  }

  /** Deadlocks, serialization failures and lock-wait timeouts: the batch is simply redone. */
  private static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        if ("40001".equals(state)
            || "40P01".equals(state)
            || "55P03".equals(state)
            || s.getErrorCode() == 1205
            || s.getErrorCode() == 1213) {
          return true;
        }
      }
    }
    return false;
  }

  private static void sleep(int attempt) {
    try {
      Thread.sleep(Math.min(1000, 20L * attempt * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
