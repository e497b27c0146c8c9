package io.cloak.cli.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates the target tables and copies rows into them through a Cloak connection, checkpointing
 * progress in the target table {@value #PROGRESS_TABLE} in the same transaction as each batch.
 */
final class Copier {
  static final String PROGRESS_TABLE = "cloak_migration_progress";

  /**
   * A batch is sent and checkpointed when it holds {@code --batch} rows or about this many bytes of
   * values, whichever comes first, so memory stays bounded for tables of large rows.
   */
  static final long BATCH_BYTES = 16L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A row of the progress table. */
  record Progress(String lastKey, long rowsCopied, boolean done) {}

  private final Plan plan;
  private final PrintWriter out;
  // On a terminal, progress redraws one line with a bar; otherwise it prints plain log lines.
  private final boolean terminal =
      System.console() != null && !"dumb".equals(System.getenv("TERM"));
  private final int batch;
  private final int logEvery;

  Copier(Plan plan, PrintWriter out, int batch, int logEvery) {
    this.plan = plan;
    this.out = out;
    this.batch = batch;
    this.logEvery = Math.max(1, logEvery);
  }

  // ---------------------------------------------------------------- progress table

  static boolean tableExists(Connection c, Engine engine, String table) throws SQLException {
    String[] cs = engine.catalogAndSchema(c);
    for (String name : new String[] {table, table.toUpperCase(Locale.ROOT)}) {
      try (ResultSet rs = c.getMetaData().getTables(cs[0], cs[1], name, null)) {
        while (rs.next()) {
          if (rs.getString("TABLE_NAME").equalsIgnoreCase(table)) {
            return true;
          }
        }
      }
      if (engine != Engine.H2) {
        break;
      }
    }
    return false;
  }

  static Map<String, Progress> readProgress(Connection c, Engine engine) throws SQLException {
    Map<String, Progress> progress = new HashMap<>();
    if (!tableExists(c, engine, PROGRESS_TABLE)) {
      return progress;
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT table_name, last_key, rows_copied, done FROM " + PROGRESS_TABLE)) {
      while (rs.next()) {
        progress.put(
            rs.getString(1), new Progress(rs.getString(2), rs.getLong(3), rs.getBoolean(4)));
      }
    }
    return progress;
  }

  void createProgressTable(Connection targetPlain) throws SQLException {
    if (tableExists(targetPlain, plan.engine, PROGRESS_TABLE)) {
      return;
    }
    try (Statement st = targetPlain.createStatement()) {
      st.execute(
          "CREATE TABLE "
              + PROGRESS_TABLE
              + " (table_name VARCHAR(255) NOT NULL PRIMARY KEY, last_key VARCHAR(4000),"
              + " rows_copied BIGINT NOT NULL, done BOOLEAN NOT NULL)");
    }
  }

  /**
   * Creates the tables and indexes that are missing. A table that exists without a progress row was
   * not made by {@code cloak migrate}: that is an error.
   */
  void prepareTargetTables(Connection targetPlain) throws SQLException {
    createProgressTable(targetPlain);
    Map<String, Progress> progress = readProgress(targetPlain, plan.engine);
    for (Plan.TablePlan tp : plan.tables) {
      String name = tp.table.name();
      boolean exists = tableExists(targetPlain, plan.engine, name);
      if (!progress.containsKey(name)) {
        if (exists) {
          throw new MigrationException(
              "target table "
                  + name
                  + " already exists and was not created by cloak migrate (no row in "
                  + PROGRESS_TABLE
                  + "); drop it or migrate into an empty database");
        }
        try (PreparedStatement ps =
            targetPlain.prepareStatement(
                "INSERT INTO "
                    + PROGRESS_TABLE
                    + " (table_name, last_key, rows_copied, done) VALUES (?, NULL, 0, ?)")) {
          ps.setString(1, name);
          ps.setBoolean(2, false);
          ps.executeUpdate();
        }
      }
      if (!exists) {
        try (Statement st = targetPlain.createStatement()) {
          st.execute(tp.createTable);
        }
        out.println("created table " + name);
      }
      Set<String> existing = indexNames(targetPlain, name);
      for (Map.Entry<String, String> idx : tp.indexes.entrySet()) {
        if (!existing.contains(idx.getKey().toLowerCase(Locale.ROOT))) {
          try (Statement st = targetPlain.createStatement()) {
            st.execute(idx.getValue());
          }
        }
      }
    }
    out.flush();
  }

  private Set<String> indexNames(Connection c, String table) throws SQLException {
    Set<String> names = new TreeSet<>();
    String[] cs = plan.engine.catalogAndSchema(c);
    try (ResultSet rs = c.getMetaData().getIndexInfo(cs[0], cs[1], table, false, false)) {
      while (rs.next()) {
        if (rs.getString("INDEX_NAME") != null) {
          names.add(rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  /**
   * Moves PostgreSQL {@code serial} sequences past the copied values, so that the application's
   * next insert does not collide. Idempotent.
   */
  void resetSequences(Connection targetPlain) throws SQLException {
    if (plan.engine != Engine.POSTGRESQL) {
      return;
    }
    for (Plan.TablePlan tp : plan.tables) {
      for (Schema.Column c : tp.table.columns()) {
        if (!c.typeName().endsWith("serial") || tp.isEncrypted(c.name())) {
          continue;
        }
        try (PreparedStatement ps =
            targetPlain.prepareStatement(
                "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("
                    + plan.q(c.name())
                    + "), 0) + 1, false) FROM "
                    + plan.q(tp.table.name()))) {
          ps.setString(1, plan.q(tp.table.name()));
          ps.setString(2, c.name());
          ps.executeQuery().close();
        }
      }
    }
  }

  /** Adds the foreign keys that the target does not have yet. */
  void addForeignKeys(Connection targetPlain) throws SQLException {
    String[] cs = plan.engine.catalogAndSchema(targetPlain);
    for (Plan.TablePlan tp : plan.tables) {
      if (tp.foreignKeys.isEmpty()) {
        continue;
      }
      Set<String> existing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      try (ResultSet rs =
          targetPlain.getMetaData().getImportedKeys(cs[0], cs[1], tp.table.name())) {
        while (rs.next()) {
          if (rs.getString("FK_NAME") != null) {
            existing.add(rs.getString("FK_NAME"));
          }
        }
      }
      for (Map.Entry<String, String> fk : tp.foreignKeys.entrySet()) {
        if (!existing.contains(fk.getKey())) {
          try (Statement st = targetPlain.createStatement()) {
            st.execute(fk.getValue());
          }
          out.println("added foreign key " + fk.getKey() + " on " + tp.table.name());
        }
      }
    }
    out.flush();
  }

  // ---------------------------------------------------------------- copying

  /** Copies every table that is not done yet. */
  void copyAll(Connection source, Connection targetCloak) throws SQLException {
    targetCloak.setAutoCommit(false);
    Map<String, Progress> progress = readProgress(targetCloak, plan.engine);
    targetCloak.commit();
    for (Plan.TablePlan tp : plan.tables) {
      Progress p = progress.getOrDefault(tp.table.name(), new Progress(null, 0, false));
      if (p.done()) {
        out.println(tp.table.name() + ": already copied (" + p.rowsCopied() + " rows), skipped");
        out.flush();
        continue;
      }
      copyTable(tp, p, source, targetCloak);
    }
  }

  private void copyTable(Plan.TablePlan tp, Progress p, Connection source, Connection target)
      throws SQLException {
    Schema.Table t = tp.table;
    List<String> names = new ArrayList<>();
    t.columns().forEach(c -> names.add(c.name()));
    String select = "SELECT " + plan.cols(names) + " FROM " + plan.q(t.name());
    List<Object> resumeKey = null;
    long copied = 0;
    if (tp.hasKey()) {
      if (p.lastKey() != null) {
        resumeKey = decodeKey(p.lastKey());
        copied = p.rowsCopied();
        select +=
            " WHERE "
                + (t.primaryKey().size() == 1
                    ? plan.q(t.primaryKey().get(0)) + " > ?"
                    : "("
                        + plan.cols(t.primaryKey())
                        + ") > ("
                        + marks(t.primaryKey().size())
                        + ")");
      }
      select += " ORDER BY " + plan.cols(t.primaryKey());
    }
    String insert =
        "INSERT INTO "
            + plan.q(t.name())
            + " ("
            + plan.cols(names)
            + ") VALUES ("
            + marks(names.size())
            + ")";
    String update =
        "UPDATE "
            + PROGRESS_TABLE
            + " SET last_key = ?, rows_copied = ?, done = ? WHERE table_name = ?";
    int[] pkIndex = new int[t.primaryKey().size()];
    for (int i = 0; i < pkIndex.length; i++) {
      pkIndex[i] = names.indexOf(t.primaryKey().get(i));
    }
    boolean[] encrypted = new boolean[names.size()];
    for (int i = 0; i < names.size(); i++) {
      encrypted[i] = tp.isEncrypted(names.get(i));
    }
    long start = System.nanoTime();
    long copiedAtStart = copied;
    out.println(
        t.name()
            + ": copying"
            + (copied > 0 ? " from row " + copied + " (resumed)" : "")
            + (tp.hasKey() ? "" : " in one transaction (no primary key)"));
    out.flush();
    try (PreparedStatement sel =
            source.prepareStatement(
                select, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        PreparedStatement ins = target.prepareStatement(insert);
        PreparedStatement upd = target.prepareStatement(update)) {
      sel.setFetchSize(plan.engine.fetchSize(batch));
      if (resumeKey != null) {
        for (int i = 0; i < pkIndex.length; i++) {
          bindKey(sel, i + 1, t.column(t.primaryKey().get(i)), resumeKey.get(i));
        }
      }
      if (!tp.hasKey()) {
        try (Statement st = target.createStatement()) {
          st.executeUpdate("DELETE FROM " + plan.q(t.name()));
        }
        copied = 0;
      }
      int inBatch = 0;
      long batchBytes = 0;
      long batches = 0;
      Object[] lastRow = null;
      try (ResultSet rs = sel.executeQuery()) {
        Object[] row = new Object[names.size()];
        while (rs.next()) {
          for (int i = 0; i < row.length; i++) {
            Object v = Values.read(rs, i + 1);
            if (encrypted[i] && !Values.encryptable(v)) {
              v = v.toString();
            }
            row[i] = v;
            batchBytes += estimatedBytes(v);
            if (v == null) {
              ins.setNull(i + 1, encrypted[i] ? Types.VARCHAR : t.columns().get(i).sqlType());
            } else {
              ins.setObject(i + 1, v);
            }
          }
          ins.addBatch();
          inBatch++;
          copied++;
          lastRow = row;
          if (inBatch == batch || batchBytes >= BATCH_BYTES) {
            ins.executeBatch();
            inBatch = 0;
            batchBytes = 0;
            batches++;
            if (tp.hasKey()) {
              checkpoint(upd, tp, keyOf(lastRow, pkIndex, t), copied, false);
              target.commit();
            }
            if (batches % logEvery == 0) {
              log(tp, copied, copiedAtStart, start);
            }
          }
        }
      }
      if (inBatch > 0) {
        ins.executeBatch();
      }
      String key = tp.hasKey() && lastRow != null ? keyOf(lastRow, pkIndex, t) : p.lastKey();
      checkpoint(upd, tp, tp.hasKey() ? key : null, copied, true);
      target.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        target.rollback();
      } catch (SQLException ignored) {
        e.addSuppressed(ignored);
      }
      throw new MigrationException("copying table " + t.name() + " failed: " + e.getMessage(), e);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    if (terminal) {
      out.print("\r");
    }
    out.printf(
        Locale.ROOT,
        "%s: done, %d rows (%d this run, %.0f rows/s)%n",
        t.name(),
        copied,
        copied - copiedAtStart,
        secs > 0 ? (copied - copiedAtStart) / secs : 0.0);
    out.flush();
  }

  private void log(Plan.TablePlan tp, long copied, long copiedAtStart, long start) {
    double secs = (System.nanoTime() - start) / 1e9;
    double rate = secs > 0 ? (copied - copiedAtStart) / secs : 0;
    StringBuilder line = new StringBuilder(tp.table.name()).append(": ").append(copied);
    if (tp.sourceRows >= 0) {
      line.append('/').append(tp.sourceRows).append(" rows");
      if (tp.sourceRows > 0) {
        line.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * copied / tp.sourceRows));
      }
    } else {
      line.append(" rows");
    }
    line.append(String.format(Locale.ROOT, ", %.0f rows/s", rate));
    if (tp.sourceRows > copied && rate > 0) {
      line.append(", ETA ").append(Math.round((tp.sourceRows - copied) / rate)).append('s');
    }
    if (terminal && tp.sourceRows > 0) {
      out.print("\r" + bar((double) copied / tp.sourceRows, 30) + " " + line + "   ");
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** A text progress bar of {@code width} cells for a fraction between 0 and 1. */
  static String bar(double fraction, int width) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  }

  private static void checkpoint(
      PreparedStatement upd, Plan.TablePlan tp, String key, long copied, boolean done)
      throws SQLException {
    upd.setString(1, key);
    upd.setLong(2, copied);
    upd.setBoolean(3, done);
    upd.setString(4, tp.table.name());
    if (upd.executeUpdate() != 1) {
      throw new MigrationException("progress row for " + tp.table.name() + " is missing");
    }
  }

  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  // ---------------------------------------------------------------- keys

  private static String keyOf(Object[] row, int[] pkIndex, Schema.Table t) {
    List<String> parts = new ArrayList<>();
    for (int i : pkIndex) {
      parts.add(keyText(row[i]));
    }
    try {
      return JSON.writeValueAsString(parts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String keyText(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    if (v instanceof Timestamp ts) {
      return ts.toLocalDateTime().toString();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (v instanceof java.sql.Time tm) {
      return tm.toLocalTime().toString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v.toString();
  }

  static List<Object> decodeKey(String json) {
    try {
      return new ArrayList<>(JSON.readValue(json, new TypeReference<List<String>>() {}));
    } catch (JsonProcessingException e) {
      throw new MigrationException("unreadable last_key in " + PROGRESS_TABLE + ": " + json, e);
    }
  }

  private void bindKey(PreparedStatement ps, int index, Schema.Column c, Object value)
      throws SQLException {
    String s = (String) value;
    if (s == null) {
      ps.setNull(index, c.sqlType());
      return;
    }
    switch (c.sqlType()) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT ->
          ps.setLong(index, Long.parseLong(s));
      case Types.NUMERIC, Types.DECIMAL -> ps.setBigDecimal(index, new BigDecimal(s));
      case Types.REAL, Types.FLOAT, Types.DOUBLE -> ps.setDouble(index, Double.parseDouble(s));
      case Types.DATE -> ps.setObject(index, LocalDate.parse(s));
      case Types.TIME -> ps.setObject(index, LocalTime.parse(s));
      case Types.TIMESTAMP -> ps.setObject(index, LocalDateTime.parse(s));
      case Types.TIMESTAMP_WITH_TIMEZONE -> ps.setObject(index, OffsetDateTime.parse(s));
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
          ps.setBytes(index, Base64.getDecoder().decode(s));
      case Types.BOOLEAN, Types.BIT -> ps.setBoolean(index, Boolean.parseBoolean(s));
      case Types.OTHER -> {
        if (plan.engine == Engine.POSTGRESQL) {
          ps.setObject(index, s, Types.OTHER);
        } else {
          ps.setString(index, s);
        }
      }
      default -> {
        if (plan.engine == Engine.H2 && "UUID".equalsIgnoreCase(c.typeName())) {
          ps.setObject(index, java.util.UUID.fromString(s));
        } else {
          ps.setString(index, s);
        }
      }
    }
  }

  /** A rough size of a value held in a pending batch (strings as UTF-16, plus encryption). */
  static long estimatedBytes(Object v) {
    if (v == null) {
      return 8;
    }
    if (v instanceof CharSequence cs) {
      return 2L * cs.length() + 64;
    }
    if (v instanceof byte[] b) {
      return b.length + 64;
    }
    return 32;
  }
}
