package io.cloak.jdbc.internal.sql;

import io.cloak.config.EncryptionMode;
import java.util.Locale;
import java.util.Objects;

/**
 * An encrypted column as seen by the SQL analyser. Two columns are comparable (may be joined or
 * compared with {@code =}) when both are {@link EncryptionMode#DETERMINISTIC} and share an equality
 * group; a column without a group is comparable only with itself.
 *
 * @param table the table as the driver names it (may include a schema)
 * @param column the column name
 * @param mode how values are encrypted
 * @param equalityGroup columns in the same group share a key; {@code null} for none
 */
public record EncryptedColumn(
    String table, String column, EncryptionMode mode, String equalityGroup) {

  /**
   * @throws NullPointerException if {@code table}, {@code column} or {@code mode} is null
   */
  public EncryptedColumn {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(mode, "mode");
  }

  /** {@code table.column}. */
  public String qualifiedName() {
    return table + "." + column;
  }

  /** True if this is the same column as {@code other} (names compared case-insensitively). */
  public boolean sameColumn(EncryptedColumn other) {
    return other != null && qualifiedName().equalsIgnoreCase(other.qualifiedName());
  }

  /** True if ciphertexts of this column and {@code other} can be compared for equality. */
  public boolean comparableWith(EncryptedColumn other) {
    if (other == null
        || mode != EncryptionMode.DETERMINISTIC
        || other.mode != EncryptionMode.DETERMINISTIC) {
      return false;
    }
    return groupKey().equals(other.groupKey());
  }

  /** The mode as written in configuration: {@code randomized} or {@code deterministic}. */
  String modeName() {
    return mode.name().toLowerCase(Locale.ROOT);
  }

  private String groupKey() {
    return equalityGroup != null
        ? "g:" + equalityGroup
        : "c:" + qualifiedName().toLowerCase(Locale.ROOT);
  }
}
