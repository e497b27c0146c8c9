package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared helpers for the analyser tests. */
abstract class AnalyzerTestSupport {
  static final EncryptedColumn SSN = col("customers", "ssn");
  static final EncryptedColumn EMAIL = col("customers", "email");
  static final EncryptedColumn CARD = col("customers", "card");
  static final EncryptedColumn NOTE = col("customers", "note");
  static final EncryptedColumn ORDER_SSN = col("orders", "customer_ssn");

  final StatementAnalyzer analyzer = new StatementAnalyzer(new TestSchema());

  private static EncryptedColumn col(String table, String column) {
    return new TestSchema().encryptedColumn(null, table, column);
  }

  AnalyzedStatement analyze(String sql) {
    try {
      return analyzer.analyze(sql);
    } catch (SQLException e) {
      throw new AssertionError("unexpected refusal: " + e.getMessage(), e);
    }
  }

  /** Parameters 1..n as a list (null = plain). */
  List<EncryptedColumn> params(String sql) {
    AnalyzedStatement a = analyze(sql);
    List<EncryptedColumn> out = new ArrayList<>();
    for (int i = 1; i <= a.parameterCount(); i++) {
      out.add(a.parameter(i));
    }
    return out;
  }

  static List<EncryptedColumn> list(EncryptedColumn... columns) {
    return java.util.Arrays.asList(columns);
  }

  /**
   * Asserts the SQL is refused with SQLState 0A000, and that the message names each expected
   * fragment but contains no string literal of the SQL.
   */
  SQLException refused(String sql, String... expectedFragments) {
    SQLException e = assertThrows(SQLException.class, () -> analyzer.analyze(sql), sql);
    assertEquals("0A000", e.getSQLState(), e.getMessage());
    for (String f : expectedFragments) {
      assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }
    Matcher m = Pattern.compile("'((?:[^']|'')+)'").matcher(sql);
    while (m.find()) {
      String literal = m.group(1);
      if (literal.length() >= 4) {
        assertFalse(e.getMessage().contains(literal), "message leaks a literal: " + e.getMessage());
      }
    }
    assertFalse(e.getMessage().contains(sql), "message contains the SQL text");
    return e;
  }
}
