package io.cloak.jdbc.internal.sql;

import java.sql.SQLException;

/** Turns a plaintext literal into the SQL literal of its ciphertext (for plain Statements). */
@FunctionalInterface
public interface LiteralEncryptor {

  /**
   * @param column the encrypted column the literal is written to or compared with
   * @param value the literal's Java value: String, Long, BigDecimal, LocalDate, LocalDateTime,
   *     LocalTime, Boolean or byte[]
   * @return SQL text to put in place of the literal, e.g. {@code X'0a1b...'}
   */
  String sqlLiteralFor(EncryptedColumn column, Object value) throws SQLException;
}
