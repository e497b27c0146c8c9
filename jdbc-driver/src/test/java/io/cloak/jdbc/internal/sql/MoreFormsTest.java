package io.cloak.jdbc.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MoreFormsTest extends AnalyzerTestSupport {

  @Test
  void insertDefaultKeywordIntoEncryptedColumnIsAllowed() {
    assertEquals(
        list(null, SSN), params("INSERT INTO customers (id, card, ssn) VALUES (?, DEFAULT, ?)"));
  }

  @Test
  void insertDefaultValuesIsAllowed() {
    assertEquals(0, analyze("INSERT INTO customers DEFAULT VALUES").parameterCount());
  }

  @Test
  void schemaQualifiedInsertTargetMaps() {
    assertEquals(
        list(null, EMAIL), params("INSERT INTO public.customers (id, email) VALUES (?, ?)"));
  }

  @Test
  void groupByAliasOfRandomizedColumnIsRefused() {
    refused("SELECT card AS k, COUNT(*) FROM customers GROUP BY k", "customers.card", "GROUP BY");
  }

  @Test
  void distinctOnRandomizedColumnExpressionIsRefused() {
    refused("SELECT DISTINCT ON (note) id FROM customers", "customers.note", "DISTINCT ON");
  }

  @Test
  void mysqlUpdateOrderByEncryptedColumnIsRefused() {
    refused("UPDATE customers SET name = ? ORDER BY ssn LIMIT 1", "customers.ssn", "ORDER BY");
  }

  @Test
  void deleteUsingJoinOnSharedGroupMapsParameters() {
    assertEquals(
        list(ORDER_SSN),
        params(
            "DELETE FROM customers USING orders o WHERE o.customer_ssn = customers.ssn AND"
                + " o.customer_ssn = ?"));
  }

  @Test
  void selectForUpdateMapsParameter() {
    assertEquals(list(SSN), params("SELECT id FROM customers WHERE ssn = ? FOR UPDATE"));
  }

  @Test
  void questionMarkInsideStringIsNotAParameter() {
    AnalyzedStatement a = analyze("SELECT id FROM customers WHERE name = '?' AND ssn = ?");
    assertEquals(1, a.parameterCount());
    assertEquals(SSN, a.parameter(1));
  }

  @Test
  void postgresCastOfParameterComparedWithEncryptedColumnIsRefused() {
    refused("SELECT id FROM customers WHERE ssn = ?::text", "customers.ssn", "computed value");
  }

  @Test
  void cteWithInsertReturningMapsResultColumns() {
    AnalyzedStatement a =
        analyze(
            "WITH ins AS (INSERT INTO customers (id, ssn) VALUES (?, ?) RETURNING id, ssn)"
                + " SELECT ssn, id FROM ins");
    assertEquals(SSN, a.parameter(2));
    assertEquals(list(SSN, null), a.resultColumns());
  }

  @Test
  void parametersInNestedSubqueriesAreNumberedInTextOrder() {
    assertEquals(
        list(null, EMAIL, ORDER_SSN, null, SSN),
        params(
            "SELECT (SELECT COUNT(*) FROM orders WHERE total > ?) AS n FROM customers c"
                + " WHERE c.email = ? AND c.id IN (SELECT customer_id FROM orders o"
                + " WHERE o.customer_ssn = ? AND o.total < ?) AND c.ssn = ?"));
  }

  @Test
  void inSubqueryFollowedByConditionIsRepaired() {
    assertEquals(
        list(null, SSN),
        params(
            "SELECT id FROM customers WHERE ssn IN (SELECT customer_ssn FROM orders WHERE total >"
                + " ?) AND email IS NOT NULL AND ssn <> ?"));
  }

  @Test
  void mixedLiteralsAndParametersInInList() {
    AnalyzedStatement a = analyze("SELECT id FROM customers WHERE ssn IN ('123', ?, NULL)");
    assertEquals(SSN, a.parameter(1));
    assertTrue(a.hasLiteralsToEncrypt());
  }

  @Test
  void longGeneratedOrChainIsAnalysed() {
    StringBuilder sql = new StringBuilder("SELECT id FROM customers WHERE ssn = ?");
    for (int i = 0; i < 400; i++) {
      sql.append(" OR ssn = ?");
    }
    AnalyzedStatement a = analyze(sql.toString());
    assertEquals(401, a.parameterCount());
    assertEquals(SSN, a.parameter(401));
  }

  @Test
  void longInListIsAnalysed() {
    StringBuilder sql = new StringBuilder("SELECT id FROM customers WHERE email IN (?");
    for (int i = 0; i < 999; i++) {
      sql.append(", ?");
    }
    AnalyzedStatement a = analyze(sql.append(")").toString());
    assertEquals(1000, a.parameterCount());
    assertEquals(EMAIL, a.parameter(1000));
  }

  @Test
  void jdbcEscapeDateLiteralIsConverted() throws Exception {
    List<Object> values = new ArrayList<>();
    analyze("UPDATE customers SET card = {d '2024-01-02'} WHERE id = -5")
        .rewriteLiterals(
            (c, v) -> {
              values.add(v);
              return "X''";
            });
    assertEquals(List.of(LocalDate.of(2024, 1, 2)), values);
  }

  @Test
  void negativeIntegerLiteralIsConverted() throws Exception {
    List<Object> values = new ArrayList<>();
    String out =
        analyze("SELECT id FROM customers WHERE ssn = -42")
            .rewriteLiterals(
                (c, v) -> {
                  values.add(v);
                  return "X'00'";
                });
    assertEquals(List.of(-42L), values);
    assertEquals("SELECT id FROM customers WHERE ssn = X'00'", out);
  }

  @Test
  void onConflictTargetWhereIsChecked() {
    refused(
        "INSERT INTO customers (id, ssn) VALUES (?, ?) ON CONFLICT (ssn) WHERE card = ? DO NOTHING",
        "customers.card",
        "randomized");
  }

  @Test
  void encryptedColumnInsideExistsSelectListIsAllowed() {
    assertEquals(
        list(SSN),
        params(
            "SELECT id FROM plain_table p WHERE EXISTS (SELECT ssn FROM customers WHERE ssn = ?)"));
  }

  @Test
  void plainParametersOfUnknownTablesStayPlain() {
    AnalyzedStatement a = analyze("SELECT * FROM staging WHERE ssn = ?");
    assertNull(a.parameter(1));
    assertTrue(a.resultColumns().isEmpty());
  }

  @Test
  void concurrentAnalysesShareOneCachedResult() throws Exception {
    String sql =
        "SELECT c.ssn FROM customers c JOIN orders o ON o.customer_ssn = c.ssn WHERE c.email = ?";
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<AnalyzedStatement>> tasks = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        tasks.add(() -> analyzer.analyze(sql));
      }
      List<Future<AnalyzedStatement>> results = pool.invokeAll(tasks);
      AnalyzedStatement first = results.get(0).get();
      for (Future<AnalyzedStatement> f : results) {
        assertSame(first, f.get());
      }
      assertEquals(EMAIL, first.parameter(1));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidateAllForgetsCachedAnalyses() throws Exception {
    String sql = "SELECT ssn FROM customers";
    AnalyzedStatement before = analyzer.analyze(sql);
    analyzer.invalidateAll();
    assertTrue(before != analyzer.analyze(sql));
  }

  @Test
  void statementTooDeeplyNestedFailsClosedWhenItMentionsEncryptedColumns() {
    String nested = "name";
    for (int i = 0; i < 400; i++) {
      nested = "LOWER(" + nested + ")";
    }
    // Either the depth limit or, on a loaded machine, the parser's own time limit stops it first;
    // both refuse the statement and name the encrypted column.
    refused("SELECT id FROM customers WHERE " + nested + " = ? AND ssn = ?", "ssn");
    AnalyzedStatement plain =
        analyze("SELECT a FROM plain_table WHERE " + nested.replace("name", "a") + " = ?");
    assertEquals(1, plain.parameterCount());
  }

  @Test
  void failingSchemaLookupIsReportedAndNotCached() throws Exception {
    boolean[] broken = {true};
    TestSchema delegate = new TestSchema();
    StatementAnalyzer flaky =
        new StatementAnalyzer(
            new EncryptedSchema() {
              @Override
              public EncryptedColumn encryptedColumn(String schema, String table, String column) {
                if (broken[0]) {
                  throw new IllegalStateException("metadata unavailable");
                }
                return delegate.encryptedColumn(schema, table, column);
              }

              @Override
              public List<String> columns(String schema, String table) {
                return delegate.columns(schema, table);
              }

              @Override
              public java.util.Set<String> encryptedColumnNames() {
                return delegate.encryptedColumnNames();
              }
            });
    String sql = "SELECT ssn FROM customers";
    java.sql.SQLException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.sql.SQLException.class, () -> flaky.analyze(sql));
    assertEquals("HY000", e.getSQLState());
    broken[0] = false;
    assertEquals(list(SSN), flaky.analyze(sql).resultColumns());
  }

  @Test
  void jdbcEscapeTimestampAndTimeLiteralsAreConverted() throws Exception {
    List<Object> values = new ArrayList<>();
    analyze(
            "UPDATE customers SET card = {ts '2024-01-02 03:04:05'}, note = {t '06:07:08'}"
                + " WHERE id = 1")
        .rewriteLiterals(
            (c, v) -> {
              values.add(v);
              return "X''";
            });
    assertEquals(
        List.of(java.time.LocalDateTime.of(2024, 1, 2, 3, 4, 5), java.time.LocalTime.of(6, 7, 8)),
        values);
  }

  @Test
  void mysqlMultiTableUpdateResolvesTargetsAcrossJoin() {
    assertEquals(
        list(SSN, ORDER_SSN),
        params(
            "UPDATE customers c JOIN orders o ON o.customer_ssn = c.ssn SET c.ssn = ?"
                + " WHERE o.customer_ssn = ?"));
  }

  @Test
  void mysqlMultiTableDeleteMapsParameters() {
    assertEquals(
        list(ORDER_SSN),
        params(
            "DELETE c FROM customers c JOIN orders o ON o.customer_ssn = c.ssn"
                + " WHERE o.customer_ssn = ?"));
  }

  @Test
  void recursiveCteOverPlainValuesIsAllowed() {
    AnalyzedStatement a =
        analyze(
            "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < ?)"
                + " SELECT n FROM t");
    assertEquals(1, a.parameterCount());
    assertEquals(list((EncryptedColumn) null), a.resultColumns());
  }

  @Test
  void recursiveCteCarryingCiphertextFailsClosed() {
    refused(
        "WITH RECURSIVE t(s, n) AS (SELECT ssn, 1 FROM customers UNION ALL"
            + " SELECT s, n + 1 FROM t WHERE n < 3) SELECT s FROM t",
        "customers.ssn");
  }

  @Test
  void encryptedColumnOfTableWithUnknownColumnsStillMaps() {
    assertEquals(
        list(null, col("legacy", "token")),
        analyze("SELECT id, token FROM legacy").resultColumns());
  }

  private static EncryptedColumn col(String table, String column) {
    return new TestSchema().encryptedColumn(null, table, column);
  }
}
