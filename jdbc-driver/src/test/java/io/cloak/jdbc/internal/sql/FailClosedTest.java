package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FailClosedTest extends AnalyzerTestSupport {

  // ---- equality on randomized columns

  @Test
  void equalityOnRandomizedColumnIsRefusedWithAdvice() {
    SQLException e =
        refused(
            "SELECT id FROM customers WHERE card = 'secret-123'",
            "customers.card",
            "randomized",
            "'='",
            "deterministic");
    assertTrue(e.getMessage().startsWith("Cloak: customers.card is encrypted (randomized); "));
  }

  @Test
  void equalityWithParameterOnRandomizedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE note = ?", "customers.note", "randomized", "'='");
  }

  @Test
  void notEqualsOnRandomizedColumnIsRefused() {
    refused("DELETE FROM customers WHERE card <> ?", "customers.card", "randomized", "'<>'");
  }

  @Test
  void inListOnRandomizedColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE card IN ('secret-123', 'secret-456')",
        "customers.card",
        "randomized",
        "IN");
  }

  @Test
  void notInOnRandomizedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE note NOT IN (?)", "customers.note", "NOT IN");
  }

  @Test
  void updateWhereOnRandomizedColumnIsRefused() {
    refused("UPDATE customers SET name = ? WHERE card = ?", "customers.card", "randomized");
  }

  // ---- joins

  @Test
  void joinBetweenDifferentEqualityGroupsIsRefused() {
    refused(
        "SELECT c.id FROM customers c JOIN orders o ON c.email = o.customer_ssn",
        "customers.email",
        "deterministic",
        "orders.customer_ssn",
        "equality group");
  }

  @Test
  void joinOnRandomizedColumnIsRefused() {
    refused(
        "SELECT a.id FROM customers a JOIN customers b ON a.card = b.card",
        "customers.card",
        "randomized");
  }

  @Test
  void comparingTwoDifferentEncryptedColumnsOfOneTableIsRefused() {
    refused("SELECT id FROM customers WHERE ssn = email", "customers.ssn", "customers.email");
  }

  @Test
  void encryptedColumnComparedWithPlainColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE ssn = name",
        "customers.ssn",
        "deterministic",
        "computed value or a plain column");
  }

  @Test
  void naturalJoinOverEncryptedColumnsIsRefused() {
    refused("SELECT * FROM customers NATURAL JOIN orders", "is encrypted", "NATURAL JOIN");
  }

  @Test
  void joinUsingIncomparableColumnIsRefused() {
    refused("SELECT c.id FROM customers c JOIN customers d USING (card)", "customers.card");
  }

  // ---- order and pattern operators

  @Test
  void lessThanOnEncryptedColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE ssn < ?",
        "customers.ssn",
        "deterministic",
        "'<'",
        "another column");
  }

  @Test
  void greaterOrEqualWithLiteralIsRefused() {
    refused("SELECT id FROM customers WHERE '1000' >= email", "customers.email", "'>='");
  }

  @Test
  void betweenOnEncryptedColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE ssn BETWEEN 'secret-100' AND 'secret-200'",
        "customers.ssn",
        "BETWEEN");
  }

  @Test
  void likeOnEncryptedColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE email LIKE 'secret-%'",
        "customers.email", "deterministic", "LIKE", "decrypt");
  }

  @Test
  void ilikeOnEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE email ILIKE ?", "customers.email", "ILIKE");
  }

  @Test
  void similarToOnEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE ssn SIMILAR TO ?", "customers.ssn", "SIMILAR TO");
  }

  @Test
  void regexMatchOnEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE note ~ ?", "customers.note", "randomized", "'~'");
  }

  @Test
  void mysqlRegexpOnEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE ssn REGEXP ?", "customers.ssn", "REGEXP");
  }

  @Test
  void isNullAndIsNotNullAreAllowedForEveryMode() {
    assertTrue(
        analyze("SELECT id FROM customers WHERE card IS NULL OR note IS NOT NULL")
            .touchesEncryptedColumns());
  }

  // ---- functions and arithmetic

  @Test
  void functionOnEncryptedColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE LOWER(email) = 'secret-mail'",
        "customers.email",
        "function LOWER()",
        "ciphertext");
  }

  @Test
  void arithmeticOnEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE ssn + 1 = ?", "customers.ssn", "operator '+'");
  }

  @Test
  void encryptedColumnComparedWithFunctionOfParameterIsRefused() {
    refused("SELECT id FROM customers WHERE ssn = LOWER(?)", "customers.ssn", "computed value");
  }

  @Test
  void castOfEncryptedColumnIsRefused() {
    refused("SELECT CAST(ssn AS VARCHAR(20)) FROM customers", "customers.ssn", "cast");
  }

  @Test
  void aggregateOtherThanCountIsRefused() {
    refused("SELECT MAX(ssn) FROM customers", "customers.ssn", "function MAX()");
  }

  @Test
  void countDistinctOnRandomizedColumnIsRefused() {
    refused("SELECT COUNT(DISTINCT card) FROM customers", "customers.card", "COUNT(DISTINCT");
  }

  @Test
  void concatenationInSelectListIsRefused() {
    refused("SELECT name || ssn FROM customers", "customers.ssn", "operator '||'");
  }

  @Test
  void caseOnEncryptedColumnIsRefused() {
    refused("SELECT CASE ssn WHEN 'secret-123' THEN 1 END FROM customers", "customers.ssn", "CASE");
  }

  @Test
  void caseReturningEncryptedColumnIsRefused() {
    refused("SELECT CASE WHEN id > 1 THEN card END FROM customers", "customers.card", "CASE");
  }

  @Test
  void windowFunctionOverEncryptedColumnIsRefused() {
    refused(
        "SELECT ROW_NUMBER() OVER (PARTITION BY ssn ORDER BY id) FROM customers", "customers.ssn");
  }

  @Test
  void coalesceWithParameterIsRefused() {
    refused("SELECT id FROM customers WHERE COALESCE(ssn, ?) = ?", "customers.ssn", "COALESCE");
  }

  @Test
  void encryptedColumnAsBooleanConditionIsRefused() {
    refused("SELECT id FROM customers WHERE card", "customers.card");
  }

  @Test
  void anyArrayComparisonIsRefused() {
    refused("SELECT id FROM customers WHERE ssn = ANY (?)", "customers.ssn");
  }

  // ---- subqueries

  @Test
  void inSubqueryOverIncomparableColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE email IN (SELECT customer_ssn FROM orders)",
        "customers.email",
        "orders.customer_ssn");
  }

  @Test
  void inSubqueryOverPlainColumnIsRefused() {
    refused(
        "SELECT id FROM customers WHERE ssn IN (SELECT a FROM plain_table)",
        "customers.ssn",
        "computed value or a plain column");
  }

  @Test
  void plainColumnInSubqueryOverEncryptedColumnIsRefused() {
    refused("SELECT a FROM plain_table WHERE a IN (SELECT ssn FROM customers)", "customers.ssn");
  }

  @Test
  void derivedTableWithFunctionOverEncryptedColumnIsRefused() {
    refused(
        "SELECT x FROM (SELECT UPPER(email) AS x FROM customers) s",
        "customers.email",
        "function UPPER()");
  }

  // ---- writes

  @Test
  void updateSetToFunctionIsRefused() {
    refused(
        "UPDATE customers SET ssn = UPPER(?) WHERE id = ?",
        "customers.ssn",
        "UPDATE ... SET",
        "parameter");
  }

  @Test
  void updateSetToArithmeticIsRefused() {
    refused("UPDATE customers SET card = card || 'x' WHERE id = 1", "customers.card");
  }

  @Test
  void updateSetToAnotherEncryptedColumnIsRefused() {
    refused("UPDATE customers SET ssn = email", "customers.ssn", "customers.email");
  }

  @Test
  void updateSetToPlainColumnIsRefused() {
    refused("UPDATE customers SET note = name", "customers.note", "UPDATE ... SET");
  }

  @Test
  void updateSetPlainColumnToEncryptedColumnIsRefused() {
    refused("UPDATE customers SET name = ssn", "customers.ssn", "plain column");
  }

  @Test
  void updateSetToSameColumnIsAllowed() {
    assertTrue(analyze("UPDATE customers SET ssn = ssn WHERE id = ?").touchesEncryptedColumns());
  }

  @Test
  void updateSetFromOtherRowOfSameColumnIsRefused() {
    refused(
        "UPDATE customers SET ssn = (SELECT c2.ssn FROM customers c2 WHERE c2.id = 1)",
        "customers.ssn");
  }

  @Test
  void insertSelectOfColumnIntoEncryptedColumnIsRefused() {
    refused(
        "INSERT INTO customers (id, ssn) SELECT id, customer_ssn FROM orders",
        "customers.ssn",
        "orders.customer_ssn");
  }

  @Test
  void insertSelectOfPlainColumnIntoEncryptedColumnIsRefused() {
    refused(
        "INSERT INTO customers (id, card) SELECT a, b FROM plain_table",
        "customers.card",
        "randomized",
        "INSERT");
  }

  @Test
  void insertSelectOfSameColumnIsRefused() {
    refused("INSERT INTO customers (ssn) SELECT ssn FROM customers", "customers.ssn");
  }

  @Test
  void insertSelectCopyingCiphertextIntoPlainTableIsRefused() {
    refused(
        "INSERT INTO plain_table (a, b) SELECT id, ssn FROM customers",
        "customers.ssn",
        "plain column plain_table.b");
  }

  @Test
  void insertOfFunctionValueIsRefused() {
    refused(
        "INSERT INTO customers (id, email) VALUES (?, LOWER('secret-mail'))", "customers.email");
  }

  @Test
  void insertThroughCteParameterIsRefused() {
    refused(
        "WITH src AS (SELECT ? AS s) INSERT INTO customers (ssn) SELECT s FROM src",
        "customers.ssn");
  }

  @Test
  void insertWithMoreValuesThanColumnsIsRefused() {
    refused("INSERT INTO customers (id, ssn) VALUES (?, ?, ?)", "customers.ssn");
  }

  @Test
  void insertWithoutColumnListIntoTableWithUnknownColumnsIsRefused() {
    refused(
        "INSERT INTO legacy VALUES (?, ?)",
        "legacy.token",
        "randomized",
        "columns of its table are unknown");
  }

  @Test
  void insertWithColumnListIntoTableWithUnknownColumnsIsAllowed() {
    assertEquals(
        CARD.mode(), analyze("INSERT INTO legacy (id, token) VALUES (?, ?)").parameter(2).mode());
  }

  @Test
  void insertSelectStarFromUnknownTableIntoEncryptedColumnsIsRefused() {
    refused("INSERT INTO customers SELECT * FROM staging", "customers.");
  }

  @Test
  void mergeIntoTableWithEncryptedColumnsIsRefused() {
    refused(
        "MERGE INTO customers c USING (SELECT ? AS id) s ON c.id = s.id"
            + " WHEN MATCHED THEN UPDATE SET ssn = ?",
        "customers.",
        "MERGE");
  }

  @Test
  void mergeIntoPlainTableIsAllowed() {
    AnalyzedStatement a =
        analyze(
            "MERGE INTO plain_table p USING (SELECT ? AS a) s ON p.a = s.a"
                + " WHEN MATCHED THEN UPDATE SET b = ?");
    assertEquals(2, a.parameterCount());
  }

  // ---- select list, grouping, ordering

  @Test
  void orderByEncryptedColumnIsRefusedForDeterministicToo() {
    refused(
        "SELECT id FROM customers ORDER BY ssn",
        "customers.ssn",
        "deterministic",
        "ORDER BY",
        "meaningless",
        "Sort in the application");
  }

  @Test
  void orderByAliasOfEncryptedColumnIsRefused() {
    refused("SELECT email AS m FROM customers ORDER BY m DESC", "customers.email", "ORDER BY");
  }

  @Test
  void orderByPositionOfEncryptedColumnIsRefused() {
    refused("SELECT id, card FROM customers ORDER BY 2", "customers.card", "ORDER BY");
  }

  @Test
  void orderByPositionOfPlainColumnIsAllowed() {
    assertTrue(analyze("SELECT id, card FROM customers ORDER BY 1").touchesEncryptedColumns());
  }

  @Test
  void orderByOnUnionResultIsRefused() {
    refused(
        "SELECT ssn FROM customers UNION ALL SELECT customer_ssn FROM orders ORDER BY 1",
        "customers.ssn");
  }

  @Test
  void groupByRandomizedColumnIsRefused() {
    refused(
        "SELECT card, COUNT(*) FROM customers GROUP BY card",
        "customers.card",
        "randomized",
        "GROUP BY");
  }

  @Test
  void groupByDeterministicColumnIsAllowed() {
    assertEquals(
        list(SSN, null),
        analyze("SELECT ssn, COUNT(*) FROM customers GROUP BY ssn").resultColumns());
  }

  @Test
  void groupByPositionOfRandomizedColumnIsRefused() {
    refused("SELECT note, COUNT(*) FROM customers GROUP BY 1", "customers.note", "GROUP BY");
  }

  @Test
  void distinctOnRandomizedColumnIsRefused() {
    refused("SELECT DISTINCT card FROM customers", "customers.card", "DISTINCT");
  }

  @Test
  void distinctOnDeterministicColumnIsAllowed() {
    assertEquals(list(EMAIL), analyze("SELECT DISTINCT email FROM customers").resultColumns());
  }

  @Test
  void havingWithFunctionOfEncryptedColumnIsRefused() {
    refused(
        "SELECT ssn FROM customers GROUP BY ssn HAVING MIN(email) = ?",
        "customers.email",
        "function MIN()");
  }

  @Test
  void havingComparingDeterministicColumnMapsParameter() {
    assertEquals(
        list(SSN, null),
        params("SELECT ssn FROM customers GROUP BY ssn HAVING ssn <> ? AND COUNT(*) > ?"));
  }

  // ---- unions

  @Test
  void unionMixingEncryptedAndPlainIsRefused() {
    refused(
        "SELECT ssn FROM customers UNION ALL SELECT name FROM customers",
        "customers.ssn",
        "result column 1");
  }

  @Test
  void unionMixingTwoEncryptedColumnsIsRefused() {
    refused(
        "SELECT ssn FROM customers UNION ALL SELECT customer_ssn FROM orders",
        "customers.ssn",
        "result column 1");
  }

  @Test
  void unionDistinctOfRandomizedColumnIsRefused() {
    refused("SELECT card FROM customers UNION SELECT card FROM customers", "customers.card");
  }

  // ---- names

  @Test
  void ambiguousUnqualifiedEncryptedColumnIsRefused() {
    refused(
        "SELECT a.id FROM customers a JOIN customers b ON a.id = b.id WHERE ssn = ?",
        "customers.ssn",
        "ambiguous",
        "Qualify");
  }

  @Test
  void unqualifiedColumnNextToTableWithUnknownColumnsIsRefused() {
    refused("SELECT c.id FROM customers c, staging s WHERE ssn = ?", "customers.ssn", "ambiguous");
  }

  @Test
  void unknownQualifierOnEncryptedColumnNameIsRefused() {
    refused("SELECT c.id FROM customers c WHERE x.ssn = ?", "x.ssn", "encrypted");
  }

  @Test
  void starOverTableWithUnknownColumnsAndEncryptedColumnIsRefused() {
    refused("SELECT * FROM legacy", "legacy.token", "unknown");
  }

  @Test
  void starOverJoinUsingWithEncryptedColumnsIsRefused() {
    refused("SELECT * FROM customers JOIN orders USING (id)", "customers.", "USING");
  }

  @Test
  void wholeRowReferenceIsRefused() {
    refused("SELECT c FROM customers c", "customers.", "whole-row");
  }

  @Test
  void encryptedColumnAfterUnknownWidthStarIsRefused() {
    refused("SELECT s.*, c.ssn FROM staging s, customers c", "customers.ssn", "position");
  }

  @Test
  void pivotOverEncryptedColumnsIsRefused() {
    refused("SELECT * FROM customers PIVOT (COUNT(id) FOR name IN ('a', 'b'))", "customers.");
  }

  @Test
  void subscriptOfEncryptedColumnIsRefused() {
    refused("SELECT ssn[1] FROM customers", "customers.ssn");
  }

  // ---- messages

  @Test
  void messagesNeverContainLiterals() {
    SQLException e =
        refused(
            "UPDATE customers SET ssn = CONCAT('secret-123', ?) WHERE id = 7",
            "customers.ssn",
            "deterministic");
    assertTrue(!e.getMessage().contains("secret-123"));
  }

  @Test
  void refusalsAreCachedButThrownAfresh() {
    SQLException first = refused("SELECT id FROM customers ORDER BY ssn", "customers.ssn");
    SQLException second = refused("SELECT id FROM customers ORDER BY ssn", "customers.ssn");
    assertEquals(first.getMessage(), second.getMessage());
    assertTrue(first != second);
  }
}
