package io.cloak.cli.columns;

import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A configured column as it exists in the database: its exact names (from the metadata), whether it
 * is binary, its size, and the table's single-column primary key.
 */
final class TargetColumn {
  final ColumnRule rule;
  final String binding;
  final String table;
  final String column;
  final int sqlType;
  final int size;
  final String pkColumn;
  final int pkType;
  final String pkTypeName;
  final String tableSql;
  final String columnSql;
  final String pkSql;

  private TargetColumn(
      ColumnRule rule,
      String schema,
      String table,
      String column,
      int sqlType,
      int size,
      String pkColumn,
      int pkType,
      String pkTypeName,
      String quote) {
    this.rule = rule;
    this.binding = binding(rule);
    this.table = table;
    this.column = column;
    this.sqlType = sqlType;
    this.size = size;
    this.pkColumn = pkColumn;
    this.pkType = pkType;
    this.pkTypeName = pkTypeName;
    this.tableSql =
        (rule.schema() != null && schema != null ? quote(quote, schema) + "." : "")
            + quote(quote, table);
    this.columnSql = quote(quote, column);
    this.pkSql = pkColumn == null ? null : quote(quote, pkColumn);
  }

  /**
   * The identity bound into the column's ciphertexts and data keys; the same as the driver's {@code
   * SchemaCatalog.binding}: {@code group:NAME} for a deterministic join group, else the lower-case
   * {@code [schema.]table.column}.
   */
  static String binding(ColumnRule rule) {
    if (rule.joinGroup() != null && rule.mode() == EncryptionMode.DETERMINISTIC) {
      return "group:" + rule.joinGroup();
    }
    return rule.qualifiedName().toLowerCase(Locale.ROOT);
  }

  /** The table name to give {@code CloakConnection.rotateDataKey}. */
  String ruleTable() {
    return rule.schema() == null ? rule.table() : rule.schema() + "." + rule.table();
  }

  /** {@code [schema.]table.column} as configured, for messages. */
  String label() {
    return rule.qualifiedName();
  }

  boolean isBinary() {
    return switch (sqlType) {
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> true;
      default -> false;
    };
  }

  /** Reads column {@code index} raw: {@code byte[]} for binary columns, else {@code String}. */
  Object readRaw(ResultSet rs, int index) throws SQLException {
    return isBinary() ? rs.getBytes(index) : rs.getString(index);
  }

  /** Turns a checkpointed primary key back into a value of the key's type. */
  Object parseKey(String key) {
    if (key == null) {
      return null;
    }
    return switch (pkType) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> Long.valueOf(key);
      case Types.DECIMAL, Types.NUMERIC -> new BigDecimal(key);
      default -> "uuid".equalsIgnoreCase(pkTypeName) ? UUID.fromString(key) : key;
    };
  }

  /**
   * Looks the rule's column up in the database.
   *
   * @return the column, or {@code null} when its table does not exist
   * @throws ColumnOpException when the table exists without the column
   */
  static TargetColumn resolve(Connection c, ColumnRule rule) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String catalog = c.getCatalog();
    String schemaPattern = rule.schema() != null ? rule.schema() : currentSchema(c);
    Found found = null;
    for (String s : variants(schemaPattern)) {
      for (String t : variants(rule.table())) {
        found = find(md, catalog, s, t, rule.table());
        if (found != null) {
          break;
        }
      }
      if (found != null) {
        break;
      }
    }
    if (found == null) {
      return null;
    }
    String[] col = null;
    for (String[] candidate : found.columns) {
      if (candidate[0].equalsIgnoreCase(rule.column())) {
        col = candidate;
      }
    }
    if (col == null) {
      throw new ColumnOpException(
          "table "
              + found.table
              + " has no column "
              + rule.column()
              + " ("
              + rule.qualifiedName()
              + " in the config)");
    }
    List<String> pk = new ArrayList<>();
    try (ResultSet rs = md.getPrimaryKeys(found.catalog, found.schema, found.table)) {
      while (rs.next()) {
        pk.add(rs.getString("COLUMN_NAME"));
      }
    }
    String pkColumn = pk.size() == 1 ? pk.get(0) : null;
    int pkType = Types.OTHER;
    String pkTypeName = null;
    for (String[] candidate : found.columns) {
      if (candidate[0].equals(pkColumn)) {
        pkType = Integer.parseInt(candidate[1]);
        pkTypeName = candidate[3];
      }
    }
    String quote = md.getIdentifierQuoteString();
    if (quote == null || quote.isBlank()) {
      quote = "";
    }
    return new TargetColumn(
        rule,
        found.schema,
        found.table,
        col[0],
        Integer.parseInt(col[1]),
        Integer.parseInt(col[2]),
        pkColumn,
        pkType,
        pkTypeName,
        quote.strip());
  }

  /** Fails unless the table has a single-column primary key (needed for batches). */
  void requirePrimaryKey() {
    if (pkColumn == null) {
      throw new ColumnOpException(
          "table "
              + table
              + " needs a single-column primary key for batched, resumable work on "
              + label());
    }
  }

  private record Found(String catalog, String schema, String table, List<String[]> columns) {}

  private static Found find(
      DatabaseMetaData md, String catalog, String schema, String tablePattern, String table)
      throws SQLException {
    List<String[]> cols = new ArrayList<>();
    String cat = null;
    String sch = null;
    String name = null;
    try (ResultSet rs = md.getColumns(catalog, schema, tablePattern, "%")) {
      while (rs.next()) {
        if (!rs.getString("TABLE_NAME").equalsIgnoreCase(table)) {
          continue;
        }
        cat = rs.getString("TABLE_CAT");
        sch = rs.getString("TABLE_SCHEM");
        name = rs.getString("TABLE_NAME");
        cols.add(
            new String[] {
              rs.getString("COLUMN_NAME"),
              Integer.toString(rs.getInt("DATA_TYPE")),
              Integer.toString(rs.getInt("COLUMN_SIZE")),
              rs.getString("TYPE_NAME")
            });
      }
    }
    return cols.isEmpty() ? null : new Found(cat, sch, name, cols);
  }

  private static List<String> variants(String name) {
    List<String> out = new ArrayList<>();
    if (name == null) {
      out.add(null);
      return out;
    }
    out.addAll(
        new LinkedHashSet<>(
            List.of(name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT))));
    return out;
  }

  private static String currentSchema(Connection c) {
    try {
      return c.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      return null;
    }
  }

  private static String quote(String q, String name) {
    return q + name.replace(q.isEmpty() ? "\0" : q, q + q) + q;
  }
}
