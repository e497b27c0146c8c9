package io.cloak.jdbc.internal.sql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One level of name resolution: the FROM items of a query (or the target of a DML statement), the
 * common table expressions visible from it, and a link to the enclosing query for correlated
 * references.
 */
final class Scope {
  final Scope parent;
  final List<Source> sources = new ArrayList<>();
  private final Map<String, Projection> ctes = new HashMap<>();

  /** Output aliases of the select list, visible to GROUP BY / HAVING; null when not applicable. */
  Map<String, Val> outputAliases;

  /** True if a JOIN ... USING or NATURAL JOIN at this level reorders the columns of {@code *}. */
  boolean reordering;

  Scope(Scope parent) {
    this.parent = parent;
  }

  void defineCte(String name, Projection projection) {
    ctes.put(lower(name), projection);
  }

  Projection cte(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      Projection p = s.ctes.get(lower(name));
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  static boolean same(String a, String b) {
    return a != null && a.equalsIgnoreCase(b);
  }

  /** How a source answers a column lookup. */
  enum Presence {
    ENC,
    PLAIN,
    /** The source's columns are unknown; it may or may not have the column (never encrypted). */
    MAYBE,
    NONE,
    /** Several result columns of a derived table have this name and one is encrypted. */
    AMBIGUOUS
  }

  record Lookup(Presence presence, EncryptedColumn column) {
    static final Lookup PLAIN = new Lookup(Presence.PLAIN, null);
    static final Lookup MAYBE = new Lookup(Presence.MAYBE, null);
    static final Lookup NONE = new Lookup(Presence.NONE, null);
  }

  /** Something in a FROM clause. */
  abstract static class Source {
    final String alias;

    Source(String alias) {
      this.alias = alias;
    }

    abstract Lookup lookup(String column, Analysis analysis);

    /** True if {@code qualifier} (optionally schema-qualified) names this source. */
    abstract boolean matches(String schema, String name);

    /** Appends this source's columns, as {@code *} would return them. */
    abstract void expand(Projection.Builder builder, Analysis analysis) throws SQLException;

    /** An encrypted column this source exposes, or null if it exposes none. */
    abstract EncryptedColumn anyEncrypted(Analysis analysis);
  }

  /** A base table (or view) known to the schema. */
  static final class TableSource extends Source {
    final String schema;
    final String table;

    TableSource(String schema, String table, String alias) {
      super(alias);
      this.schema = schema;
      this.table = table;
    }

    @Override
    Lookup lookup(String column, Analysis analysis) {
      EncryptedColumn ec = analysis.encryptedColumn(schema, table, column);
      if (ec != null) {
        return new Lookup(Presence.ENC, ec);
      }
      List<String> columns = analysis.columns(schema, table);
      if (columns.isEmpty()) {
        return Lookup.MAYBE;
      }
      for (String c : columns) {
        if (same(c, column)) {
          return Lookup.PLAIN;
        }
      }
      return Lookup.NONE;
    }

    @Override
    boolean matches(String qualifierSchema, String name) {
      boolean nameMatches = same(name, alias) || same(name, table);
      if (!nameMatches) {
        return false;
      }
      return qualifierSchema == null || schema == null || same(qualifierSchema, schema);
    }

    @Override
    void expand(Projection.Builder builder, Analysis analysis) throws SQLException {
      List<String> columns = analysis.columns(schema, table);
      if (columns.isEmpty()) {
        EncryptedColumn ec = analysis.anyEncryptedColumn(schema, table);
        if (ec != null) {
          throw Failures.unknownColumns(ec, "'*' cannot be expanded");
        }
        builder.addUnknown();
        return;
      }
      for (String c : columns) {
        EncryptedColumn ec = analysis.encryptedColumn(schema, table, c);
        Val v = Val.Simple.PLAIN;
        if (ec != null) {
          analysis.touch(ec);
          v = new Val.Enc(ec, this);
        }
        builder.add(new Projection.OutCol(c, v));
      }
    }

    @Override
    EncryptedColumn anyEncrypted(Analysis analysis) {
      return analysis.anyEncryptedColumn(schema, table);
    }
  }

  /** A derived table, CTE or VALUES list with known result columns. */
  static final class DerivedSource extends Source {
    final List<Projection.OutCol> columns;
    final boolean openEnded;

    DerivedSource(String alias, Projection projection, List<String> renamed) {
      super(alias);
      List<Projection.OutCol> cols = new ArrayList<>(projection.columns);
      if (renamed != null) {
        for (int i = 0; i < renamed.size() && i < cols.size(); i++) {
          cols.set(i, new Projection.OutCol(renamed.get(i), cols.get(i).val()));
        }
      }
      this.columns = cols;
      this.openEnded = projection.openEnded;
    }

    @Override
    Lookup lookup(String column, Analysis analysis) {
      Projection.OutCol found = null;
      boolean several = false;
      boolean anyEnc = false;
      for (Projection.OutCol c : columns) {
        if (same(c.name(), column)) {
          several |= found != null;
          found = found == null ? c : found;
          anyEnc |= c.val() instanceof Val.Enc;
        }
      }
      if (found == null) {
        return openEnded ? Lookup.MAYBE : Lookup.NONE;
      }
      if (several && anyEnc) {
        for (Projection.OutCol c : columns) {
          if (same(c.name(), column) && c.val() instanceof Val.Enc e) {
            return new Lookup(Presence.AMBIGUOUS, e.column());
          }
        }
      }
      if (found.val() instanceof Val.Enc e) {
        return new Lookup(Presence.ENC, e.column());
      }
      return Lookup.PLAIN;
    }

    @Override
    boolean matches(String schema, String name) {
      return schema == null && same(name, alias);
    }

    @Override
    void expand(Projection.Builder builder, Analysis analysis) throws SQLException {
      for (Projection.OutCol c : columns) {
        builder.add(c);
      }
      if (openEnded) {
        builder.addUnknown();
      }
    }

    @Override
    EncryptedColumn anyEncrypted(Analysis analysis) {
      for (Projection.OutCol c : columns) {
        if (c.val() instanceof Val.Enc e) {
          return e.column();
        }
      }
      return null;
    }
  }

  /** A table function or other FROM item whose columns are unknown and never encrypted. */
  static final class OpaqueSource extends Source {
    final List<String> columnNames;

    OpaqueSource(String alias, List<String> columnNames) {
      super(alias);
      this.columnNames = columnNames == null ? List.of() : columnNames;
    }

    @Override
    Lookup lookup(String column, Analysis analysis) {
      for (String c : columnNames) {
        if (same(c, column)) {
          return Lookup.PLAIN;
        }
      }
      if (columnNames.isEmpty() && same(column, alias)) {
        return Lookup.PLAIN;
      }
      return Lookup.MAYBE;
    }

    @Override
    boolean matches(String schema, String name) {
      return schema == null && same(name, alias);
    }

    @Override
    void expand(Projection.Builder builder, Analysis analysis) {
      builder.addUnknown();
    }

    @Override
    EncryptedColumn anyEncrypted(Analysis analysis) {
      return null;
    }
  }
}
