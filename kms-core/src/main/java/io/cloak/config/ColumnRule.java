package io.cloak.config;

import java.util.Objects;

/**
 * One entry of {@code columns}: a column Cloak encrypts, how, and under which key. Names keep the
 * spelling of the config; {@link CloakConfig#column} matches them case-insensitively. Immutable and
 * thread-safe.
 *
 * @param schema the schema, or {@code null} when the rule applies to the table in any schema
 * @param table the table name, without schema
 * @param column the column name
 * @param mode how values are encrypted
 * @param key the key id, {@code alias/...} or {@code provided:NAME}; {@code null} means the managed
 *     default key
 * @param joinGroup columns with the same (deterministic) join group share a data key so they can be
 *     joined and compared; {@code null} when the column is in no group
 * @param line the 1-based line the rule starts on, 0 when not from a file
 */
public record ColumnRule(
    String schema,
    String table,
    String column,
    EncryptionMode mode,
    String key,
    String joinGroup,
    int line) {

  /**
   * @throws NullPointerException if {@code table}, {@code column} or {@code mode} is null
   * @throws IllegalArgumentException if a join group is set on a randomized column
   */
  public ColumnRule {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(mode, "mode");
    if (joinGroup != null && mode != EncryptionMode.DETERMINISTIC) {
      throw new IllegalArgumentException("a join group needs mode DETERMINISTIC");
    }
  }

  /** {@code schema.table.column}, or {@code table.column} when the rule has no schema. */
  public String qualifiedName() {
    return schema == null ? table + "." + column : schema + "." + table + "." + column;
  }
}
