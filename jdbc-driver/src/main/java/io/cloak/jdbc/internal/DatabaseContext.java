package io.cloak.jdbc.internal;

import io.cloak.config.ColumnRule;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import io.cloak.jdbc.internal.sql.AnalyzedStatement;
import io.cloak.jdbc.internal.sql.EncryptedColumn;
import io.cloak.jdbc.internal.sql.StatementAnalyzer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One database seen through one configuration: its schema catalog, statement analyser, data keys
 * and the binding of each encrypted column. Shared by all connections to that database.
 * Thread-safe.
 */
final class DatabaseContext {
  final CloakRuntime runtime;
  final SchemaCatalog schema;
  final DataKeyStore keys;
  private volatile StatementAnalyzer analyzer;
  private final Map<ColumnRule, ColumnBinding> bindings = new ConcurrentHashMap<>();
  private final Map<EncryptedColumn, ColumnBinding> byColumn = new ConcurrentHashMap<>();
  private volatile boolean validated;
  private volatile Dialect dialect;
  // Whether binary columns may be bound as pgjdbc ByteStreamWriters, encrypted when sent.
  private volatile boolean pgWriters;
  // Incremented by schemaChanged, so statements know when their cached bindings are stale.
  private volatile int generation;

  DatabaseContext(CloakRuntime runtime, ConnectionFactory raw) {
    this.runtime = runtime;
    this.schema = new SchemaCatalog(runtime.config, raw);
    this.keys = new DataKeyStore(runtime, raw);
    this.analyzer = new StatementAnalyzer(schema);
  }

  /**
   * At the first connection: every configured column whose table exists must exist and be a text or
   * binary column without a default value. Tables that do not exist yet are checked when first
   * used.
   */
  void validateSchemaOnce(Connection real) throws SQLException {
    if (validated) {
      return;
    }
    dialect = Dialect.of(real.getMetaData().getDatabaseProductName());
    pgWriters = dialect == Dialect.POSTGRESQL && pgjdbcWriters(real);
    SchemaCatalog.using(
        real,
        () -> {
          for (ColumnRule rule : runtime.config.columns()) {
            if (schema.tableColumns(rule.schema(), rule.table()).isEmpty()) {
              continue;
            }
            physical(rule);
          }
          return null;
        });
    validated = true;
  }

  AnalyzedStatement analyze(String sql, Connection real) throws SQLException {
    try {
      return SchemaCatalog.using(real, () -> analyzer.analyze(sql));
    } catch (IllegalStateException e) {
      throw new SQLException(e.getMessage(), Errors.CONFIG, e);
    }
  }

  /** After DDL: forget table metadata and cached analyses that may depend on it. */
  void schemaChanged() {
    generation++;
    schema.invalidate();
    analyzer = new StatementAnalyzer(schema);
    bindings.clear();
    byColumn.clear();
  }

  /**
   * Changes whenever {@link #schemaChanged} forgets bindings; a binding obtained while the
   * generation was {@code g} may be reused as long as the generation is still {@code g}.
   */
  int generation() {
    return generation;
  }

  ColumnBinding binding(EncryptedColumn column, Connection real) throws SQLException {
    ColumnBinding cached = byColumn.get(column);
    if (cached != null) {
      return cached;
    }
    ColumnRule rule = rule(column);
    try {
      ColumnBinding b =
          SchemaCatalog.using(
              real, () -> bindings.computeIfAbsent(rule, this::newBindingUnchecked));
      byColumn.put(column, b);
      return b;
    } catch (BindingFailure e) {
      throw e.sqlException();
    } catch (IllegalStateException e) {
      throw new SQLException(e.getMessage(), Errors.CONFIG, e);
    }
  }

  /**
   * Per parameter index of a statement about to be prepared, whether its value is bound as {@link
   * PgDeferredBytea#ofText} (its {@code ?} then becomes {@link PgDeferredBytea#TEXT_PARAMETER}):
   * values written into a text column over pgjdbc. Null when there is none.
   */
  boolean[] deferredTextParameters(AnalyzedStatement analysis, Connection real)
      throws SQLException {
    if (!pgWriters || !analysis.touchesEncryptedColumns()) {
      return null;
    }
    boolean[] out = null;
    for (int i = 1; i <= analysis.parameterCount(); i++) {
      EncryptedColumn column = analysis.parameter(i);
      if (column != null && analysis.isWrittenParameter(i) && binding(column, real).defersText()) {
        if (out == null) {
          out = new boolean[analysis.parameterCount() + 1];
        }
        out[i] = true;
      }
    }
    return out;
  }

