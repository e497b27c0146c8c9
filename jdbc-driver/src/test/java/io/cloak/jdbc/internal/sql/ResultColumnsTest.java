package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultColumnsTest extends AnalyzerTestSupport {

  private List<EncryptedColumn> results(String sql) {
    return analyze(sql).resultColumns();
  }

  @Test
  void plainColumnsMapToNull() {
    assertEquals(list(null, null), results("SELECT id, name FROM customers"));
  }

  @Test
  void encryptedColumnsMapByPosition() {
    assertEquals(list(null, SSN, CARD), results("SELECT id, ssn, card FROM customers"));
  }

  @Test
  void qualifiedAndAliasedColumnsMap() {
    assertEquals(
        list(SSN, EMAIL, NOTE), results("SELECT c.ssn, c.email AS mail, note n FROM customers c"));
  }

  @Test
  void quotedIdentifiersMap() {
    assertEquals(
        list(SSN, EMAIL), results("SELECT \"SSN\", \"c\".\"Email\" FROM \"customers\" \"c\""));
  }

  @Test
  void schemaQualifiedTableMaps() {
    assertEquals(list(SSN), results("SELECT public.customers.ssn FROM public.customers"));
  }

  @Test
  void starExpandsInTableOrder() {
    assertEquals(list(null, null, SSN, EMAIL, CARD, NOTE), results("SELECT * FROM customers"));
  }

  @Test
  void starOverJoinExpandsInFromOrder() {
    assertEquals(
        list(null, null, ORDER_SSN, null, null, null, SSN, EMAIL, CARD, NOTE),
        results("SELECT * FROM orders o JOIN customers c ON c.ssn = o.customer_ssn"));
  }

  @Test
  void tableStarInJoinExpandsOnlyThatTable() {
    assertEquals(
        list(null, null, ORDER_SSN, null, null, SSN),
        results(
            "SELECT o.*, c.name, c.ssn FROM customers c JOIN orders o ON c.ssn = o.customer_ssn"));
  }

  @Test
  void customerStarInJoinExpandsCustomerColumns() {
    assertEquals(
        list(null, null, null, SSN, EMAIL, CARD, NOTE, null),
        results(
            "SELECT o.id, c.*, o.total FROM orders o LEFT JOIN customers c"
                + " ON c.ssn = o.customer_ssn"));
  }

  @Test
  void tableStarMixedWithOtherItems() {
    assertEquals(
        list(null, null, null, SSN, EMAIL, CARD, NOTE),
        results("SELECT 1 AS one, c.* FROM customers c"));
  }

  @Test
  void starOverUnknownPlainTableEndsTheKnownList() {
    assertEquals(list(SSN), results("SELECT c.ssn, s.* FROM customers c, staging s"));
  }

  @Test
  void countVariantsArePlain() {
    assertEquals(
        list(null, null, null, null),
        results("SELECT COUNT(*), COUNT(ssn), COUNT(DISTINCT email), COUNT(card) FROM customers"));
  }

  @Test
  void parametersAndLiteralsInSelectListArePlain() {
    assertEquals(list(null, null, null), results("SELECT ?, 'x', NULL FROM customers"));
  }

  @Test
  void scalarSubqueryReturningEncryptedColumnMaps() {
    assertEquals(
        list(null, ORDER_SSN),
        results(
            "SELECT c.id, (SELECT o.customer_ssn FROM orders o WHERE o.customer_id = c.id LIMIT 1)"
                + " FROM customers c"));
  }

  @Test
  void derivedTableColumnsMap() {
    assertEquals(
        list(SSN, null), results("SELECT s.x, s.id FROM (SELECT ssn AS x, id FROM customers) s"));
  }

  @Test
  void derivedTableStarMaps() {
    assertEquals(list(null, EMAIL), results("SELECT * FROM (SELECT id, email FROM customers) t"));
  }

  @Test
  void cteColumnsMap() {
    assertEquals(
        list(CARD), results("WITH c2 AS (SELECT card FROM customers) SELECT card FROM c2"));
  }

  @Test
  void nestedCtesMap() {
    assertEquals(
        list(SSN),
        results(
            "WITH a AS (SELECT ssn FROM customers), b AS (SELECT ssn AS s FROM a) SELECT s FROM b"));
  }

  @Test
  void unionOfSameEncryptedColumnMaps() {
    assertEquals(
        list(null, SSN),
        results(
            "SELECT id, ssn FROM customers WHERE id < ? UNION ALL SELECT id, ssn FROM customers"));
  }

  @Test
  void unionOfPlainColumnsIsPlain() {
    assertEquals(
        list((EncryptedColumn) null),
        results("SELECT name FROM customers UNION SELECT a FROM plain_table"));
  }

  @Test
  void unionWithNullBranchKeepsEncryptedColumn() {
    assertEquals(
        list(SSN), results("SELECT ssn FROM customers UNION ALL SELECT NULL FROM plain_table"));
  }

  @Test
  void intersectOfDeterministicColumnIsAllowed() {
    assertEquals(
        list(EMAIL), results("SELECT email FROM customers INTERSECT SELECT email FROM customers"));
  }

  @Test
  void parenthesisedSelectMaps() {
    assertEquals(list(SSN), results("(SELECT ssn FROM customers)"));
  }

  @Test
  void joinedAliasGroupMaps() {
    assertEquals(
        list(EMAIL),
        results("SELECT j.email FROM (customers c JOIN orders o ON c.ssn = o.customer_ssn) AS j"));
  }

  @Test
  void lateralSubqueryMaps() {
    assertEquals(
        list(null, ORDER_SSN),
        results(
            "SELECT c.id, l.s FROM customers c, LATERAL (SELECT o.customer_ssn AS s FROM orders o"
                + " WHERE o.customer_id = c.id) l"));
  }

  @Test
  void insertReturningMaps() {
    AnalyzedStatement a =
        analyze("INSERT INTO customers (id, ssn) VALUES (?, ?) RETURNING id, ssn AS s");
    assertEquals(list(null, SSN), a.resultColumns());
    assertEquals(SSN, a.parameter(2));
  }

  @Test
  void updateReturningStarMaps() {
    assertEquals(
        list(null, null, SSN, EMAIL, CARD, NOTE),
        results("UPDATE customers SET name = ? WHERE id = ? RETURNING *"));
  }

  @Test
  void deleteReturningMaps() {
    assertEquals(list(CARD), results("DELETE FROM customers WHERE id = ? RETURNING card"));
  }

  @Test
  void statementsWithoutRowsHaveNoResultColumns() {
    assertTrue(results("UPDATE customers SET ssn = ? WHERE id = ?").isEmpty());
    assertTrue(results("INSERT INTO customers (id) VALUES (1)").isEmpty());
  }

  @Test
  void plainSelectDoesNotTouchEncryption() {
    assertFalse(analyze("SELECT a, b FROM plain_table WHERE a = ?").touchesEncryptedColumns());
    assertTrue(analyze("SELECT ssn FROM customers").touchesEncryptedColumns());
  }

  @Test
  void tableStatementExpandsLikeStar() {
    assertEquals(list(null, null, ORDER_SSN, null), results("TABLE orders"));
  }

  @Test
  void valuesRowsArePlain() {
    assertEquals(list(null, null), results("VALUES (1, 'a'), (2, 'b')"));
  }

  @Test
  void cacheReturnsSameInstanceForSameSql() throws Exception {
    String sql = "SELECT ssn FROM customers WHERE email = ?";
    assertTrue(analyzer.analyze(sql) == analyzer.analyze(sql));
  }

  @Test
  void toStringContainsNoSql() {
    String s = analyze("SELECT id FROM customers WHERE ssn = 'secret-123'").toString();
    assertFalse(s.contains("secret-123"));
    assertFalse(s.contains("SELECT"));
  }
}
