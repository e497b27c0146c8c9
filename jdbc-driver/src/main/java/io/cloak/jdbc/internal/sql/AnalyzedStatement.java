package io.cloak.jdbc.internal.sql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of analysing one SQL string: which parameters and literals belong to encrypted
 * columns, and which result columns hold ciphertext. Immutable and thread-safe.
 */
public final class AnalyzedStatement {

  /** A literal at [begin, end) of the SQL text that must be encrypted for {@code column}. */
  record LiteralSite(int begin, int end, EncryptedColumn column, Object value) {}

  private final String sql;
  private final boolean touchesEncryptedColumns;
  private final EncryptedColumn[] parameters;
  private final List<EncryptedColumn> resultColumns;
  private final List<LiteralSite> literals;

  AnalyzedStatement(
      String sql,
      boolean touchesEncryptedColumns,
      int parameterCount,
      Map<Integer, EncryptedColumn> parameters,
      List<EncryptedColumn> resultColumns,
      List<LiteralSite> literals) {
    this.sql = sql;
    this.touchesEncryptedColumns = touchesEncryptedColumns;
    this.parameters = new EncryptedColumn[Math.max(0, parameterCount) + 1];
    for (Map.Entry<Integer, EncryptedColumn> e : parameters.entrySet()) {
      if (e.getKey() >= 1 && e.getKey() <= parameterCount) {
        this.parameters[e.getKey()] = e.getValue();
      }
    }
    this.resultColumns = Collections.unmodifiableList(new ArrayList<>(resultColumns));
    this.literals = List.copyOf(literals);
  }

  /** A statement Cloak lets through unchanged: no encrypted columns, all parameters plain. */
  static AnalyzedStatement passThrough(String sql, int parameterCount) {
    return new AnalyzedStatement(sql, false, parameterCount, Map.of(), List.of(), List.of());
  }

  /** True if the statement reads, writes or compares any encrypted column. */
  public boolean touchesEncryptedColumns() {
    return touchesEncryptedColumns;
  }

  /** The number of {@code ?} parameters. */
  public int parameterCount() {
    return parameters.length - 1;
  }

  /**
   * The encrypted column the parameter is written to or compared with, or {@code null} for a plain
   * parameter (also for indexes out of range).
   *
   * @param jdbcIndex 1-based parameter index
   */
  public EncryptedColumn parameter(int jdbcIndex) {
    return jdbcIndex >= 1 && jdbcIndex < parameters.length ? parameters[jdbcIndex] : null;
  }

  /**
   * Per result column (list index 0 = JDBC column 1) the encrypted column it comes from, or {@code
   * null} for a plain column, for statements that return rows (SELECT, and INSERT / UPDATE / DELETE
   * ... RETURNING); empty when none. Positions beyond the list are plain (this happens after a
   * {@code *} over a table whose columns are unknown and that has no encrypted columns).
   */
  public List<EncryptedColumn> resultColumns() {
    return resultColumns;
  }

  /** True if the SQL text contains literals that must be encrypted before it is sent. */
  public boolean hasLiteralsToEncrypt() {
    return !literals.isEmpty();
  }

  /**
   * The SQL with every literal that is written to or compared with an encrypted column replaced by
   * {@code encryptor.sqlLiteralFor(column, javaValue)}; other literals, NULL and all other text are
   * left exactly as written. Works from the positions recorded at analysis time, so the cached
   * analysis is never modified.
   */
  public String rewriteLiterals(LiteralEncryptor encryptor) throws SQLException {
    if (literals.isEmpty()) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 64 * literals.size());
    int pos = 0;
    for (LiteralSite site : literals) {
      out.append(sql, pos, site.begin());
      Object value = site.value() instanceof byte[] b ? b.clone() : site.value();
      String replacement = encryptor.sqlLiteralFor(site.column(), value);
      if (replacement == null) {
        throw Failures.column(
            site.column(),
            "no SQL literal was produced for a literal value",
            "Bind the value as a PreparedStatement parameter instead.");
      }
      out.append(replacement);
      pos = site.end();
    }
    out.append(sql, pos, sql.length());
    return out.toString();
  }

  /** Describes the analysis without any SQL text or literal values. */
  @Override
  public String toString() {
    return "AnalyzedStatement[touchesEncryptedColumns="
        + touchesEncryptedColumns
        + ", parameters="
        + Arrays.asList(parameters).subList(1, parameters.length)
        + ", resultColumns="
        + resultColumns
        + ", literalsToEncrypt="
        + literals.size()
        + "]";
  }
}
