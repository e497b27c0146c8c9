package io.cloak.cli.migrate;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares source and target table by table: row count and an order-independent digest (the sum
 * modulo 2^64 of the first 8 bytes of SHA-256 of each row's canonical text, by column name). The
 * target is read through Cloak so encrypted columns are compared as plaintext.
 */
final class Verifier {
  /** Count and digest of one table on one side. */
  record Digest(long rows, long sum) {}

  private final Plan plan;
  private final PrintWriter out;
  private final int fetch;

  Verifier(Plan plan, PrintWriter out, int fetch) {
    this.plan = plan;
    this.out = out;
    this.fetch = fetch;
  }

  /** Returns the names of the tables that differ (empty when all match). */
  List<String> verify(Connection source, Connection targetCloak) throws SQLException {
    targetCloak.setAutoCommit(false);
    List<String> failed = new ArrayList<>();
    for (Plan.TablePlan tp : plan.tables) {
      Digest s = digest(source, tp);
      Digest t = digest(targetCloak, tp);
      targetCloak.commit();
      if (s.equals(t)) {
        out.println("verify " + tp.table.name() + ": OK (" + s.rows() + " rows)");
      } else {
        StringBuilder line =
            new StringBuilder("verify ")
                .append(tp.table.name())
                .append(": MISMATCH (source ")
                .append(s.rows())
                .append(" rows, target ")
                .append(t.rows())
                .append(" rows");
        if (s.rows() == t.rows()) {
          line.append(", contents differ");
        }
        line.append(')');
        String where = firstDifference(source, targetCloak, tp);
        if (where != null) {
          line.append("; first difference at ").append(where);
        }
        out.println(line);
        failed.add(tp.table.name());
      }
      out.flush();
    }
    return failed;
  }

  private List<String> names(Plan.TablePlan tp) {
    List<String> names = new ArrayList<>();
    tp.table.columns().forEach(c -> names.add(c.name()));
    return names;
  }

  private List<String> canonicalNames(Plan.TablePlan tp) {
    List<String> names = new ArrayList<>();
    tp.table.columns().forEach(c -> names.add(c.name().toLowerCase(Locale.ROOT)));
    return names;
  }

  Digest digest(Connection c, Plan.TablePlan tp) throws SQLException {
    List<String> names = names(tp);
    List<String> canonical = canonicalNames(tp);
    String sql = "SELECT " + plan.cols(names) + " FROM " + plan.q(tp.table.name());
    long rows = 0;
    long sum = 0;
    try (PreparedStatement ps =
        c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      ps.setFetchSize(fetch);
      try (ResultSet rs = ps.executeQuery()) {
        Object[] row = new Object[names.size()];
        while (rs.next()) {
          for (int i = 0; i < row.length; i++) {
            row[i] = Values.read(rs, i + 1);
          }
          sum += Values.hash64(Values.canonicalRow(canonical, row));
          rows++;
        }
      }
    }
    return new Digest(rows, sum);
  }

  /**
   * The primary key of the first row that differs, found by reading both sides in key order; null
   * when the table has no key or its key is encrypted (the target cannot be ordered by it).
   */
  private String firstDifference(Connection source, Connection target, Plan.TablePlan tp)
      throws SQLException {
    List<String> pk = tp.table.primaryKey();
    if (pk.isEmpty() || pk.stream().anyMatch(tp::isEncrypted)) {
      return null;
    }
    List<String> names = names(tp);
    List<String> canonical = canonicalNames(tp);
    String sql =
        "SELECT "
            + plan.cols(names)
            + " FROM "
            + plan.q(tp.table.name())
            + " ORDER BY "
            + plan.cols(pk);
    int[] pkIndex = pk.stream().mapToInt(names::indexOf).toArray();
    try (PreparedStatement ps = source.prepareStatement(sql);
        PreparedStatement pt = target.prepareStatement(sql)) {
      ps.setFetchSize(fetch);
      pt.setFetchSize(fetch);
      try (ResultSet rs = ps.executeQuery();
          ResultSet rt = pt.executeQuery()) {
        while (true) {
          boolean hs = rs.next();
          boolean ht = rt.next();
          if (!hs && !ht) {
            return null;
          }
          Object[] a = hs ? readRow(rs, names.size()) : null;
          Object[] b = ht ? readRow(rt, names.size()) : null;
          if (a == null || b == null) {
            return keyText(pk, a != null ? a : b, pkIndex)
                + (a == null ? " (extra row in target)" : " (missing in target)");
          }
          if (!Values.canonicalRow(canonical, a).equals(Values.canonicalRow(canonical, b))) {
            String ka = keyText(pk, a, pkIndex);
            String kb = keyText(pk, b, pkIndex);
            return ka.equals(kb)
                ? ka + " (values differ)"
                : ka + " in the source, " + kb + " in the target (a row is missing or extra)";
          }
        }
      }
    } finally {
      target.commit();
    }
  }

  private static Object[] readRow(ResultSet rs, int n) throws SQLException {
    Object[] row = new Object[n];
    for (int i = 0; i < n; i++) {
      row[i] = Values.read(rs, i + 1);
    }
    return row;
  }

  private static String keyText(List<String> pk, Object[] row, int[] pkIndex) {
    StringBuilder b = new StringBuilder("(").append(String.join(", ", pk)).append(")=(");
    for (int i = 0; i < pkIndex.length; i++) {
      b.append(i == 0 ? "" : ", ").append(Copier.keyText(row[pkIndex[i]]));
    }
    return b.append(')').toString();
  }
}
