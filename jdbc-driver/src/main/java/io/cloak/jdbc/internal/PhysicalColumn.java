package io.cloak.jdbc.internal;

import java.sql.Types;

/**
 * How the database stores an encrypted column: as text or as bytes, and how large. Read once from
 * {@link java.sql.DatabaseMetaData#getColumns}. Immutable.
 *
 * @param name the column name as the database spells it
 * @param sqlType the {@link Types} code
 * @param typeName the database's type name
 * @param size the declared size (characters or bytes), or {@code Integer.MAX_VALUE} if unbounded
 * @param hasDefault the column has a default value other than NULL
 */
record PhysicalColumn(String name, int sqlType, String typeName, int size, boolean hasDefault) {
  PhysicalColumn(String name, int sqlType, String typeName, int size) {
    this(name, sqlType, typeName, size, false);
  }

  /**
   * Whether {@code columnDefault}, the {@code COLUMN_DEF} of {@link
   * java.sql.DatabaseMetaData#getColumns}, is a default other than NULL: drivers report no default
   * as {@code null}, MariaDB as {@code NULL}, PostgreSQL an explicit {@code DEFAULT NULL} as {@code
   * NULL::type}.
   */
  static boolean isRealDefault(String columnDefault) {
    if (columnDefault == null) {
      return false;
    }
    String d = columnDefault.strip().toUpperCase(java.util.Locale.ROOT);
    while (d.startsWith("(") && d.endsWith(")")) {
      d = d.substring(1, d.length() - 1).strip();
    }
    return !d.isEmpty() && !d.equals("NULL") && !d.startsWith("NULL::");
  }

  boolean isBinary() {
    return switch (sqlType) {
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> true;
      default -> false;
    };
  }

  boolean isText() {
    return switch (sqlType) {
      case Types.CHAR,
              Types.VARCHAR,
              Types.LONGVARCHAR,
              Types.NCHAR,
              Types.NVARCHAR,
              Types.LONGNVARCHAR,
              Types.CLOB,
              Types.NCLOB ->
          true;
      default -> false;
    };
  }

  int capacity() {
    return size <= 0 ? Integer.MAX_VALUE : size;
  }
}
