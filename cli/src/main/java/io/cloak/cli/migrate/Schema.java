package io.cloak.cli.migrate;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Tables of a source database as read from its {@link DatabaseMetaData}. */
final class Schema {
  private Schema() {}

  /** Tables that belong to Cloak itself and are never copied. */
  static final Set<String> INTERNAL_TABLES = Set.of("cloak_data_keys", Copier.PROGRESS_TABLE);

  /**
   * One column.
   *
   * @param exactType the full DDL type where the engine reports it (MariaDB), else null
   * @param autoIncrement MariaDB {@code AUTO_INCREMENT}
   */
  record Column(
      String name,
      int sqlType,
      String typeName,
      int size,
      int scale,
      boolean nullable,
      String exactType,
      boolean autoIncrement) {}

  /** An index; {@code unique} ones include unique constraints. */
  record Index(String name, boolean unique, List<String> columns) {}

  /** A foreign key from {@code columns} to {@code refTable(refColumns)}. */
  record ForeignKey(
      String name,
      List<String> columns,
      String refTable,
      List<String> refColumns,
      int updateRule,
      int deleteRule) {}

  /** One table. */
  record Table(
      String name,
      List<Column> columns,
      List<String> primaryKey,
      List<Index> indexes,
      List<ForeignKey> foreignKeys) {
    Column column(String name) {
      for (Column c : columns) {
        if (c.name().equals(name)) {
          return c;
        }
      }
      throw new IllegalArgumentException(name);
    }
  }

