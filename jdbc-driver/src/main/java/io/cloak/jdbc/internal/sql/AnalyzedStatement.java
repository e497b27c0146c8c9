package io.cloak.jdbc.internal.sql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

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
  private final int[] writtenAt; // per parameter: offset of its '?' if written to its column, or -1
  private final List<EncryptedColumn> resultColumns;
  private final List<LiteralSite> literals;

  AnalyzedStatement(
      String sql,
      boolean touchesEncryptedColumns,
      int parameterCount,
      Map<Integer, EncryptedColumn> parameters,
      Map<Integer, Integer> writtenParameters,
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
    this.writtenAt = new int[this.parameters.length];
    Arrays.fill(writtenAt, -1);
    for (Map.Entry<Integer, Integer> e : writtenParameters.entrySet()) {
      if (e.getKey() >= 1 && e.getKey() <= parameterCount && this.parameters[e.getKey()] != null) {
        writtenAt[e.getKey()] = e.getValue();
      }
    }
    this.resultColumns = Collections.unmodifiableList(new ArrayList<>(resultColumns));
    this.literals = List.copyOf(literals);
  }

  /** A statement Cloak lets through unchanged: no encrypted columns, all parameters plain. */
  static AnalyzedStatement passThrough(String sql, int parameterCount) {
    return new AnalyzedStatement(
        sql, false, parameterCount, Map.of(), Map.of(), List.of(), List.of());
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
   * True if parameter {@code jdbcIndex} is a value written into its encrypted column ({@code INSERT
   * ... VALUES}, {@code UPDATE ... SET} and the like), false if it is compared with one, is plain,
   * or is out of range.
   */
  public boolean isWrittenParameter(int jdbcIndex) {
    return jdbcIndex >= 1 && jdbcIndex < writtenAt.length && writtenAt[jdbcIndex] >= 0;
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
    return rewrite(encryptor, null);
  }

  /**
   * {@link #rewriteLiterals}, and also each written parameter's {@code ?} (see {@link
   * #isWrittenParameter}) replaced by {@code markers.apply(index)} where that is not null: an
   * expression around a {@code ?} that turns what the driver binds into the column's type.
   *
   * @param markers per parameter index, the text to put in place of its {@code ?}, or null to keep
   *     it; null for none
   */
  public String rewrite(LiteralEncryptor encryptor, IntFunction<String> markers)
      throws SQLException {
    List<int[]> params = new ArrayList<>(); // {begin, index}
    if (markers != null) {
      for (int i = 1; i < writtenAt.length; i++) {
        if (writtenAt[i] >= 0) {
          params.add(new int[] {writtenAt[i], i});
        }
      }
      params.sort((a, b) -> Integer.compare(a[0], b[0]));
    }
    if (literals.isEmpty() && params.isEmpty()) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 64 * (literals.size() + params.size()));
    int pos = 0;
    int l = 0;
    int p = 0;
    while (l < literals.size() || p < params.size()) {
      if (p == params.size()
          || (l < literals.size() && literals.get(l).begin() < params.get(p)[0])) {
        LiteralSite site = literals.get(l++);
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
      } else {
        int[] param = params.get(p++);
        String replacement = markers.apply(param[1]);
        if (replacement != null) {
          out.append(sql, pos, param[0]).append(replacement);
          pos = param[0] + 1;
        }
      }
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
