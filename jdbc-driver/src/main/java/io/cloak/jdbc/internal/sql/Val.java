package io.cloak.jdbc.internal.sql;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;

/** What the analyser knows about the value of one expression. */
sealed interface Val {

  /** Ciphertext of an encrypted column; {@code origin} is the source it was read through. */
  record Enc(EncryptedColumn column, Object origin) implements Val {}

  /** A JDBC {@code ?} parameter. */
  record Param(JdbcParameter parameter) implements Val {}

  /** A literal (never NULL) that Cloak knows how to convert. */
  record Lit(Expression node) implements Val {}

  /** Values with no further detail. */
  enum Simple implements Val {
    /** The NULL literal. */
    NULL,
    /** The DEFAULT keyword. */
    DEFAULT,
    /** Anything else without ciphertext: a plain column, a computation, a subquery... */
    PLAIN
  }
}
