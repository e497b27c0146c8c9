package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassThroughTest extends AnalyzerTestSupport {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE TABLE t (a INT, ssn VARCHAR(20))",
        "ALTER TABLE customers ADD COLUMN extra INT",
        "ALTER TABLE customers DROP COLUMN note",
        "DROP TABLE customers",
        "TRUNCATE TABLE customers",
        "COMMENT ON TABLE customers IS 'people'",
        "CREATE INDEX customers_ssn ON customers (ssn)",
        "SET autocommit = 0",
        "SHOW TABLES",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s1",
        "BEGIN",
        "START TRANSACTION",
        "SET search_path TO public",
        "LOCK TABLE customers IN EXCLUSIVE MODE",
        "GRANT SELECT ON customers TO reporting"
      })
  void ddlSessionAndTransactionStatementsPassThrough(String sql) {
    AnalyzedStatement a = analyze(sql);
    assertFalse(a.touchesEncryptedColumns());
    assertTrue(a.resultColumns().isEmpty());
    assertFalse(a.hasLiteralsToEncrypt());
  }

  @Test
  void callWithoutEncryptedColumnsPassesThrough() {
    AnalyzedStatement a = analyze("CALL refresh_stats(?, ?)");
    assertEquals(2, a.parameterCount());
    assertNull(a.parameter(1));
  }

  @Test
  void callMentioningEncryptedColumnIsRefused() {
    refused("CALL rotate(ssn)", "ssn", "cannot analyse");
  }

  @Test
  void unparseableSqlWithoutEncryptedNamesPassesThrough() {
    AnalyzedStatement a = analyze("FROBNICATE plain_table WITH ? AND ?");
    assertFalse(a.touchesEncryptedColumns());
    assertEquals(2, a.parameterCount());
    assertNull(a.parameter(1));
  }

  @Test
  void unparseableSqlMentioningEncryptedColumnIsRefused() {
    refused(
        "SELECT ssn FROM customers WHERE name = 'it\\'s secret-123' FROBNICATE",
        "cannot analyse",
        "ssn");
  }

  @Test
  void unparseableSqlMentioningEncryptedColumnCaseInsensitivelyIsRefused() {
    refused("FROBNICATE \"SSN\" NOW", "ssn");
  }

  @Test
  void encryptedNameInsideCommentOrStringOfUnparseableSqlIsIgnored() {
    AnalyzedStatement a = analyze("FROBNICATE plain_table /* ssn */ 'card' -- email\n WITH 1");
    assertFalse(a.touchesEncryptedColumns());
  }

  @Test
  void encryptedNameAsPartOfWordIsIgnored() {
    assertFalse(analyze("FROBNICATE ssn_history, cards").touchesEncryptedColumns());
  }

  @Test
  void jdbcEscapeCallWithoutEncryptedNamesPassesThrough() {
    assertEquals(1, analyze("{call refresh_stats(?)}").parameterCount());
  }

  @Test
  void blankSqlPassesThrough() {
    assertEquals(0, analyze("  /* nothing */ ").parameterCount());
  }

  @Test
  void multipleStatementsTouchingEncryptedColumnsAreRefused() {
    refused(
        "UPDATE customers SET ssn = ? WHERE id = 1; SELECT 1", "customers.ssn", "one at a time");
  }

  @Test
  void multiplePlainStatementsPassThrough() {
    AnalyzedStatement a = analyze("SELECT 1; SELECT a FROM plain_table");
    assertFalse(a.touchesEncryptedColumns());
    assertTrue(a.resultColumns().isEmpty());
  }

  @Test
  void trailingSemicolonIsOneStatement() {
    assertEquals(list(SSN), analyze("SELECT ssn FROM customers;").resultColumns());
  }

  @Test
  void explainMapsParametersButReturnsNoEncryptedColumns() {
    AnalyzedStatement a = analyze("EXPLAIN SELECT ssn FROM customers WHERE email = ?");
    assertEquals(EMAIL, a.parameter(1));
    assertTrue(a.resultColumns().isEmpty());
  }

  @Test
  void sqlTextScanFindsWordsOutsideStringsAndComments() {
    SqlText.Scan s =
        SqlText.scan(
            "SELECT \"Ssn\" -- card\n, 'note' /* email /* nested */ */ FROM t WHERE x = ?");
    assertTrue(s.words().contains("ssn"));
    assertFalse(s.words().contains("card"));
    assertFalse(s.words().contains("note"));
    assertFalse(s.words().contains("email"));
    assertEquals(1, s.parameterMarkers());
    assertEquals("select", s.firstWord());
  }
}
