package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Parameters written into encrypted columns are told apart from those compared with them, and
 * {@link AnalyzedStatement#rewrite} replaces only the markers it is asked to, next to encrypted
 * literals, at the right places.
 */
class WrittenParameterRewriteTest extends AnalyzerTestSupport {

  private static String wrapAll(AnalyzedStatement a) throws SQLException {
    return a.rewrite((c, v) -> "ENC(" + c.column() + ")", i -> "W" + i + "(?)");
  }

  @Test
  void insertValuesAreWrittenParametersAndOnlyEncryptedOnesAreRewritten() throws SQLException {
    AnalyzedStatement a =
        analyze("INSERT INTO customers (id, name, ssn, card) VALUES (?, ?, ?, ?), (?, ?, ?, ?)");
    for (int i = 1; i <= 8; i++) {
      int column = (i - 1) % 4;
      assertEquals(column >= 2, a.isWrittenParameter(i), "parameter " + i);
    }
    assertEquals(
        "INSERT INTO customers (id, name, ssn, card) VALUES (?, ?, W3(?), W4(?)), (?, ?, W7(?),"
            + " W8(?))",
        wrapAll(a));
  }

  @Test
  void comparedParametersAreNotWrittenParameters() throws SQLException {
    AnalyzedStatement a = analyze("UPDATE customers SET card = ?, name = ? WHERE ssn = ?");
    assertTrue(a.isWrittenParameter(1));
    assertFalse(a.isWrittenParameter(2));
    assertFalse(a.isWrittenParameter(3));
    assertEquals("UPDATE customers SET card = W1(?), name = ? WHERE ssn = ?", wrapAll(a));

    AnalyzedStatement select = analyze("SELECT id FROM customers WHERE ssn IN (?, ?)");
    assertFalse(select.isWrittenParameter(1));
    assertFalse(select.isWrittenParameter(2));
    assertEquals("SELECT id FROM customers WHERE ssn IN (?, ?)", wrapAll(select));
  }

  @Test
  void literalsAndMarkersAreRewrittenTogetherInTextOrder() throws SQLException {
    AnalyzedStatement a =
        analyze("INSERT INTO customers (id, card, ssn, note) VALUES (?, ?, '123-45', ?)");
    assertEquals(
        "INSERT INTO customers (id, card, ssn, note) VALUES (?, W2(?), ENC(ssn), W3(?))",
        wrapAll(a));
    // A marker function that keeps some markers leaves them as written.
    assertEquals(
        "INSERT INTO customers (id, card, ssn, note) VALUES (?, ?, ENC(ssn), W3(?))",
        a.rewrite((c, v) -> "ENC(" + c.column() + ")", i -> i == 3 ? "W3(?)" : null));
    // Without markers, only literals change, as rewriteLiterals does.
    assertEquals(
        a.rewriteLiterals((c, v) -> "ENC(" + c.column() + ")"),
        a.rewrite((c, v) -> "ENC(" + c.column() + ")", null));
  }

  @Test
  void upsertAssignmentsAreWrittenParameters() throws SQLException {
    AnalyzedStatement a =
        analyze(
            "INSERT INTO customers (id, ssn, card) VALUES (?, ?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET card = ?");
    assertFalse(a.isWrittenParameter(1));
    assertTrue(a.isWrittenParameter(2));
    assertTrue(a.isWrittenParameter(3));
    assertTrue(a.isWrittenParameter(4));
  }
}
