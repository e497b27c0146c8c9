package io.cloak.jdbc.internal.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * The result columns of a query. {@code openEnded} means more columns of unknown number follow
 * (from {@code *} over a table whose columns are unknown); they never hold ciphertext. {@code
 * leaves} are the individual rows or branches (one per VALUES row or set-operation branch), used to
 * map INSERT sources to target columns.
 */
final class Projection {
  final List<OutCol> columns;
  final boolean openEnded;
  final List<Projection> leaves;

  /** A named result column; {@code name} is null for unnamed expressions. */
  record OutCol(String name, Val val) {}

  Projection(List<OutCol> columns, boolean openEnded, List<Projection> leaves) {
    this.columns = List.copyOf(columns);
    this.openEnded = openEnded;
    this.leaves = leaves == null ? List.of(this) : List.copyOf(leaves);
  }

  static Projection empty() {
    return new Projection(List.of(), false, null);
  }

  boolean hasCiphertext() {
    for (OutCol c : columns) {
      if (c.val() instanceof Val.Enc) {
        return true;
      }
    }
    return false;
  }

  /** Builds a projection column by column. */
  static final class Builder {
    private final List<OutCol> columns = new ArrayList<>();
    private boolean openEnded;

    /**
     * Adds a column; after an open-ended segment its position is unknown, so ciphertext there fails
     * closed.
     */
    void add(OutCol column) throws java.sql.SQLException {
      if (openEnded) {
        if (column.val() instanceof Val.Enc e) {
          throw Failures.column(
              e.column(),
              "its position in the result cannot be determined because an earlier '*' expands a"
                  + " table whose columns are unknown",
              "List the columns explicitly.");
        }
        return;
      }
      columns.add(column);
    }

    void addUnknown() {
      openEnded = true;
    }

    Projection build() {
      return new Projection(columns, openEnded, null);
    }
  }
}
