package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpsertTest extends AnalyzerTestSupport {

  @Test
  void postgresOnConflictWithExcludedSameColumnIsAllowed() {
    assertEquals(
        list(null, SSN, CARD),
        params(
            "INSERT INTO customers (id, ssn, card) VALUES (?, ?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET ssn = EXCLUDED.ssn, card = excluded.card"));
  }

  @Test
  void postgresOnConflictWithParameterMapsIt() {
    assertEquals(
        list(null, SSN, NOTE, null),
        params(
            "INSERT INTO customers (id, ssn) VALUES (?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET note = ?, name = ?"));
  }

  @Test
  void postgresOnConflictWhereClauseIsChecked() {
    assertEquals(
        list(null, SSN, EMAIL),
        params(
            "INSERT INTO customers (id, ssn) VALUES (?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET name = EXCLUDED.name WHERE customers.email = ?"));
  }

  @Test
  void postgresOnConflictDoNothingIsAllowed() {
    assertEquals(
        list(null, SSN),
        params("INSERT INTO customers (id, ssn) VALUES (?, ?) ON CONFLICT (ssn) DO NOTHING"));
  }

  @Test
  void postgresOnConflictWithOtherExcludedColumnIsRefused() {
    refused(
        "INSERT INTO customers (id, ssn, email) VALUES (?, ?, ?) ON CONFLICT (id)"
            + " DO UPDATE SET ssn = EXCLUDED.email",
        "customers.ssn",
        "customers.email");
  }

  @Test
  void postgresOnConflictWithFunctionIsRefused() {
    refused(
        "INSERT INTO customers (id, card) VALUES (?, ?) ON CONFLICT (id)"
            + " DO UPDATE SET card = COALESCE(EXCLUDED.card, customers.card)",
        "customers.card",
        "randomized");
  }

  @Test
  void postgresOnConflictCopyingCiphertextToPlainColumnIsRefused() {
    refused(
        "INSERT INTO customers (id, ssn) VALUES (?, ?) ON CONFLICT (id)"
            + " DO UPDATE SET name = EXCLUDED.ssn",
        "customers.ssn",
        "plain column");
  }

  @Test
  void postgresOnConflictWithReturningMapsResults() {
    AnalyzedStatement a =
        analyze(
            "INSERT INTO customers (id, email) VALUES (?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET email = EXCLUDED.email RETURNING id, email");
    assertEquals(list(null, EMAIL), a.resultColumns());
  }

  @Test
  void mysqlOnDuplicateKeyWithValuesOfSameColumnIsAllowed() {
    assertEquals(
        list(null, SSN, NOTE),
        params(
            "INSERT INTO customers (id, ssn, note) VALUES (?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE ssn = VALUES(ssn), note = VALUES(note)"));
  }

  @Test
  void mysqlOnDuplicateKeyWithParameterMapsIt() {
    assertEquals(
        list(null, SSN, CARD, null),
        params(
            "INSERT INTO customers (id, ssn) VALUES (?, ?)"
                + " ON DUPLICATE KEY UPDATE card = ?, name = ?"));
  }

  @Test
  void mysqlOnDuplicateKeyWithValuesOfOtherColumnIsRefused() {
    refused(
        "INSERT INTO customers (id, ssn, email) VALUES (?, ?, ?)"
            + " ON DUPLICATE KEY UPDATE ssn = VALUES(email)",
        "customers.ssn",
        "customers.email");
  }

  @Test
  void mysqlOnDuplicateKeyWithExpressionIsRefused() {
    refused(
        "INSERT INTO customers (id, note) VALUES (?, ?)"
            + " ON DUPLICATE KEY UPDATE note = CONCAT(note, VALUES(note))",
        "customers.note",
        "randomized");
  }

  @Test
  void mysqlInsertSetSyntaxMapsParameters() {
    assertEquals(list(null, EMAIL), params("INSERT INTO customers SET id = ?, email = ?"));
  }

  @Test
  void mysqlInsertSetWithFunctionIsRefused() {
    refused("INSERT INTO customers SET id = 1, email = LOWER(?)", "customers.email");
  }

  @Test
  void replaceIntoMapsParameters() {
    assertEquals(list(null, SSN), params("REPLACE INTO customers (id, ssn) VALUES (?, ?)"));
  }

  @Test
  void mysqlRowAliasSyntaxIsRefusedBecauseItCannotBeParsed() {
    // JSqlParser 5.3 cannot parse MySQL 8's "VALUES (...) AS new"; it mentions ssn, so fail closed.
    refused(
        "INSERT INTO customers (id, ssn) VALUES (?, ?) AS new ON DUPLICATE KEY UPDATE ssn = new.ssn",
        "ssn",
        "cannot analyse");
  }

  @Test
  void h2MergeKeySyntaxTouchingEncryptedTableIsRefused() {
    // JSqlParser 5.3 cannot parse H2's MERGE INTO ... KEY (...) VALUES; the table has encrypted
    // columns, so the statement fails closed even though no encrypted column is named.
    refused("MERGE INTO customers KEY (id) VALUES (?, ?, ?, ?, ?, ?)", "customers.", "parser");
  }

  @Test
  void h2MergeKeySyntaxOnPlainTablePassesThrough() {
    AnalyzedStatement a = analyze("MERGE INTO plain_table KEY (a) VALUES (?, ?)");
    assertEquals(2, a.parameterCount());
    assertTrue(!a.touchesEncryptedColumns());
  }
}