  ColumnBinding binding(String table, String column, Connection real) throws SQLException {
    Optional<ColumnRule> rule = runtime.config.column(null, table, column);
    if (rule.isEmpty()) {
      throw new SQLException(
          "Cloak: "
              + table
              + "."
              + column
              + " is not an encrypted column in "
              + runtime.config.source(),
          Errors.CONFIG);
    }
    return binding(schema.encryptedColumn(rule.get()), real);
  }

  private ColumnRule rule(EncryptedColumn column) throws SQLException {
    for (ColumnRule r : runtime.config.columns()) {
      if (schema.encryptedColumn(r).equals(column)) {
        return r;
      }
    }
    throw new SQLException("Cloak: no rule for " + column.qualifiedName(), Errors.CONFIG);
  }

  private ColumnBinding newBindingUnchecked(ColumnRule rule) {
    try {
      return newBinding(rule);
    } catch (SQLException e) {
      throw new BindingFailure(e);
    }
  }

  private ColumnBinding newBinding(ColumnRule rule) throws SQLException {
    PhysicalColumn physical = physical(rule);
    String binding = SchemaCatalog.binding(rule);
    ColumnCipher cipher =
        new ColumnCipher(
            rule.table(),
            rule.column(),
            binding,
            rule.mode(),
            keys.keysFor(binding, rule.key(), rule.qualifiedName()));
    return new ColumnBinding(
        rule,
        cipher,
        physical,
        runtime.config.allowPlaintextReads(),
        dialect == null ? Dialect.OTHER : dialect,
        pgWriters);
  }

  /** Whether {@link PgDeferredBytea} works with {@code real}; false where pgjdbc is not visible. */
  private static boolean pgjdbcWriters(Connection real) {
    try {
      return PgDeferredBytea.usableWith(real);
    } catch (LinkageError e) {
      return false;
    }
  }

  private PhysicalColumn physical(ColumnRule rule) throws SQLException {
    List<PhysicalColumn> table = schema.tableColumns(rule.schema(), rule.table());
    String where = runtime.config.source() + ":" + rule.line() + ": ";
    if (table.isEmpty()) {
      throw new SQLException(
          "Cloak configuration error: "
              + where
              + "table "
              + (rule.schema() == null ? "" : rule.schema() + ".")
              + rule.table()
              + " of encrypted column "
              + rule.qualifiedName()
              + " does not exist in the database",
          Errors.CONFIG);
    }
    PhysicalColumn physical =
        schema
            .physical(rule)
            .orElseThrow(
                () ->
                    new SQLException(
                        "Cloak configuration error: "
                            + where
                            + "column "
                            + rule.qualifiedName()
                            + " does not exist in the database (table "
                            + rule.table()
                            + " has "
                            + table.stream().map(PhysicalColumn::name).toList()
                            + ")",
                        Errors.CONFIG));
    if (!physical.isBinary() && !physical.isText()) {
      throw new SQLException(
          "Cloak configuration error: "
              + where
              + "encrypted column "
              + rule.qualifiedName()
              + " is "
              + physical.typeName()
              + "; ciphertext needs a text column (VARCHAR/TEXT of at least "
              + ColumnCipher.textLength(rule.mode(), 64)
              + " characters for 64-byte values) or a binary one (VARBINARY/BYTEA)",
          Errors.CONFIG);
    }
    if (physical.hasDefault()) {
      throw new SQLException(
          "Cloak configuration error: "
              + where
              + "encrypted column "
              + rule.qualifiedName()
              + " has a DEFAULT value, which the database would store unencrypted in every row"
              + " written without the column. Drop it (ALTER TABLE "
              + rule.table()
              + " ALTER COLUMN "
              + physical.name()
              + " DROP DEFAULT) and have the application write the value",
          Errors.CONFIG);
    }
    return physical;
  }

  /** Carries an SQLException out of computeIfAbsent. */
  static final class BindingFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BindingFailure(SQLException cause) {
      super(cause);
    }

    SQLException sqlException() {
      return (SQLException) getCause();
    }
  }
}
