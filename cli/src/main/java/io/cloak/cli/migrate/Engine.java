package io.cloak.cli.migrate;

import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Locale;

/** What differs between the supported databases: quoting, types and snapshot reads. */
enum Engine {
  POSTGRESQL,
  MARIADB,
  H2;

  /** Largest H2 {@code CHARACTER VARYING} length used before falling back to a CLOB. */
  static final long H2_MAX_VARCHAR = 1_000_000;

  /** Largest MariaDB ASCII {@code VARCHAR} that can still be indexed (InnoDB key limit). */
  static final long MARIADB_MAX_INDEXED_VARCHAR = 3072;

  static Engine of(String url) {
    String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return MARIADB;
    }
    if (u.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new MigrationException(
        "unsupported JDBC URL "
            + redact(url)
            + "; cloak migrate supports jdbc:postgresql:, jdbc:mariadb: and jdbc:h2: (without the"
            + " cloak: prefix)");
  }

  static String redact(String url) {
    return url == null ? "null" : url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***");
  }

  String quote(String identifier) {
    if (this == MARIADB) {
      return '`' + identifier.replace("`", "``") + '`';
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The schema (PostgreSQL, H2) or catalog (MariaDB) whose tables are migrated. */
  String[] catalogAndSchema(Connection c) throws SQLException {
    if (this == MARIADB) {
      return new String[] {c.getCatalog(), null};
    }
    return new String[] {null, c.getSchema()};
  }

  /**
   * Starts a read-only, repeatable-read transaction on a source connection, so that every table is
   * read from one consistent snapshot, with forward-only cursors.
   */
  void beginSnapshot(Connection c) throws SQLException {
    c.setAutoCommit(false);
    switch (this) {
      case POSTGRESQL -> {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
      }
      case MARIADB -> {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = c.createStatement()) {
          st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        }
      }
      case H2 -> c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }
  }

  /**
   * The fetch size for a streaming read: at most 1,000 rows, so a table of large rows does not fill
   * the heap with one fetch; a larger batch is assembled from several fetches.
   */
  int fetchSize(int batch) {
    return Math.max(1, Math.min(batch, 1_000));
  }

  /**
   * The physical type of an encrypted column, large enough for the ciphertext of any value of the
   * source column: text (the text form), or with {@code binary} bytes.
   */
  String encryptedType(Schema.Column column, ColumnRule rule, boolean indexed, boolean binary) {
    if (binary) {
      return encryptedBinaryType(column, rule, indexed);
    }
    long need = ciphertextChars(column);
    return switch (this) {
      case POSTGRESQL -> "TEXT";
      case MARIADB -> {
        String charset = " CHARACTER SET ascii COLLATE ascii_bin";
        if (indexed
            && rule.mode() == EncryptionMode.DETERMINISTIC
            && need <= MARIADB_MAX_INDEXED_VARCHAR) {
          yield "VARCHAR(" + need + ")" + charset;
        }
        if (need <= 65_535) {
          yield "TEXT" + charset;
        }
        if (need <= 16_777_215) {
          yield "MEDIUMTEXT" + charset;
        }
        yield "LONGTEXT" + charset;
      }
      case H2 -> need <= H2_MAX_VARCHAR ? "VARCHAR(" + need + ")" : "CHARACTER LARGE OBJECT";
    };
  }

  private String encryptedBinaryType(Schema.Column column, ColumnRule rule, boolean indexed) {
    long need = ciphertextBytes(column);
    return switch (this) {
      case POSTGRESQL -> "BYTEA";
      case MARIADB -> {
        if (indexed
            && rule.mode() == EncryptionMode.DETERMINISTIC
            && need <= MARIADB_MAX_INDEXED_VARCHAR) {
          yield "VARBINARY(" + need + ")";
        }
        if (need <= 65_535) {
          yield "BLOB";
        }
        if (need <= 16_777_215) {
          yield "MEDIUMBLOB";
        }
        yield "LONGBLOB";
      }
      case H2 -> need <= H2_MAX_VARCHAR ? "VARBINARY(" + need + ")" : "BINARY LARGE OBJECT";
    };
  }

  /** Whether an index on this encrypted column can be created on the target. */
  boolean canIndexEncrypted(Schema.Column column, boolean binary) {
    long need = binary ? ciphertextBytes(column) : ciphertextChars(column);
    return switch (this) {
      case POSTGRESQL -> true; // btree entries above ~2.7 kB fail at insert time; documented
      case MARIADB -> need <= MARIADB_MAX_INDEXED_VARCHAR;
      case H2 -> need <= H2_MAX_VARCHAR;
    };
  }

  /**
   * An upper bound of the bytes of a binary ciphertext for any value of the column: header (8) +
   * nonce/IV and tag (at most 28) + type tag and length (at most 8) + the encoded value.
   * Long.MAX_VALUE when the column is unbounded.
   */
  static long ciphertextBytes(Schema.Column column) {
    long bytes = plaintextBytes(column);
    return bytes == Long.MAX_VALUE ? Long.MAX_VALUE : 8 + 28 + 8 + bytes;
  }

  /**
   * An upper bound of the characters of a text ciphertext for any value of the column: {@code
   * $ck1$} + base64 of header (8) + nonce/IV and tag (at most 28) + type tag and length (at most 8)
   * + the encoded value. Long.MAX_VALUE when the column is unbounded.
   */
  static long ciphertextChars(Schema.Column column) {
    long binary = ciphertextBytes(column);
    return binary == Long.MAX_VALUE ? Long.MAX_VALUE : 5 + 4 * ((binary + 2) / 3);
  }

  private static long plaintextBytes(Schema.Column column) {
    int size = column.size();
    boolean unbounded = size <= 0 || size >= 100_000_000;
    switch (column.sqlType()) {
      case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR -> {
        return unbounded ? Long.MAX_VALUE : 4L * size;
      }
      case Types.BINARY, Types.VARBINARY -> {
        return unbounded ? Long.MAX_VALUE : size;
      }
      case Types.LONGVARCHAR,
          Types.LONGNVARCHAR,
          Types.CLOB,
          Types.NCLOB,
          Types.LONGVARBINARY,
          Types.BLOB,
          Types.OTHER,
          Types.JAVA_OBJECT,
          Types.ARRAY,
          Types.STRUCT,
          Types.SQLXML -> {
        return Long.MAX_VALUE;
      }
      case Types.NUMERIC, Types.DECIMAL -> {
        return unbounded || size > 1000 ? 1024 : size + 32;
      }
      default -> {
        return 64;
      }
    }
  }

  /** The SQL type of a column copied as it is. */
  String plainType(Schema.Column c) {
    return switch (this) {
      case MARIADB -> c.exactType() != null ? c.exactType() : c.typeName();
      case POSTGRESQL -> pgType(c);
      case H2 -> h2Type(c);
    };
  }

  private static String pgType(Schema.Column c) {
    String t = c.typeName();
    boolean sized = c.size() > 0 && c.size() < 10_485_760;
    if (t.startsWith("_")) {
      return pgType(
              new Schema.Column(c.name(), c.sqlType(), t.substring(1), 0, 0, true, null, false))
          + "[]";
    }
    switch (t) {
      case "varchar", "varbit", "bit" -> {
        return sized ? t + "(" + c.size() + ")" : t;
      }
      case "bpchar" -> {
        return sized ? "char(" + c.size() + ")" : "char";
      }
      case "numeric" -> {
        return c.size() > 0 && c.size() <= 1000
            ? "numeric(" + c.size() + "," + c.scale() + ")"
            : "numeric";
      }
      default -> {
        return c.typeName().chars().allMatch(ch -> ch == '_' || Character.isLetterOrDigit(ch))
            ? t
            : POSTGRESQL.quote(t);
      }
    }
  }

  private static String h2Type(Schema.Column c) {
    String t = c.typeName().toUpperCase(Locale.ROOT);
    if (t.contains("LARGE OBJECT") || t.contains("LOB")) {
      return t;
    }
    if (t.contains("CHAR") || t.contains("BINARY")) {
      return c.size() > 0 && c.size() < 1_000_000_000 ? t + "(" + c.size() + ")" : t;
    }
    if (t.equals("NUMERIC") || t.equals("DECIMAL")) {
      return t + "(" + c.size() + "," + c.scale() + ")";
    }
    return t;
  }
}
