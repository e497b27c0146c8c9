package io.cloak.jdbc.internal.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;

/**
 * Analyses SQL before Cloak's driver runs it: which {@code ?} parameters and literals belong to
 * encrypted columns, which result columns hold ciphertext, and whether the statement uses an
 * encrypted column in a way its encryption cannot support (then it fails closed with an {@link
 * SQLException}, SQLState {@code 0A000}, whose message names the column but never SQL text or
 * literals). Results, including refusals, are cached per SQL string. Thread-safe.
 */
public final class StatementAnalyzer {

  /** Default number of SQL strings whose analysis is cached. */
  public static final long DEFAULT_CACHE_SIZE = 10_000;

  /**
   * Runs the parser with its timeout. JSqlParser's own {@code parseStatements(String)} creates an
   * executor per call whose non-daemon thread can outlive a failed parse; this shared pool uses
   * daemon threads instead.
   */
  private static final ExecutorService PARSER = Executors.newCachedThreadPool(daemonThreads());

  private final EncryptedSchema schema;
  private final Cache<String, Object> cache;

  /** A cached refusal; a fresh exception is thrown on every call. */
  private record Refusal(String message, String sqlState) {
    SQLException exception() {
      return new SQLException(message, sqlState);
    }
  }

  public StatementAnalyzer(EncryptedSchema schema) {
    this(schema, DEFAULT_CACHE_SIZE);
  }

  /**
   * @param maximumCacheSize how many SQL strings to remember
   */
  public StatementAnalyzer(EncryptedSchema schema, long maximumCacheSize) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.cache = Caffeine.newBuilder().maximumSize(maximumCacheSize).build();
  }

  /**
   * Analyses {@code sql}, or returns the cached analysis of the same string.
   *
   * @throws SQLException (SQLState 0A000) if the statement uses an encrypted column in a way Cloak
   *     cannot support
   */
  public AnalyzedStatement analyze(String sql) throws SQLException {
    if (sql == null) {
      throw new SQLException("Cloak: the SQL string is null", "HY009");
    }
    Object result;
    try {
      result = cache.get(sql, this::compute);
    } catch (Analysis.SchemaLookupException e) {
      throw new SQLException(
          "Cloak: looking up encrypted columns failed while analysing a statement",
          "HY000",
          e.getCause());
    }
    if (result instanceof Refusal r) {
      throw r.exception();
    }
    return (AnalyzedStatement) result;
  }

  /** Forgets all cached analyses, e.g. after the configuration or the schema changed. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  private Object compute(String sql) {
    try {
      return analyzeUncached(sql);
    } catch (SQLException e) {
      return new Refusal(e.getMessage(), e.getSQLState());
    }
  }

  private AnalyzedStatement analyzeUncached(String sql) throws SQLException {
    SqlText.Scan scan = SqlText.scan(sql);
    if (scan.blank()) {
      return AnalyzedStatement.passThrough(sql, 0);
    }
    List<Statement> statements = parse(sql);
    if (statements == null || statements.isEmpty()) {
      new Analysis(schema, sql, scan).unparseable("the SQL parser does not understand it");
      return AnalyzedStatement.passThrough(sql, scan.parameterMarkers());
    }
    Analysis analysis = new Analysis(schema, sql, scan);
    try {
      List<EncryptedColumn> results = List.of();
      for (Statement st : statements) {
        results = analysis.statement(st);
      }
      if (statements.size() > 1 && analysis.touched()) {
        EncryptedColumn c = analysis.firstTouched();
        throw Failures.column(
            c,
            "this SQL string holds "
                + statements.size()
                + " statements and at least one of them uses the column; Cloak analyses"
                + " statements that use encrypted columns one at a time",
            "Run the statements one at a time.");
      }
      int count = analysis.parameterCount(statements);
      return new AnalyzedStatement(
          sql,
          analysis.touched(),
          count,
          analysis.parameters(),
          analysis.writtenParameters(),
          statements.size() == 1 ? results : List.of(),
          analysis.literalSites());
    } catch (Analysis.SchemaLookupException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      // A statement too deeply nested (or structured in a way the analyser cannot walk): treat it
      // like SQL the parser could not read, which fails closed if it mentions encrypted columns or
      // their tables.
      new Analysis(schema, sql, scan)
          .unparseable(
              e instanceof Analysis.TooComplexException || e instanceof StackOverflowError
                  ? "it is nested too deeply"
                  : "its structure is not supported");
      return AnalyzedStatement.passThrough(sql, scan.parameterMarkers());
    }
  }

  /** The parsed statements, or null if JSqlParser cannot parse the SQL. */
  private static List<Statement> parse(String sql) {
    try {
      Statements parsed = CCJSqlParserUtil.parseStatements(sql, PARSER, parser -> {});
      if (parsed == null) {
        return null;
      }
      List<Statement> out = new ArrayList<>();
      for (Statement st : parsed) {
        if (st != null) {
          out.add(st);
        }
      }
      return out;
    } catch (Exception | StackOverflowError e) {
      return null;
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "cloak-sql-parser-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
