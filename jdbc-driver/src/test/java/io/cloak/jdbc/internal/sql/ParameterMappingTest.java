package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParameterMappingTest extends AnalyzerTestSupport {

  @Test
  void insertWithColumnListMapsParametersByPosition() {
    assertEquals(
        list(null, null, SSN, CARD),
        params("INSERT INTO customers (id, name, ssn, card) VALUES (?, ?, ?, ?)"));
  }

  @Test
  void insertWithReorderedColumnListFollowsTheList() {
    assertEquals(
        list(CARD, null, SSN), params("INSERT INTO customers (card, id, ssn) VALUES (?, ?, ?)"));
  }

  @Test
  void multiRowInsertMapsEveryRow() {
    assertEquals(
        list(null, SSN, null, SSN, null, SSN),
        params("INSERT INTO customers (id, ssn) VALUES (?, ?), (?, ?), (?, ?)"));
  }

  @Test
  void insertWithoutColumnListUsesTableColumnOrder() {
    assertEquals(
        list(null, null, SSN, EMAIL, CARD, NOTE),
        params("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?)"));
  }

  @Test
  void insertWithoutColumnListAndFewerValuesMapsLeadingColumns() {
    assertEquals(list(null, null, SSN), params("INSERT INTO customers VALUES (?, ?, ?)"));
  }

  @Test
  void insertOfNullAndParametersIsAllowed() {
    assertEquals(
        list(null, SSN), params("INSERT INTO customers (id, ssn, card) VALUES (?, ?, NULL)"));
  }

  @Test
  void insertSelectOfParametersMapsToTargetColumns() {
    assertEquals(
        list(null, SSN, null),
        params("INSERT INTO customers (id, ssn) SELECT ?, ? FROM plain_table WHERE a = ?"));
  }

  @Test
  void insertIntoPlainTableHasOnlyPlainParameters() {
    AnalyzedStatement a = analyze("INSERT INTO plain_table (a, b) VALUES (?, ?)");
    assertEquals(list(null, null), params("INSERT INTO plain_table (a, b) VALUES (?, ?)"));
    assertFalse(a.touchesEncryptedColumns());
  }

  @Test
  void insertIntoPlainColumnsOfEncryptedTableDoesNotTouchEncryption() {
    assertFalse(
        analyze("INSERT INTO customers (id, name) VALUES (?, ?)").touchesEncryptedColumns());
  }

  @Test
  void updateMapsSetBeforeWhereInTextualOrder() {
    assertEquals(
        list(CARD, null, SSN, null),
        params("UPDATE customers SET card = ?, name = ? WHERE ssn = ? AND id = ?"));
  }

  @Test
  void updateWithRowAssignmentMapsEachColumn() {
    assertEquals(
        list(SSN, null, null), params("UPDATE customers SET (ssn, name) = (?, ?) WHERE id = ?"));
  }

  @Test
  void updateSettingEncryptedColumnToNullIsAllowed() {
    assertEquals(
        list((EncryptedColumn) null), params("UPDATE customers SET card = NULL WHERE id = ?"));
  }

  @Test
  void updateWithTableAliasResolvesQualifiedTargets() {
    assertEquals(list(EMAIL, SSN), params("UPDATE customers c SET c.email = ? WHERE c.ssn = ?"));
  }

  @Test
  void updateFromAnotherTableComparesAcrossSharedGroup() {
    assertEquals(
        list(NOTE, null),
        params(
            "UPDATE customers SET note = ? FROM orders o WHERE o.customer_ssn = customers.ssn"
                + " AND o.total > ?"));
  }

  @Test
  void deleteMapsWhereParameters() {
    assertEquals(
        list(SSN, EMAIL, null),
        params("DELETE FROM customers WHERE ssn = ? AND email <> ? AND id > ?"));
  }

  @Test
  void deleteWithIsNullOnRandomizedColumnIsAllowed() {
    AnalyzedStatement a = analyze("DELETE FROM customers WHERE card IS NULL AND id = ?");
    assertNull(a.parameter(1));
    assertTrue(a.touchesEncryptedColumns());
  }

  @Test
  void selectWhereEqualsMapsParameter() {
    assertEquals(list(SSN), params("SELECT id FROM customers WHERE ssn = ?"));
  }

  @Test
  void parameterOnTheLeftOfEqualsMapsToo() {
    assertEquals(list(SSN), params("SELECT id FROM customers WHERE ? = ssn"));
  }

  @Test
  void notEqualsBothSpellingsMap() {
    assertEquals(
        list(SSN, EMAIL), params("SELECT id FROM customers WHERE ssn <> ? AND email != ?"));
  }

  @Test
  void isDistinctFromMapsLikeEquality() {
    assertEquals(list(SSN), params("SELECT id FROM customers WHERE ssn IS DISTINCT FROM ?"));
  }

  @Test
  void inListMapsEveryParameter() {
    assertEquals(
        list(SSN, SSN, SSN, null),
        params("SELECT id FROM customers WHERE ssn IN (?, ?, ?) AND id = ?"));
  }

  @Test
  void notInListMapsEveryParameter() {
    assertEquals(list(EMAIL, EMAIL), params("SELECT id FROM customers WHERE email NOT IN (?, ?)"));
  }

  @Test
  void inListFollowedByOtherConditionsStillMapsThem() {
    // JSqlParser 5.3 nests the trailing conditions inside the IN list; the analyser repairs it.
    assertEquals(
        list(SSN, null, EMAIL, null),
        params("SELECT id FROM customers WHERE ssn IN (?) AND id = ? OR email = ? AND name = ?"));
  }

  @Test
  void notBeforeInListIsHandled() {
    assertEquals(
        list(SSN, null), params("SELECT id FROM customers WHERE NOT ssn IN (?) AND id = ?"));
  }

  @Test
  void parametersInLimitAndOffsetArePlainAndCounted() {
    AnalyzedStatement a = analyze("SELECT id FROM customers WHERE ssn = ? LIMIT ? OFFSET ?");
    assertEquals(3, a.parameterCount());
    assertEquals(SSN, a.parameter(1));
    assertNull(a.parameter(2));
    assertNull(a.parameter(3));
  }

  @Test
  void subqueryInWhereMapsItsParameters() {
    assertEquals(
        list(null, ORDER_SSN, EMAIL),
        params(
            "SELECT id FROM customers c WHERE c.id IN (SELECT customer_id FROM orders"
                + " WHERE total > ? AND customer_ssn = ?) AND c.email = ?"));
  }

  @Test
  void inSubqueryOverComparableColumnIsAllowed() {
    assertEquals(
        list((EncryptedColumn) null),
        params(
            "SELECT id FROM customers WHERE ssn IN (SELECT customer_ssn FROM orders WHERE"
                + " total > ?)"));
  }

  @Test
  void existsSubqueryWithCorrelationMapsParameters() {
    assertEquals(
        list(ORDER_SSN, SSN),
        params(
            "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE"
                + " o.customer_ssn = ? AND o.customer_ssn = c.ssn) AND c.ssn <> ?"));
  }

  @Test
  void scalarSubqueryComparedWithComparableColumnIsAllowed() {
    assertEquals(
        list((EncryptedColumn) null),
        params(
            "SELECT id FROM customers WHERE ssn = (SELECT customer_ssn FROM orders WHERE id = ?)"));
  }

  @Test
  void parameterComparedWithSubqueryItemMapsToThatColumn() {
    assertEquals(
        list(SSN), params("SELECT id FROM customers WHERE ssn IN (SELECT ? FROM plain_table)"));
  }

  @Test
  void rowValueComparisonMapsPairwise() {
    assertEquals(list(SSN, null), params("SELECT id FROM customers WHERE (ssn, name) = (?, ?)"));
  }

  @Test
  void rowValueInListMapsPairwise() {
    assertEquals(
        list(SSN, null, SSN, null),
        params("SELECT id FROM customers WHERE (ssn, name) IN ((?, ?), (?, ?))"));
  }

  @Test
  void comparisonInsideCaseWhenMapsParameter() {
    assertEquals(list(SSN), params("SELECT CASE WHEN ssn = ? THEN 1 ELSE 0 END FROM customers"));
  }

  @Test
  void parametersInFunctionsOfPlainColumnsArePlain() {
    assertEquals(
        list(null, SSN),
        params("SELECT id FROM customers WHERE LOWER(name) = LOWER(?) AND ssn = ?"));
  }

  @Test
  void joinOnSharedGroupIsAllowed() {
    assertEquals(
        list(SSN),
        params(
            "SELECT o.id FROM customers c JOIN orders o ON o.customer_ssn = c.ssn WHERE c.ssn = ?"));
  }

  @Test
  void leftJoinOnSharedGroupIsAllowed() {
    assertTrue(
        analyze("SELECT c.id FROM customers c LEFT JOIN orders o ON c.ssn = o.customer_ssn")
            .touchesEncryptedColumns());
  }

  @Test
  void selfJoinOnSameDeterministicColumnIsAllowed() {
    assertTrue(
        analyze("SELECT a.id FROM customers a JOIN customers b ON a.email = b.email")
            .touchesEncryptedColumns());
  }

  @Test
  void joinUsingOnComparableColumnsIsAllowed() {
    assertTrue(
        analyze("SELECT c.id FROM customers c JOIN customers d USING (ssn)")
            .touchesEncryptedColumns());
  }

  @Test
  void derivedTableColumnMapsToUnderlyingColumn() {
    assertEquals(
        list(SSN), params("SELECT s.x FROM (SELECT ssn AS x FROM customers) s WHERE s.x = ?"));
  }

  @Test
  void derivedTableColumnListRenamesColumns() {
    assertEquals(
        list(SSN), params("SELECT y FROM (SELECT id, ssn FROM customers) AS s(x, y) WHERE y = ?"));
  }

  @Test
  void cteColumnMapsToUnderlyingColumn() {
    assertEquals(
        list(null, EMAIL),
        params(
            "WITH recent AS (SELECT id, email AS mail FROM customers WHERE id > ?)"
                + " SELECT id FROM recent WHERE mail = ?"));
  }

  @Test
  void cteWithColumnListMapsToUnderlyingColumn() {
    assertEquals(
        list(SSN),
        params("WITH r (k, s) AS (SELECT id, ssn FROM customers) SELECT k FROM r WHERE s = ?"));
  }

  @Test
  void quotedAndSchemaQualifiedNamesResolve() {
    assertEquals(
        list(SSN, EMAIL),
        params(
            "SELECT \"C\".\"ID\" FROM public.\"Customers\" \"C\" WHERE \"C\".\"SSN\" = ?"
                + " AND public.customers.email = ?"));
  }

  @Test
  void backtickQuotedNamesResolve() {
    assertEquals(list(SSN), params("SELECT `id` FROM `customers` WHERE `ssn` = ?"));
  }

  @Test
  void unknownSchemaMeansUnknownTable() {
    assertEquals(
        list((EncryptedColumn) null), params("SELECT id FROM other.customers WHERE ssn = ?"));
  }

  @Test
  void correlatedSubqueryResolvesOuterColumns() {
    assertEquals(
        list(EMAIL),
        params(
            "SELECT id FROM customers c WHERE (SELECT COUNT(*) FROM orders o WHERE"
                + " o.customer_ssn = c.ssn) > 0 AND email = ?"));
  }

  @Test
  void parametersOfTwoPlainStatementsAreCountedAcrossBoth() {
    AnalyzedStatement a =
        analyze("UPDATE plain_table SET a = ?; DELETE FROM plain_table WHERE b = ?");
    assertEquals(2, a.parameterCount());
    assertFalse(a.touchesEncryptedColumns());
  }

  @Test
  void parameterIndexOutOfRangeIsPlain() {
    AnalyzedStatement a = analyze("SELECT id FROM customers WHERE ssn = ?");
    assertNull(a.parameter(0));
    assertNull(a.parameter(2));
  }
}
