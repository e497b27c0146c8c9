package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiteralRewriteTest extends AnalyzerTestSupport {

  private final List<Object> seen = new ArrayList<>();

  /** Replaces each literal by ENC(column#n). */
  private String rewrite(String sql) throws SQLException {
    AnalyzedStatement a = analyze(sql);
    return a.rewriteLiterals(
        (column, value) -> {
          seen.add(value);
          return "ENC(" + column.column() + "#" + seen.size() + ")";
        });
  }

  @Test
  void insertLiteralsForEncryptedColumnsAreReplacedOthersKept() throws SQLException {
    assertEquals(
        "INSERT INTO customers (id, name, ssn, card) VALUES (7, 'Ann', ENC(ssn#1), NULL)",
        rewrite(
            "INSERT INTO customers (id, name, ssn, card) VALUES (7, 'Ann', 'secret-123', NULL)"));
    assertEquals(List.of("secret-123"), seen);
  }

  @Test
  void whereLiteralsAreReplacedAndTheRestOfTheTextIsUntouched() throws SQLException {
    assertEquals(
        "select  id from customers\n where ssn = ENC(ssn#1) /* 'x' */ and name = 'secret-123'",
        rewrite(
            "select  id from customers\n where ssn = 'a''b' /* 'x' */ and name = 'secret-123'"));
    assertEquals(List.of("a'b"), seen);
  }

  @Test
  void inListLiteralsAreAllReplaced() throws SQLException {
    assertEquals(
        "SELECT id FROM customers WHERE email IN (ENC(email#1), ENC(email#2)) AND id = 3",
        rewrite("SELECT id FROM customers WHERE email IN ('a@x', 'b@x') AND id = 3"));
  }

  @Test
  void literalTypesAreConvertedToJavaValues() throws SQLException {
    rewrite(
        "INSERT INTO customers (ssn, email, card, note, name) VALUES"
            + " (123, -4.50, DATE '2024-02-29', TIMESTAMP '2024-02-29 10:11:12', 'n')");
    assertEquals(
        List.of(
            123L,
            new BigDecimal("-4.50"),
            LocalDate.of(2024, 2, 29),
            LocalDateTime.of(2024, 2, 29, 10, 11, 12)),
        seen);
  }

  @Test
  void booleanAndHexLiteralsAreConverted() throws SQLException {
    rewrite("UPDATE customers SET card = TRUE, note = X'0aFF' WHERE id = 1");
    assertEquals(Boolean.TRUE, seen.get(0));
    assertArrayEquals(new byte[] {0x0a, (byte) 0xff}, (byte[]) seen.get(1));
  }

  @Test
  void decimalKeepsItsScale() throws SQLException {
    rewrite("SELECT id FROM customers WHERE ssn = 1.500");
    assertEquals(new BigDecimal("1.500"), seen.get(0));
    assertEquals(3, ((BigDecimal) seen.get(0)).scale());
  }

  @Test
  void updateSetAndWhereLiteralsAreReplacedInTextOrder() throws SQLException {
    assertEquals(
        "UPDATE customers SET note = ENC(note#1), name = 'x' WHERE email = ENC(email#2)",
        rewrite("UPDATE customers SET note = 'n1', name = 'x' WHERE email = 'e1'"));
  }

  @Test
  void literalInMultiRowInsertIsReplacedPerRow() throws SQLException {
    assertEquals(
        "INSERT INTO customers (id, card) VALUES (1, ENC(card#1)), (2, NULL), (3, ENC(card#2))",
        rewrite("INSERT INTO customers (id, card) VALUES (1, 'c1'), (2, NULL), (3, 'c3')"));
  }

  @Test
  void nationalStringLiteralIsReplaced() throws SQLException {
    assertEquals(
        "SELECT id FROM customers WHERE ssn = ENC(ssn#1)",
        rewrite("SELECT id FROM customers WHERE ssn = N'secret-123'"));
    assertEquals(List.of("secret-123"), seen);
  }

  @Test
  void literalsAfterMultiByteCharactersAreFound() throws SQLException {
    assertEquals(
        "SELECT 'é😀' AS x FROM customers WHERE ssn = ENC(ssn#1)",
        rewrite("SELECT 'é😀' AS x FROM customers WHERE ssn = 'secret-123'"));
  }

  @Test
  void statementWithoutEncryptedLiteralsIsReturnedUnchanged() throws SQLException {
    String sql = "SELECT id FROM customers WHERE name = 'secret-123' AND ssn = ?";
    AnalyzedStatement a = analyze(sql);
    assertFalse(a.hasLiteralsToEncrypt());
    assertEquals(sql, a.rewriteLiterals((c, v) -> "NOPE"));
  }

  @Test
  void nullComparedWithEncryptedColumnIsNotEncrypted() throws SQLException {
    AnalyzedStatement a = analyze("UPDATE customers SET ssn = NULL WHERE email = NULL");
    assertFalse(a.hasLiteralsToEncrypt());
  }

  @Test
  void rewriteDoesNotChangeTheCachedAnalysis() throws SQLException {
    String sql = "SELECT id FROM customers WHERE ssn = 'secret-123'";
    AnalyzedStatement a = analyze(sql);
    assertTrue(a.hasLiteralsToEncrypt());
    String first = a.rewriteLiterals((c, v) -> "X'01'");
    String second = analyze(sql).rewriteLiterals((c, v) -> "X'02'");
    assertEquals("SELECT id FROM customers WHERE ssn = X'01'", first);
    assertEquals("SELECT id FROM customers WHERE ssn = X'02'", second);
  }

  @Test
  void backslashInStringLiteralIsRefused() {
    refused(
        "SELECT id FROM customers WHERE ssn = 'secret\\123'",
        "customers.ssn",
        "backslash",
        "PreparedStatement");
  }

  @Test
  void escapeStringPrefixIsRefused() {
    refused("SELECT id FROM customers WHERE ssn = E'secret-123'", "customers.ssn", "prefix");
  }

  @Test
  void malformedDateLiteralIsRefused() {
    refused("UPDATE customers SET card = DATE '2024-13-45' WHERE id = 1", "customers.card", "DATE");
  }
}
