package io.cloak.cli.migrate;

import io.cloak.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine;

/** Test helpers: running {@code migrate} in-process, configs, and table dumps. */
final class Migrate {
  private Migrate() {}

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
    }
  }

  static Result run(String... args) {
    CommandLine cl = new CommandLine(new MigrateCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Writes a root key and a config with the given column lines; returns the config path. */
  static Path writeConfig(Path dir, String... columnLines) throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    List<String> lines = new ArrayList<>();
    lines.add("kms:");
    lines.add("  type: local");
    lines.add("  keystore: ./keystore");
    lines.add("  root-key-file: ./root.key");
    lines.add("columns:");
    for (String c : columnLines) {
      lines.add("  - " + c);
    }
    lines.add("");
    Path file = dir.resolve("cloak.yaml");
    Files.writeString(file, String.join("\n", lines));
    return file;
  }

  static List<String> args(TestDatabase source, TestDatabase target, Path config, String... more) {
    List<String> a = new ArrayList<>();
    a.add("--source=" + source.realUrl);
    a.add("--target=" + target.realUrl);
    a.add("--config=" + config);
    addCreds(a, "source", source);
    addCreds(a, "target", target);
    Collections.addAll(a, more);
    return a;
  }

  private static void addCreds(List<String> a, String side, TestDatabase db) {
    if (db.credentials.getProperty("user") != null) {
      a.add("--" + side + "-user=" + db.credentials.getProperty("user"));
    }
    if (db.credentials.getProperty("password") != null) {
      a.add("--" + side + "-password=" + db.credentials.getProperty("password"));
    }
  }

  /** Every row of a table as text with exact Java types, sorted (order-independent). */
  static List<String> dump(Connection c, String table) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          Object v = Values.read(rs, i);
          b.append(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT))
              .append('=')
              .append(v == null ? "null" : v.getClass().getName())
              .append(':')
              .append(Values.canonical(v))
              .append(" | ");
        }
        rows.add(b.toString());
      }
    }
    Collections.sort(rows);
    return rows;
  }

  /** Every stored value of every table of the database as text (bytes decoded as UTF-8/Latin-1). */
  static List<String> rawValues(Connection c, List<String> tables) throws SQLException {
    List<String> values = new ArrayList<>();
    for (String t : tables) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM " + t)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            Object v = Values.read(rs, i);
            if (v instanceof byte[] b) {
              values.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
              values.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
            } else if (v != null) {
              values.add(v.toString());
            }
          }
        }
      }
    }
    return values;
  }

  static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> tables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    String catalog = c.getCatalog();
    String schema = c.getSchema();
    boolean maria = c.getMetaData().getURL().startsWith("jdbc:mariadb");
    try (ResultSet rs =
        c.getMetaData()
            .getTables(
                maria ? catalog : null, maria ? null : schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