  /** Names of the ordinary tables in the connection's current schema (MariaDB: database). */
  static List<String> tableNames(Connection c, Engine engine) throws SQLException {
    String[] cs = engine.catalogAndSchema(c);
    List<String> names = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(cs[0], cs[1], "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (!INTERNAL_TABLES.contains(name.toLowerCase(Locale.ROOT))) {
          names.add(name);
        }
      }
    }
    names.sort(String.CASE_INSENSITIVE_ORDER);
    return names;
  }

  static Table read(Connection c, Engine engine, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String[] cs = engine.catalogAndSchema(c);
    Map<String, String[]> mariaTypes = engine == Engine.MARIADB ? mariaTypes(c, table) : Map.of();
    List<Column> columns = new ArrayList<>();
    try (ResultSet rs = md.getColumns(cs[0], cs[1], table, "%")) {
      TreeMap<Integer, Column> ordered = new TreeMap<>();
      while (rs.next()) {
        if (!table.equals(rs.getString("TABLE_NAME"))) {
          continue; // '_' in a pattern matches any character
        }
        String name = rs.getString("COLUMN_NAME");
        String[] exact = mariaTypes.get(name);
        ordered.put(
            rs.getInt("ORDINAL_POSITION"),
            new Column(
                name,
                rs.getInt("DATA_TYPE"),
                rs.getString("TYPE_NAME"),
                rs.getInt("COLUMN_SIZE"),
                rs.getInt("DECIMAL_DIGITS"),
                rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls,
                exact == null ? null : exact[0],
                exact != null && exact[1].toLowerCase(Locale.ROOT).contains("auto_increment")));
      }
      columns.addAll(ordered.values());
    }
    if (columns.isEmpty()) {
      throw new MigrationException("source table " + table + " has no columns or cannot be read");
    }
    TreeMap<Integer, String> pk = new TreeMap<>();
    String pkName = null;
    try (ResultSet rs = md.getPrimaryKeys(cs[0], cs[1], table)) {
      while (rs.next()) {
        if (table.equals(rs.getString("TABLE_NAME"))) {
          pk.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
          pkName = rs.getString("PK_NAME");
        }
      }
    }
    List<String> primaryKey = List.copyOf(pk.values());
    Map<String, TreeMap<Integer, String>> indexColumns = new LinkedHashMap<>();
    Map<String, Boolean> indexUnique = new HashMap<>();
    Set<String> expressionIndexes = new java.util.HashSet<>();
    try (ResultSet rs = md.getIndexInfo(cs[0], cs[1], table, false, false)) {
      while (rs.next()) {
        String name = rs.getString("INDEX_NAME");
        if (name == null
            || rs.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic
            || !table.equals(rs.getString("TABLE_NAME"))) {
          continue;
        }
        String col = rs.getString("COLUMN_NAME");
        if (col == null || col.contains("(")) {
          expressionIndexes.add(name);
          continue;
        }
        if (col.startsWith("\"") && col.endsWith("\"")) {
          col = col.substring(1, col.length() - 1).replace("\"\"", "\"");
        }
        indexColumns
            .computeIfAbsent(name, k -> new TreeMap<>())
            .put(rs.getInt("ORDINAL_POSITION"), col);
        indexUnique.put(name, !rs.getBoolean("NON_UNIQUE"));
      }
    }
    Set<String> columnNames = new java.util.HashSet<>();
    columns.forEach(col -> columnNames.add(col.name()));
    List<Index> indexes = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Integer, String>> e : indexColumns.entrySet()) {
      List<String> cols = List.copyOf(e.getValue().values());
      if (expressionIndexes.contains(e.getKey()) || !columnNames.containsAll(cols)) {
        continue;
      }
      boolean unique = indexUnique.get(e.getKey());
      if (e.getKey().equals(pkName)
          || e.getKey().equals("PRIMARY")
          || unique && cols.equals(primaryKey)) {
        continue;
      }
      Index index = new Index(e.getKey(), unique, cols);
      if (indexes.stream().noneMatch(i -> i.unique() == unique && i.columns().equals(cols))) {
        indexes.add(index); // H2 lists a foreign key's own index next to an equal user index
      }
    }
    Map<String, List<Object[]>> fkRows = new LinkedHashMap<>();
    try (ResultSet rs = md.getImportedKeys(cs[0], cs[1], table)) {
      while (rs.next()) {
        String name = rs.getString("FK_NAME");
        if (name == null) {
          name = table + "_fk_" + rs.getString("PKTABLE_NAME");
        }
        fkRows
            .computeIfAbsent(name, k -> new ArrayList<>())
            .add(
                new Object[] {
                  rs.getInt("KEY_SEQ"),
                  rs.getString("FKCOLUMN_NAME"),
                  rs.getString("PKTABLE_NAME"),
                  rs.getString("PKCOLUMN_NAME"),
                  rs.getInt("UPDATE_RULE"),
                  rs.getInt("DELETE_RULE")
                });
      }
    }
    List<ForeignKey> fks = new ArrayList<>();
    for (Map.Entry<String, List<Object[]>> e : fkRows.entrySet()) {
      List<Object[]> rows = e.getValue();
      rows.sort((a, b) -> Integer.compare((Integer) a[0], (Integer) b[0]));
      List<String> cols = new ArrayList<>();
      List<String> refs = new ArrayList<>();
      for (Object[] r : rows) {
        cols.add((String) r[1]);
        refs.add((String) r[3]);
      }
      Object[] first = rows.get(0);
      fks.add(
          new ForeignKey(
              e.getKey(),
              List.copyOf(cols),
              (String) first[2],
              List.copyOf(refs),
              (Integer) first[4],
              (Integer) first[5]));
    }
    return new Table(
        table, List.copyOf(columns), primaryKey, List.copyOf(indexes), List.copyOf(fks));
  }

  private static Map<String, String[]> mariaTypes(Connection c, String table) throws SQLException {
    Map<String, String[]> types = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(
              rs.getString(1),
              new String[] {rs.getString(2), rs.getString(3) == null ? "" : rs.getString(3)});
        }
      }
    }
    return types;
  }

  /**
   * Orders tables so that a table comes after the tables its foreign keys reference (cycles and
   * self-references are broken; foreign keys are added after the data anyway).
   */
  static List<Table> dependencyOrder(List<Table> tables) {
    Map<String, Table> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    List<Table> ordered = new ArrayList<>();
    Set<String> done = new java.util.HashSet<>();
    Set<String> visiting = new java.util.HashSet<>();
    for (Table t : tables) {
      visit(t, byName, done, visiting, ordered);
    }
    return ordered;
  }

  private static void visit(
      Table t, Map<String, Table> byName, Set<String> done, Set<String> visiting, List<Table> out) {
    if (done.contains(t.name()) || !visiting.add(t.name())) {
      return;
    }
    for (ForeignKey fk : t.foreignKeys()) {
      Table ref = byName.get(fk.refTable());
      if (ref != null && !ref.name().equals(t.name())) {
        visit(ref, byName, done, visiting, out);
      }
    }
    visiting.remove(t.name());
    done.add(t.name());
    out.add(t);
  }
}
