package io.cloak.cli.migrate;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What {@code migrate db} will do for each table: the target DDL and the notes about it. */
final class Plan {
  /** The plan for one table. */
  static final class TablePlan {
    final Schema.Table table;
    final Map<String, ColumnRule> encrypted = new LinkedHashMap<>();
    String createTable;
    final Map<String, String> indexes = new LinkedHashMap<>(); // target index name -> DDL
    final Map<String, String> foreignKeys = new LinkedHashMap<>(); // FK name -> DDL
    final List<String> notes = new ArrayList<>();
    long sourceRows = -1;

    TablePlan(Schema.Table table) {
      this.table = table;
    }

    boolean hasKey() {
      return !table.primaryKey().isEmpty();
    }

    /** Whether the value is encrypted by Cloak in the target. */
    boolean isEncrypted(String column) {
      return encrypted.containsKey(column);
    }
  }

  final Engine engine;
  final boolean binaryStorage;
  final List<TablePlan> tables = new ArrayList<>();

  private Plan(Engine engine, boolean binaryStorage) {
    this.engine = engine;
    this.binaryStorage = binaryStorage;
  }

  /**
   * Plans the target tables.
   *
   * @param binaryStorage encrypted columns get binary types (the binary form) instead of text
   */
  static Plan build(
      Engine engine, List<Schema.Table> tables, CloakConfig config, boolean binaryStorage) {
    Plan plan = new Plan(engine, binaryStorage);
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    tables.forEach(t -> names.add(t.name()));
    Map<String, TablePlan> byName = new LinkedHashMap<>();
    for (Schema.Table t : Schema.dependencyOrder(tables)) {
      TablePlan tp = new TablePlan(t);
      for (Schema.Column c : t.columns()) {
        Optional<ColumnRule> rule = config.column(null, t.name(), c.name());
        rule.ifPresent(r -> tp.encrypted.put(c.name(), r));
      }
      plan.tables.add(tp);
      byName.put(t.name(), tp);
    }
    for (TablePlan tp : plan.tables) {
      plan.ddl(tp, byName);
    }
    return plan;
  }

  private boolean keepable(TablePlan tp, List<String> columns, String what) {
    for (String c : columns) {
      ColumnRule rule = tp.encrypted.get(c);
      if (rule == null) {
        continue;
      }
      if (rule.mode() != EncryptionMode.DETERMINISTIC) {
        tp.notes.add(
            "skipped " + what + ": column " + c + " is randomized-encrypted (no equality)");
        return false;
      }
      if (!engine.canIndexEncrypted(tp.table.column(c), binaryStorage)) {
        tp.notes.add(
            "skipped "
                + what
                + ": ciphertext of column "
                + c
                + " is too long to index on "
                + engine.name().toLowerCase(Locale.ROOT));
        return false;
      }
    }
    return true;
  }

  private void ddl(TablePlan tp, Map<String, TablePlan> byName) {
    Schema.Table t = tp.table;
    Set<String> indexed = new TreeSet<>();
    t.indexes().forEach(i -> indexed.addAll(i.columns()));
    indexed.addAll(t.primaryKey());
    StringBuilder sql = new StringBuilder("CREATE TABLE ").append(q(t.name())).append(" (");
    for (int i = 0; i < t.columns().size(); i++) {
      Schema.Column c = t.columns().get(i);
      ColumnRule rule = tp.encrypted.get(c.name());
      sql.append(i == 0 ? "" : ", ").append(q(c.name())).append(' ');
      if (rule != null) {
        sql.append(engine.encryptedType(c, rule, indexed.contains(c.name()), binaryStorage));
      } else {
        sql.append(engine.plainType(c));
      }
      if (!c.nullable()) {
        sql.append(" NOT NULL");
      }
      if (rule == null && c.autoIncrement() && engine == Engine.MARIADB) {
        sql.append(" AUTO_INCREMENT");
      }
    }
    if (tp.hasKey() && keepable(tp, t.primaryKey(), "primary key")) {
      sql.append(", PRIMARY KEY (").append(cols(t.primaryKey())).append(')');
    }
    sql.append(')');
    tp.createTable = sql.toString();
    int n = 0;
    for (Schema.Index idx : t.indexes()) {
      n++;
      String what = (idx.unique() ? "unique index " : "index ") + idx.name();
      if (!keepable(tp, idx.columns(), what)) {
        continue;
      }
      String name =
          engine == Engine.H2 ? "cm_" + t.name().toLowerCase(Locale.ROOT) + "_" + n : idx.name();
      tp.indexes.put(
          name,
          "CREATE "
              + (idx.unique() ? "UNIQUE " : "")
              + "INDEX "
              + q(name)
              + " ON "
              + q(t.name())
              + " ("
              + cols(idx.columns())
              + ")");
    }
    for (Schema.ForeignKey fk : t.foreignKeys()) {
      TablePlan ref = byName.get(fk.refTable());
      String what = "foreign key " + fk.name();
      if (ref == null) {
        tp.notes.add("skipped " + what + ": table " + fk.refTable() + " is not migrated");
        continue;
      }
      boolean ok = true;
      for (int i = 0; i < fk.columns().size() && ok; i++) {
        ColumnRule a = tp.encrypted.get(fk.columns().get(i));
        ColumnRule b = ref.encrypted.get(fk.refColumns().get(i));
        if (a == null && b == null) {
          continue;
        }
        ok =
            a != null
                && b != null
                && a.mode() == EncryptionMode.DETERMINISTIC
                && b.mode() == EncryptionMode.DETERMINISTIC
                && a.joinGroup() != null
                && a.joinGroup().equalsIgnoreCase(b.joinGroup() == null ? "" : b.joinGroup());
      }
      if (!ok) {
        tp.notes.add(
            "skipped "
                + what
                + ": an encrypted column is involved and the two sides are not deterministic"
                + " columns of one join-group");
        continue;
      }
      tp.foreignKeys.put(
          fk.name(),
          "ALTER TABLE "
              + q(t.name())
              + " ADD CONSTRAINT "
              + q(fk.name())
              + " FOREIGN KEY ("
              + cols(fk.columns())
              + ") REFERENCES "
              + q(ref.table.name())
              + " ("
              + cols(fk.refColumns())
              + ")"
              + rule(" ON UPDATE ", fk.updateRule())
              + rule(" ON DELETE ", fk.deleteRule()));
    }
  }

  private static String rule(String prefix, int rule) {
    return switch (rule) {
      case DatabaseMetaData.importedKeyCascade -> prefix + "CASCADE";
      case DatabaseMetaData.importedKeySetNull -> prefix + "SET NULL";
      case DatabaseMetaData.importedKeySetDefault -> prefix + "SET DEFAULT";
      default -> "";
    };
  }

  String q(String identifier) {
    return engine.quote(identifier);
  }

  String cols(List<String> columns) {
    StringBuilder b = new StringBuilder();
    for (String c : columns) {
      b.append(b.length() == 0 ? "" : ", ").append(q(c));
    }
    return b.toString();
  }
}
