package io.cloak.jdbc.internal.sql;

import io.cloak.config.EncryptionMode;
import io.cloak.jdbc.internal.sql.Projection.OutCol;
import io.cloak.jdbc.internal.sql.Scope.Lookup;
import io.cloak.jdbc.internal.sql.Scope.Source;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.WhenClause;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.conditional.XorExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsBooleanExpression;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.expression.operators.relational.RegExpMatchOperator;
import net.sf.jsqlparser.expression.operators.relational.SimilarToExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.CreateFunctionalStatement;
import net.sf.jsqlparser.statement.DescribeStatement;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.ParenthesedStatement;
import net.sf.jsqlparser.statement.PurgeStatement;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowColumnsStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.FunctionAllColumns;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperation;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.UnionOp;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import net.sf.jsqlparser.statement.upsert.Upsert;

/**
 * One analysis of one SQL string: walks the parsed statements, resolves every column reference,
 * maps parameters and literals to the encrypted columns they are written to or compared with, and
 * throws (fail closed) wherever an encrypted column is used in a way its encryption cannot support.
 *
 * <p>Parts of a statement without a specific rule are walked generically: any encrypted column
 * found there fails closed. Not thread-safe; one instance per analysis.
 */
final class Analysis {
  private static final int MAX_DEPTH = 1000;

  /** Origin of values written by MySQL's {@code VALUES(col)} in ON DUPLICATE KEY UPDATE. */
  private static final Object VALUES_FUNCTION = new Object();

  private static final Set<String> PLAIN_SELECT_HANDLED =
      Set.of(
          "selectItems",
          "fromItem",
          "joins",
          "where",
          "groupBy",
          "having",
          "distinct",
          "orderByElements",
          "withItemsList",
          "alias",
          "pivot",
          "unPivot");
  private static final Set<String> SELECT_HANDLED =
      Set.of(
          "select",
          "selects",
          "operations",
          "expressions",
          "table",
          "orderByElements",
          "withItemsList",
          "alias",
          "pivot",
          "unPivot");
  private static final Set<String> JOIN_HANDLED =
      Set.of("onExpressions", "usingColumns", "fromItem");
  private static final Set<String> FUNCTION_HANDLED =
      Set.of("nameparts", "parameters", "allColumns", "distinct", "unique");
  private static final Set<String> INSERT_HANDLED =
      Set.of(
          "withItemsList",
          "table",
          "columns",
          "select",
          "setUpdateSets",
          "duplicateUpdateSets",
          "conflictTarget",
          "conflictAction",
          "returningClause");
  private static final Set<String> UPDATE_HANDLED =
      Set.of(
          "withItemsList",
          "table",
          "startJoins",
          "fromItem",
          "joins",
          "updateSets",
          "where",
          "orderByElements",
          "returningClause");
  private static final Set<String> DELETE_HANDLED =
      Set.of(
          "withItemsList",
          "table",
          "tables",
          "usingList",
          "joins",
          "where",
          "orderByElements",
          "returningClause");
  private static final Set<String> UPSERT_HANDLED =
      Set.of("table", "columns", "select", "updateSets", "duplicateUpdateSets");

  /** First words of statements that read or write data, for the unparseable-SQL table check. */
  private static final Set<String> DATA_WORDS =
      Set.of(
          "select", "insert", "update", "delete", "with", "merge", "replace", "upsert", "values",
          "table", "call", "exec", "execute", "do", "copy", "load", "handler", "from");

  private final EncryptedSchema schema;
  private final String sql;
  private final SqlText.Scan scan;
  private final Set<String> encryptedNames;
  private final Map<Integer, EncryptedColumn> params = new HashMap<>();
  // Parameters whose value is written into an encrypted column: index -> offset of the '?'.
  private final Map<Integer, Integer> writtenParams = new HashMap<>();
  private final Map<Expression, AnalyzedStatement.LiteralSite> literals = new IdentityHashMap<>();
  private final Map<String, List<String>> columnsCache = new HashMap<>();
  private final Map<String, Optional<EncryptedColumn>> encryptedCache = new HashMap<>();
  private final Map<String, Optional<EncryptedColumn>> anyEncryptedCache = new HashMap<>();
  private EncryptedColumn firstTouched;
  private int depth;

  /** Thrown when a statement is nested too deeply to analyse. */
  static final class TooComplexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooComplexException() {
      super("statement nested too deeply", null, false, false);
    }
  }

  /** A failure of the {@link EncryptedSchema} itself; never cached, never treated as a refusal. */
  static final class SchemaLookupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SchemaLookupException(RuntimeException cause) {
      super("schema lookup failed", cause);
    }
  }

  private static <T> T lookup(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw new SchemaLookupException(e);
    }
  }

  Analysis(EncryptedSchema schema, String sql, SqlText.Scan scan) {
    this.schema = schema;
    this.sql = sql;
    this.scan = scan;
    Set<String> names;
    try {
      names = schema.encryptedColumnNames();
    } catch (RuntimeException e) {
      throw new SchemaLookupException(e);
    }
    this.encryptedNames = names == null ? Set.of() : lowerAll(names);
  }

  private static Set<String> lowerAll(Set<String> names) {
    Set<String> out = new java.util.TreeSet<>();
    for (String n : names) {
      out.add(Scope.lower(n));
    }
    return out;
  }

  // ------------------------------------------------------------------ results

  boolean touched() {
    return firstTouched != null;
  }

  EncryptedColumn firstTouched() {
    return firstTouched;
  }

  Map<Integer, EncryptedColumn> parameters() {
    return params;
  }

  /**
   * The parameters whose value is written into an encrypted column (not compared with one), each
   * with the offset of its {@code ?} in the SQL text.
   */
  Map<Integer, Integer> writtenParameters() {
    return writtenParams;
  }

  List<AnalyzedStatement.LiteralSite> literalSites() {
    List<AnalyzedStatement.LiteralSite> out = new ArrayList<>(literals.values());
    out.sort(Comparator.comparingInt(AnalyzedStatement.LiteralSite::begin));
    return out;
  }

  void touch(EncryptedColumn column) {
    if (firstTouched == null) {
      firstTouched = column;
    }
  }

  // ------------------------------------------------------------------ schema access (cached)

  EncryptedColumn encryptedColumn(String schemaName, String table, String column) {
    if (table == null || column == null) {
      return null;
    }
    String key =
        Scope.lower(schemaName) + "\u0000" + Scope.lower(table) + "\u0000" + Scope.lower(column);
    return encryptedCache
        .computeIfAbsent(
            key,
            k ->
                Optional.ofNullable(
                    lookup(
                        () -> {
                          EncryptedColumn c = schema.encryptedColumn(schemaName, table, column);
                          return c != null
                              ? c
                              : schema.encryptedColumnThroughView(schemaName, table, column);
                        })))
        .orElse(null);
  }

  List<String> columns(String schemaName, String table) {
    if (table == null) {
      return List.of();
    }
    String key = Scope.lower(schemaName) + "\u0000" + Scope.lower(table);
    return columnsCache.computeIfAbsent(
        key,
        k -> {
          List<String> c = lookup(() -> schema.columns(schemaName, table));
          return c == null ? List.of() : c;
        });
  }

  /**
   * Refuses a write whose target is a view over a table with encrypted columns. (A view that
   * cloak.yaml names itself is encrypted as written; the schema does not report it.)
   */
  private void refuseWriteThroughView(Scope.TableSource target, String statement)
      throws SQLException {
    if (target.table == null) {
      return;
    }
    EncryptedColumn under =
        lookup(() -> schema.encryptedColumnUnderView(target.schema, target.table));
    if (under != null) {
      throw Failures.writeThroughView(under, target.table, statement);
    }
  }

  /** Some encrypted column of the table, or null if it has none. */
  EncryptedColumn anyEncryptedColumn(String schemaName, String table) {
    if (table == null) {
      return null;
    }
    String key = Scope.lower(schemaName) + "\u0000" + Scope.lower(table);
    Optional<EncryptedColumn> found = anyEncryptedCache.get(key);
    if (found == null) {
      EncryptedColumn any = null;
      for (String name : encryptedNames) {
        any = encryptedColumn(schemaName, table, name);
        if (any != null) {
          break;
        }
      }
      found = Optional.ofNullable(any);
      anyEncryptedCache.put(key, found);
    }
    return found.orElse(null);
  }

  // ------------------------------------------------------------------ statements

  /** Analyses one statement; returns its result columns (empty when it returns no rows). */
  List<EncryptedColumn> statement(Statement st) throws SQLException {
    Projection p = null;
    if (st instanceof Select s) {
      p = select(s, null);
    } else if (st instanceof Insert i) {
      p = insert(i, null);
    } else if (st instanceof Update u) {
      p = update(u, null);
    } else if (st instanceof Delete d) {
      p = delete(d, null);
    } else if (st instanceof Upsert u) {
      upsert(u);
    } else if (st instanceof Merge m) {
      merge(m);
    } else if (st instanceof ExplainStatement e) {
      if (e.getStatement() != null) {
        select(e.getStatement(), null);
      }
    } else if (!isPassThrough(st)) {
      mentionCheck("this kind of statement");
    }
    return results(p);
  }

  private static List<EncryptedColumn> results(Projection p) {
    if (p == null) {
      return List.of();
    }
    List<EncryptedColumn> out = new ArrayList<>(p.columns.size());
    for (OutCol c : p.columns) {
      out.add(c.val() instanceof Val.Enc e ? e.column() : null);
    }
    return out;
  }

  /** DDL, session and transaction statements: they carry no data, so they pass through. */
  private static boolean isPassThrough(Statement st) {
    String pkg = st.getClass().getPackageName();
    for (String p :
        List.of(
            "alter",
            "create",
            "drop",
            "truncate",
            "comment",
            "grant",
            "analyze",
            "show",
            "refresh")) {
      if (pkg.startsWith("net.sf.jsqlparser.statement." + p)) {
        return true;
      }
    }
    return st instanceof CreateFunctionalStatement
        || st instanceof SetStatement
        || st instanceof ShowStatement
        || st instanceof ShowColumnsStatement
        || st instanceof UseStatement
        || st instanceof Commit
        || st instanceof RollbackStatement
        || st instanceof SavepointStatement
        || st instanceof ResetStatement
        || st instanceof DescribeStatement
        || st instanceof PurgeStatement;
  }

  /** Fails closed if the SQL text mentions an encrypted column name. */
  void mentionCheck(String what) throws SQLException {
    for (String w : scan.words()) {
      if (encryptedNames.contains(w)) {
        throw Failures.general(
            "cannot analyse "
                + what
                + ", and it mentions the encrypted column name '"
                + w
                + "'. Cloak fails closed rather than risk sending plaintext to that column or"
                + " returning its ciphertext. Use plain SELECT, INSERT, UPDATE or DELETE"
                + " statements for encrypted columns.");
      }
    }
  }

  /**
   * The check for SQL Cloak cannot analyse: fails closed if it mentions an encrypted column name,
   * or (for statements that read or write data) a table with encrypted columns.
   *
   * @param why why the statement cannot be analysed, for the message
   */
  void unparseable(String why) throws SQLException {
    for (String w : scan.words()) {
      if (encryptedNames.contains(w)) {
        throw Failures.general(
            "cannot analyse this statement ("
                + why
                + "), and it mentions the encrypted column name '"
                + w
                + "'. Cloak fails closed rather than risk sending plaintext to that column or"
                + " returning its ciphertext. Rewrite it in standard SQL, or split it into"
                + " simpler statements.");
      }
    }
    if (scan.firstWord() != null && DATA_WORDS.contains(scan.firstWord())) {
      for (String w : scan.words()) {
        EncryptedColumn any = anyEncryptedColumn(null, w);
        if (any != null) {
          throw Failures.column(
              any,
              "Cloak cannot analyse a statement that uses its table "
                  + w
                  + " ("
                  + why
                  + "), so it cannot tell whether the column is read or written",
              "Rewrite the statement in standard SQL, or split it into simpler statements.");
        }
      }
    }
  }

  // ------------------------------------------------------------------ SELECT

  Projection select(Select s, Scope outer) throws SQLException {
    enter();
    try {
      Scope scope = withScope(s.getWithItemsList(), outer);
      if (s instanceof PlainSelect ps) {
        return plainSelect(ps, scope);
      }
      Projection p;
      if (s instanceof SetOperationList sol) {
        p = setOperation(sol, scope);
      } else if (s instanceof ParenthesedSelect pss) {
        p = select(pss.getSelect(), scope);
      } else if (s instanceof Values v) {
        p = values(v, scope);
      } else if (s instanceof TableStatement ts) {
        Projection.Builder b = new Projection.Builder();
        tableSource(ts.getTable(), scope).expand(b, this);
        p = b.build();
      } else {
        return opaqueSelect(s);
      }
      orderBy(s.getOrderByElements(), p, Map.of(), outputScope(p, scope));
      walkRest(s, scope, SELECT_HANDLED);
      return p;
    } finally {
      leave();
    }
  }

  private Scope outputScope(Projection p, Scope parent) {
    Scope out = new Scope(parent);
    out.sources.add(new Scope.DerivedSource(null, p, null));
    return out;
  }

  /** Select forms without specific rules (e.g. pipe syntax): fail closed if they touch tables. */
  private Projection opaqueSelect(Select s) throws SQLException {
    refuseIfItTouchesEncryptedTables(
        s, "Cloak cannot analyse this form of query over its table", "Use a plain SELECT.");
    mentionCheck("this form of query");
    return new Projection(List.of(), true, null);
  }

  private Scope withScope(List<WithItem<?>> items, Scope outer) throws SQLException {
    if (items == null || items.isEmpty()) {
      return outer;
    }
    Scope scope = new Scope(outer);
    boolean recursive = false;
    for (WithItem<?> w : items) {
      recursive |= w.isRecursive();
    }
    if (recursive) {
      for (WithItem<?> w : items) {
        List<String> names = withColumnNames(w);
        List<OutCol> cols = new ArrayList<>();
        for (String n : names) {
          cols.add(new OutCol(n, Val.Simple.PLAIN));
        }
        scope.defineCte(unquote(w.getAliasName()), new Projection(cols, names.isEmpty(), null));
      }
    }
    for (WithItem<?> w : items) {
      Projection body = cteBody(w, scope);
      List<String> names = withColumnNames(w);
      if (!names.isEmpty()) {
        List<OutCol> cols = new ArrayList<>(body.columns);
        for (int i = 0; i < names.size() && i < cols.size(); i++) {
          cols.set(i, new OutCol(names.get(i), cols.get(i).val()));
        }
        body = new Projection(cols, body.openEnded, body.leaves);
      }
      scope.defineCte(unquote(w.getAliasName()), body);
    }
    return scope;
  }

  private static List<String> withColumnNames(WithItem<?> w) {
    List<String> out = new ArrayList<>();
    if (w.getWithItemList() != null) {
      for (SelectItem<?> item : w.getWithItemList()) {
        Expression e = item.getExpression();
        out.add(e instanceof Column c ? c.getUnquotedColumnName() : unquote(String.valueOf(e)));
      }
    }
    return out;
  }

  private Projection cteBody(WithItem<?> w, Scope scope) throws SQLException {
    ParenthesedStatement st = w.getParenthesedStatement();
    if (st instanceof Select s) {
      return select(s, scope);
    }
    if (st instanceof ParenthesedInsert pi) {
      return orEmpty(insert(pi.getInsert() != null ? pi.getInsert() : pi, scope));
    }
    if (st instanceof ParenthesedUpdate pu) {
      return orEmpty(update(pu.getUpdate() != null ? pu.getUpdate() : pu, scope));
    }
    if (st instanceof ParenthesedDelete pd) {
      return orEmpty(delete(pd.getDelete() != null ? pd.getDelete() : pd, scope));
    }
    genericAny(st, scope, "this WITH clause");
    return new Projection(List.of(), true, null);
  }

  private static Projection orEmpty(Projection p) {
    return p == null ? Projection.empty() : p;
  }

  private Projection plainSelect(PlainSelect ps, Scope outer) throws SQLException {
    Scope scope = new Scope(outer);
    boolean reordering = false;
    if (ps.getFromItem() != null) {
      addFromItem(ps.getFromItem(), scope, outer);
    }
    if (ps.getJoins() != null) {
      for (Join j : ps.getJoins()) {
        reordering |= join(j, scope, outer);
      }
    }
    condition(ps.getWhere(), scope);
    Map<String, Val> aliases = new HashMap<>();
    Projection proj =
        selectItems(ps.getSelectItems(), scope, aliases, reordering || scope.reordering);
    scope.outputAliases = aliases;
    Distinct d = ps.getDistinct();
    if (d != null) {
      if (d.getOnSelectItems() != null && !d.getOnSelectItems().isEmpty()) {
        for (SelectItem<?> item : d.getOnSelectItems()) {
          grouped(value(item.getExpression(), scope), "DISTINCT ON");
        }
      } else {
        for (OutCol c : proj.columns) {
          grouped(c.val(), "DISTINCT");
        }
      }
    }
    GroupByElement g = ps.getGroupBy();
    if (g != null) {
      ExpressionList<?> exprs = g.getGroupByExpressionList();
      if (exprs != null) {
        for (Expression e : exprs) {
          groupItem(e, proj, scope);
        }
      }
      if (g.getGroupingSets() != null) {
        for (ExpressionList<?> set : g.getGroupingSets()) {
          for (Expression e : set) {
            groupItem(e, proj, scope);
          }
        }
      }
    }
    condition(ps.getHaving(), scope);
    orderBy(ps.getOrderByElements(), proj, aliases, scope);
    walkRest(ps, scope, PLAIN_SELECT_HANDLED);
    return proj;
  }

  private Projection selectItems(
      List<? extends SelectItem<?>> items,
      Scope scope,
      Map<String, Val> aliases,
      boolean reordering)
      throws SQLException {
    Projection.Builder b = new Projection.Builder();
    if (items == null) {
      return b.build();
    }
    for (SelectItem<?> item : items) {
      Expression ex = item.getExpression();
      if (ex instanceof FunctionAllColumns) {
        genericAny(ex, scope, "'(function).*'");
        b.addUnknown();
        continue;
      }
      if (ex instanceof AllTableColumns atc) {
        Source src = findSource(atc.getTable(), scope);
        if (src == null) {
          b.addUnknown();
        } else if (modifiedStar(atc)) {
          EncryptedColumn any = src.anyEncrypted(this);
          if (any != null) {
            throw Failures.column(
                any,
                "'* EXCEPT / REPLACE' over its table is not supported",
                "List the columns explicitly.");
          }
          b.addUnknown();
        } else {
          src.expand(b, this);
        }
        continue;
      }
      if (ex instanceof AllColumns ac) {
        if (reordering || modifiedStar(ac)) {
          for (Source src : scope.sources) {
            EncryptedColumn any = src.anyEncrypted(this);
            if (any != null) {
              throw Failures.column(
                  any,
                  reordering
                      ? "'*' over JOIN ... USING or NATURAL JOIN reorders the result columns, so"
                          + " Cloak cannot tell which one holds its ciphertext"
                      : "'* EXCEPT / REPLACE' over its table is not supported",
                  "List the columns explicitly.");
            }
          }
          b.addUnknown();
        } else {
          for (Source src : scope.sources) {
            src.expand(b, this);
          }
        }
        continue;
      }
      Val v = value(ex, scope);
      String name = null;
      if (item.getAlias() != null) {
        name = unquote(item.getAlias().getName());
        aliases.putIfAbsent(Scope.lower(name), v);
      } else if (ex instanceof Column c) {
        name = c.getUnquotedColumnName();
      }
      b.add(new OutCol(name, v));
    }
    return b.build();
  }

  private static boolean modifiedStar(AllColumns ac) {
    return (ac.getExceptColumns() != null && !ac.getExceptColumns().isEmpty())
        || (ac.getReplaceExpressions() != null && !ac.getReplaceExpressions().isEmpty());
  }

  private Source findSource(Table t, Scope scope) {
    if (t == null) {
      return null;
    }
    for (Scope level = scope; level != null; level = level.parent) {
      for (Source src : level.sources) {
        if (src.matches(t.getUnquotedSchemaName(), t.getUnquotedName())) {
          return src;
        }
      }
    }
    return null;
  }

  private void groupItem(Expression e, Projection proj, Scope scope) throws SQLException {
    grouped(e instanceof LongValue lv ? positional(proj, lv) : value(e, scope), "GROUP BY");
  }

  private static Val positional(Projection proj, LongValue lv) {
    long i = lv.getValue();
    return i >= 1 && i <= proj.columns.size()
        ? proj.columns.get((int) i - 1).val()
        : Val.Simple.PLAIN;
  }

  private static void grouped(Val v, String what) throws SQLException {
    if (v instanceof Val.Enc e && e.column().mode() != EncryptionMode.DETERMINISTIC) {
      throw Failures.grouping(e.column(), what);
    }
  }

  private void orderBy(
      List<OrderByElement> elements, Projection proj, Map<String, Val> aliases, Scope scope)
      throws SQLException {
    if (elements == null) {
      return;
    }
    for (OrderByElement o : elements) {
      Expression e = o.getExpression();
      Val v;
      if (e instanceof LongValue lv) {
        v = positional(proj, lv);
      } else if (e instanceof Column c
          && isUnqualified(c)
          && aliases.containsKey(Scope.lower(c.getUnquotedColumnName()))) {
        v = aliases.get(Scope.lower(c.getUnquotedColumnName()));
      } else {
        v = value(e, scope);
      }
      if (v instanceof Val.Enc enc) {
        throw Failures.orderBy(enc.column());
      }
    }
  }

  private Projection setOperation(SetOperationList sol, Scope scope) throws SQLException {
    List<Projection> branches = new ArrayList<>();
    for (Select b : sol.getSelects()) {
      branches.add(select(b, scope));
    }
    Projection merged = merge(branches, "UNION, INTERSECT or EXCEPT");
    boolean dedupe = false;
    if (sol.getOperations() != null) {
      for (SetOperation op : sol.getOperations()) {
        dedupe |= !(op instanceof UnionOp u && u.isAll());
      }
    }
    if (dedupe) {
      for (OutCol c : merged.columns) {
        grouped(c.val(), "UNION (without ALL), INTERSECT or EXCEPT");
      }
    }
    return merged;
  }

  /** Combines rows or branches position by position; ciphertext must agree in every part. */
  private Projection merge(List<Projection> parts, String what) throws SQLException {
    if (parts.isEmpty()) {
      return Projection.empty();
    }
    List<Projection> leaves = new ArrayList<>();
    int n = Integer.MAX_VALUE;
    boolean open = false;
    for (Projection p : parts) {
      leaves.addAll(p.leaves);
      n = Math.min(n, p.columns.size());
      open |= p.openEnded;
    }
    for (Projection p : parts) {
      open |= p.columns.size() != n;
      for (int i = n; i < p.columns.size(); i++) {
        if (p.columns.get(i).val() instanceof Val.Enc e) {
          throw Failures.column(
              e.column(),
              what + " combines it with a column whose position is unknown",
              "Select the same columns explicitly in every branch.");
        }
      }
    }
    List<OutCol> cols = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Val.Enc enc = null;
      boolean mixed = false;
      for (Projection p : parts) {
        Val v = p.columns.get(i).val();
        if (v instanceof Val.Enc e) {
          if (enc == null) {
            enc = e;
          } else if (!enc.column().sameColumn(e.column())) {
            mixed = true;
          }
        } else if (v != Val.Simple.NULL) {
          mixed = true;
        }
      }
      if (enc != null && mixed) {
        throw Failures.column(
            enc.column(),
            what + " puts its ciphertext and other values into result column " + (i + 1),
            "Select the same encrypted column in every branch, or combine the rows in the"
                + " application.");
      }
      cols.add(
          new OutCol(parts.get(0).columns.get(i).name(), enc != null ? enc : plainOf(parts, i)));
    }
    return new Projection(cols, open, leaves);
  }

  private static Val plainOf(List<Projection> parts, int i) {
    return parts.size() == 1 ? parts.get(0).columns.get(i).val() : Val.Simple.PLAIN;
  }

  private Projection values(Values v, Scope scope) throws SQLException {
    ExpressionList<?> ex = v.getExpressions();
    List<List<Expression>> rows = new ArrayList<>();
    if (ex instanceof ParenthesedExpressionList<?>) {
      rows.add(new ArrayList<>(ex));
    } else if (ex != null) {
      for (Expression e : ex) {
        if (e instanceof ParenthesedExpressionList<?> row) {
          rows.add(new ArrayList<>(row));
        } else {
          rows.add(List.of(e));
        }
      }
    }
    List<Projection> parts = new ArrayList<>();
    for (List<Expression> row : rows) {
      Projection.Builder b = new Projection.Builder();
      for (Expression e : row) {
        b.add(new OutCol(null, value(e, scope)));
      }
      parts.add(b.build());
    }
    return merge(parts, "VALUES");
  }

  // ------------------------------------------------------------------ FROM

  private Scope.TableSource tableSource(Table t, Scope scope) {
    return new Scope.TableSource(
        t.getUnquotedSchemaName(), t.getUnquotedName(), aliasName(t.getAlias()));
  }

  private Source addFromItem(FromItem fi, Scope scope, Scope outer) throws SQLException {
    Source src;
    if (fi instanceof Table t) {
      String name = t.getUnquotedName();
      String alias = aliasName(t.getAlias());
      Projection cte = t.getUnquotedSchemaName() == null ? scope.cte(name) : null;
      src =
          cte != null
              ? new Scope.DerivedSource(
                  alias != null ? alias : name, cte, aliasColumns(t.getAlias()))
              : tableSource(t, scope);
    } else if (fi instanceof LateralSubSelect ls) {
      Projection p = select(ls, scope);
      src = new Scope.DerivedSource(aliasName(ls.getAlias()), p, aliasColumns(ls.getAlias()));
    } else if (fi instanceof Select s) {
      Projection p = select(s, outer);
      src = new Scope.DerivedSource(aliasName(s.getAlias()), p, aliasColumns(s.getAlias()));
    } else if (fi instanceof ParenthesedFromItem pfi) {
      return parenthesedFromItem(pfi, scope, outer);
    } else if (fi instanceof TableFunction tf) {
      genericAny(tf.getFunction(), scope, "a table function");
      src = new Scope.OpaqueSource(aliasName(tf.getAlias()), aliasColumns(tf.getAlias()));
    } else {
      genericAny(fi, scope, "this FROM item");
      src = new Scope.OpaqueSource(aliasName(fi.getAlias()), aliasColumns(fi.getAlias()));
    }
    src = pivoted(fi, src);
    scope.sources.add(src);
    return src;
  }

  private Source pivoted(FromItem fi, Source src) throws SQLException {
    if (fi.getPivot() == null && fi.getUnPivot() == null) {
      return src;
    }
    EncryptedColumn any = src.anyEncrypted(this);
    if (any != null) {
      throw Failures.operatesOn(any, "PIVOT / UNPIVOT");
    }
    return new Scope.OpaqueSource(src.alias, null);
  }

  private Source parenthesedFromItem(ParenthesedFromItem pfi, Scope scope, Scope outer)
      throws SQLException {
    if (pfi.getAlias() == null && pfi.getPivot() == null && pfi.getUnPivot() == null) {
      Source first = addFromItem(pfi.getFromItem(), scope, outer);
      if (pfi.getJoins() != null) {
        for (Join j : pfi.getJoins()) {
          scope.reordering |= join(j, scope, outer);
        }
      }
      return first;
    }
    Scope inner = new Scope(outer);
    addFromItem(pfi.getFromItem(), inner, outer);
    if (pfi.getJoins() != null) {
      for (Join j : pfi.getJoins()) {
        inner.reordering |= join(j, inner, outer);
      }
    }
    Projection.Builder b = new Projection.Builder();
    if (inner.reordering) {
      for (Source s : inner.sources) {
        EncryptedColumn any = s.anyEncrypted(this);
        if (any != null) {
          throw Failures.column(
              any,
              "a parenthesised JOIN ... USING or NATURAL JOIN reorders the columns, so Cloak"
                  + " cannot tell which one holds its ciphertext",
              "Join with ON conditions, or list the columns explicitly.");
        }
      }
      b.addUnknown();
    } else {
      for (Source s : inner.sources) {
        s.expand(b, this);
      }
    }
    Source src =
        new Scope.DerivedSource(aliasName(pfi.getAlias()), b.build(), aliasColumns(pfi.getAlias()));
    src = pivoted(pfi, src);
    scope.sources.add(src);
    return src;
  }

  /** Adds a joined item; returns true if the join reorders {@code *} (USING / NATURAL). */
  private boolean join(Join j, Scope scope, Scope outer) throws SQLException {
    List<Source> before = new ArrayList<>(scope.sources);
    Source right = addFromItem(j.getFromItem(), scope, outer);
    boolean reorders = false;
    if (j.isNatural()) {
      reorders = true;
      EncryptedColumn any = right.anyEncrypted(this);
      for (Source s : before) {
        any = any != null ? any : s.anyEncrypted(this);
      }
      if (any != null) {
        throw Failures.column(
            any,
            "NATURAL JOIN compares same-named columns implicitly, which Cloak cannot check",
            "Use JOIN ... ON with explicit conditions.");
      }
    }
    if (j.getUsingColumns() != null && !j.getUsingColumns().isEmpty()) {
      reorders = true;
      Scope left = new Scope(null);
      left.sources.addAll(before);
      Scope rightScope = new Scope(null);
      rightScope.sources.add(right);
      for (Column c : j.getUsingColumns()) {
        String n = c.getUnquotedColumnName();
        equalityPair(unqualified(n, left), unqualified(n, rightScope), "JOIN ... USING");
      }
    }
    if (j.getOnExpressions() != null) {
      for (Expression on : j.getOnExpressions()) {
        condition(on, scope);
      }
    }
    walkRest(j, scope, JOIN_HANDLED);
    return reorders;
  }

  // ------------------------------------------------------------------ INSERT / UPDATE / DELETE

  private record Target(EncryptedColumn column, String label) {}

  private Projection insert(Insert ins, Scope outer) throws SQLException {
    Scope cte = withScope(ins.getWithItemsList(), outer);
    Scope.TableSource target = tableSource(ins.getTable(), cte);
    refuseWriteThroughView(target, "INSERT");
    Scope targetScope = new Scope(cte);
    targetScope.sources.add(target);
    List<Target> targets = insertTargets(ins.getColumns(), target);
    if (ins.getSelect() != null) {
      insertRows(select(ins.getSelect(), cte), targets, target, "INSERT");
    }
    if (ins.getSetUpdateSets() != null) {
      assignments(
          ins.getSetUpdateSets(), targetScope, targetScope, Set.of(), false, "INSERT ... SET");
    }
    if (ins.getDuplicateUpdateSets() != null) {
      assignments(
          ins.getDuplicateUpdateSets(),
          targetScope,
          targetScope,
          Set.of(target, VALUES_FUNCTION),
          true,
          "ON DUPLICATE KEY UPDATE");
    }
    InsertConflictTarget ct = ins.getConflictTarget();
    if (ct != null) {
      value(ct.getIndexExpression(), targetScope);
      condition(ct.getWhereExpression(), targetScope);
    }
    InsertConflictAction ca = ins.getConflictAction();
    if (ca != null) {
      Scope upsertScope = new Scope(cte);
      upsertScope.sources.add(target);
      Scope.TableSource excluded = new Scope.TableSource(target.schema, target.table, "excluded");
      upsertScope.sources.add(excluded);
      if (ca.getUpdateSets() != null) {
        assignments(
            ca.getUpdateSets(),
            upsertScope,
            targetScope,
            Set.of(target, excluded),
            false,
            "ON CONFLICT DO UPDATE");
      }
      condition(ca.getWhereExpression(), upsertScope);
    }
    Projection ret = returning(ins.getReturningClause(), targetScope);
    walkRest(ins, targetScope, INSERT_HANDLED);
    return ret;
  }

  private void upsert(Upsert u) throws SQLException {
    Scope.TableSource target = tableSource(u.getTable(), null);
    refuseWriteThroughView(target, "REPLACE / UPSERT");
    Scope targetScope = new Scope(null);
    targetScope.sources.add(target);
    List<Target> targets = insertTargets(u.getColumns(), target);
    if (u.getSelect() != null) {
      insertRows(select(u.getSelect(), null), targets, target, "REPLACE / UPSERT");
    }
    if (u.getUpdateSets() != null) {
      assignments(u.getUpdateSets(), targetScope, targetScope, Set.of(), false, "REPLACE ... SET");
    }
    if (u.getDuplicateUpdateSets() != null) {
      assignments(
          u.getDuplicateUpdateSets(),
          targetScope,
          targetScope,
          Set.of(target, VALUES_FUNCTION),
          true,
          "ON DUPLICATE KEY UPDATE");
    }
    walkRest(u, targetScope, UPSERT_HANDLED);
  }

  /** The encrypted column (or null) for each target position; null list if unknown. */
  private List<Target> insertTargets(ExpressionList<Column> columns, Scope.TableSource target) {
    List<String> names = new ArrayList<>();
    if (columns != null && !columns.isEmpty()) {
      for (Column c : columns) {
        names.add(c.getUnquotedColumnName());
      }
    } else {
      names.addAll(columns(target.schema, target.table));
      if (names.isEmpty()) {
        return null;
      }
    }
    List<Target> out = new ArrayList<>();
    for (String n : names) {
      EncryptedColumn ec = encryptedColumn(target.schema, target.table, n);
      if (ec != null) {
        touch(ec);
      }
      out.add(new Target(ec, target.table + "." + n));
    }
    return out;
  }

  private void insertRows(
      Projection source, List<Target> targets, Scope.TableSource target, String statement)
      throws SQLException {
    if (targets == null) {
      EncryptedColumn any = target.anyEncrypted(this);
      if (any != null) {
        throw Failures.unknownColumns(
            any, statement + " without a column list cannot be mapped to its columns");
      }
      for (Projection leaf : source.leaves) {
        for (OutCol c : leaf.columns) {
          if (c.val() instanceof Val.Enc e) {
            throw Failures.copyCiphertext(e.column(), "table " + target.table);
          }
        }
      }
      return;
    }
    for (Projection leaf : source.leaves) {
      if (leaf.openEnded || leaf.columns.size() > targets.size()) {
        for (Target t : targets) {
          if (t.column() != null) {
            throw Failures.column(
                t.column(),
                statement
                    + " supplies more values than there are target columns (or a '*' of unknown"
                    + " width), so Cloak cannot tell which value is written to it",
                "List the target columns and the values explicitly.");
          }
        }
        for (OutCol c : leaf.columns) {
          if (c.val() instanceof Val.Enc e) {
            throw Failures.copyCiphertext(e.column(), "table " + target.table);
          }
        }
        continue;
      }
      for (int i = 0; i < leaf.columns.size(); i++) {
        write(targets.get(i), leaf.columns.get(i).val(), Set.of(), statement);
      }
    }
  }

  /** SET lists of UPDATE, INSERT ... SET, ON CONFLICT DO UPDATE and ON DUPLICATE KEY UPDATE. */
  private void assignments(
      List<UpdateSet> sets,
      Scope valueScope,
      Scope targetScope,
      Set<Object> sameColumnOrigins,
      boolean valuesFunction,
      String statement)
      throws SQLException {
    for (UpdateSet us : sets) {
      List<Target> targets = new ArrayList<>();
      for (Column c : us.getColumns()) {
        targets.add(target(c, targetScope));
      }
      List<Expression> vals = new ArrayList<>();
      if (us.getValues() != null) {
        vals.addAll(us.getValues());
      }
      if (vals.size() == 1
          && targets.size() > 1
          && vals.get(0) instanceof ParenthesedExpressionList<?> row
          && row.size() == targets.size()) {
        vals = new ArrayList<>(row);
      }
      if (vals.size() == targets.size()) {
        for (int i = 0; i < vals.size(); i++) {
          Val v = valuesFunction ? valuesFunction(vals.get(i), targetScope) : null;
          write(
              targets.get(i),
              v != null ? v : value(vals.get(i), valueScope),
              sameColumnOrigins,
              statement);
        }
      } else if (vals.size() == 1 && unwrap(vals.get(0)) instanceof Select s) {
        Projection p = select(s, valueScope);
        if (!p.openEnded && p.columns.size() == targets.size()) {
          for (int i = 0; i < targets.size(); i++) {
            write(targets.get(i), p.columns.get(i).val(), sameColumnOrigins, statement);
          }
        } else {
          failIfEncryptedTarget(targets, statement);
          for (OutCol c : p.columns) {
            write(new Target(null, "a plain column"), c.val(), Set.of(), statement);
          }
        }
      } else {
        failIfEncryptedTarget(targets, statement);
        for (Expression e : vals) {
          genericAny(e, valueScope, statement);
        }
      }
    }
  }

  private static void failIfEncryptedTarget(List<Target> targets, String statement)
      throws SQLException {
    for (Target t : targets) {
      if (t.column() != null) {
        throw Failures.write(t.column(), statement);
      }
    }
  }

  private Target target(Column c, Scope targetScope) throws SQLException {
    Val v = column(c, targetScope);
    if (v instanceof Val.Enc e) {
      return new Target(e.column(), e.column().qualifiedName());
    }
    String table = null;
    if (c.getTable() != null && c.getTable().getName() != null) {
      table = c.getTable().getUnquotedName();
    } else if (!targetScope.sources.isEmpty()
        && targetScope.sources.get(0) instanceof Scope.TableSource ts) {
      table = ts.table;
    }
    return new Target(null, (table == null ? "" : table + ".") + c.getUnquotedColumnName());
  }

  /** MySQL {@code VALUES(col)} in ON DUPLICATE KEY UPDATE: the value being inserted. */
  private Val valuesFunction(Expression e, Scope targetScope) throws SQLException {
    if (e instanceof Function f
        && "VALUES".equalsIgnoreCase(f.getName())
        && f.getParameters() != null
        && f.getParameters().size() == 1
        && f.getParameters().get(0) instanceof Column c) {
      Val v = column(c, targetScope);
      return v instanceof Val.Enc enc
          ? new Val.Enc(enc.column(), VALUES_FUNCTION)
          : Val.Simple.PLAIN;
    }
    return null;
  }

  /** Checks one value written to one target column, binding parameters and literals. */
  private void write(Target t, Val v, Set<Object> sameColumnOrigins, String statement)
      throws SQLException {
    EncryptedColumn col = t.column();
    if (col == null) {
      if (v instanceof Val.Enc e) {
        throw Failures.copyCiphertext(e.column(), "plain column " + t.label());
      }
      return;
    }
    touch(col);
    if (v instanceof Val.Param p) {
      bindParam(p.parameter(), col);
      int[] span = Literals.span(p.parameter(), sql);
      if (span != null && span[1] == span[0] + 1 && sql.charAt(span[0]) == '?') {
        writtenParams.put(p.parameter().getIndex(), span[0]);
      }
    } else if (v instanceof Val.Lit l) {
      markLiteral(l.node(), col);
    } else if (v == Val.Simple.NULL || v == Val.Simple.DEFAULT) {
      return;
    } else if (v instanceof Val.Enc e && !e.column().sameColumn(col)) {
      throw Failures.column(
          col,
          statement
              + " would copy the ciphertext of "
              + e.column().qualifiedName()
              + " into it without re-encrypting it",
          "Read the value through Cloak and write it with a parameter.");
    } else if (!(v instanceof Val.Enc e && sameColumnOrigins.contains(e.origin()))) {
      throw Failures.write(col, statement);
    }
  }

  private Projection update(Update u, Scope outer) throws SQLException {
    Scope cte = withScope(u.getWithItemsList(), outer);
    Scope scope = new Scope(cte);
    Source target = addFromItem(u.getTable(), scope, cte);
    if (target instanceof Scope.TableSource t) {
      refuseWriteThroughView(t, "UPDATE");
    }
    boolean multiTable = u.getStartJoins() != null && !u.getStartJoins().isEmpty();
    if (multiTable) {
      for (Join j : u.getStartJoins()) {
        join(j, scope, cte);
      }
    }
    if (u.getFromItem() != null) {
      addFromItem(u.getFromItem(), scope, cte);
    }
    if (u.getJoins() != null) {
      for (Join j : u.getJoins()) {
        join(j, scope, cte);
      }
    }
    Scope targetScope = scope;
    if (!multiTable) {
      targetScope = new Scope(null);
      targetScope.sources.add(target);
    }
    if (u.getUpdateSets() != null) {
      assignments(u.getUpdateSets(), scope, targetScope, Set.of(target), false, "UPDATE ... SET");
    }
    condition(u.getWhere(), scope);
    orderBy(u.getOrderByElements(), Projection.empty(), Map.of(), scope);
    Projection ret = returning(u.getReturningClause(), scope);
    walkRest(u, scope, UPDATE_HANDLED);
    return ret;
  }

  private Projection delete(Delete d, Scope outer) throws SQLException {
    Scope cte = withScope(d.getWithItemsList(), outer);
    Scope scope = new Scope(cte);
    if (d.getTable() != null) {
      addFromItem(d.getTable(), scope, cte);
    }
    if (d.getUsingList() != null) {
      for (Table t : d.getUsingList()) {
        addFromItem(t, scope, cte);
      }
    }
    if (d.getJoins() != null) {
      for (Join j : d.getJoins()) {
        join(j, scope, cte);
      }
    }
    condition(d.getWhere(), scope);
    orderBy(d.getOrderByElements(), Projection.empty(), Map.of(), scope);
    Projection ret = returning(d.getReturningClause(), scope);
    walkRest(d, scope, DELETE_HANDLED);
    return ret;
  }

  private Projection returning(ReturningClause rc, Scope scope) throws SQLException {
    if (rc == null) {
      return null;
    }
    return selectItems(rc, scope, new HashMap<>(), false);
  }

  private void merge(Merge m) throws SQLException {
    if (m.getTable() != null) {
      refuseWriteThroughView(tableSource(m.getTable(), null), "MERGE");
    }
    refuseIfItTouchesEncryptedTables(
        m,
        "MERGE is not supported on tables with encrypted columns",
        "Use INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE, or separate INSERT and"
            + " UPDATE statements.");
    mentionCheck("MERGE");
  }

  // ------------------------------------------------------------------ conditions

  void condition(Expression e, Scope scope) throws SQLException {
    if (e == null) {
      return;
    }
    enter();
    try {
      if (isJunction(e)) {
        // Long AND / OR chains (often generated) are walked iteratively, not recursively.
        java.util.ArrayDeque<Expression> todo = new java.util.ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
          Expression x = todo.pop();
          if (isJunction(x)) {
            BinaryExpression b = (BinaryExpression) x;
            todo.push(b.getRightExpression());
            todo.push(b.getLeftExpression());
          } else {
            condition(x, scope);
          }
        }
      } else if (e instanceof NotExpression n) {
        condition(n.getExpression(), scope);
      } else if (e instanceof ParenthesedExpressionList<?> pl && pl.size() == 1) {
        condition(pl.get(0), scope);
      } else if (e instanceof EqualsTo
          || e instanceof NotEqualsTo
          || e instanceof IsDistinctExpression) {
        BinaryExpression b = (BinaryExpression) e;
        equality(b.getLeftExpression(), b.getRightExpression(), b.getStringExpression(), scope);
      } else if (e instanceof GreaterThan
          || e instanceof GreaterThanEquals
          || e instanceof MinorThan
          || e instanceof MinorThanEquals) {
        BinaryExpression b = (BinaryExpression) e;
        Val.Enc x =
            firstEnc(operand(b.getLeftExpression(), scope), operand(b.getRightExpression(), scope));
        if (x != null) {
          throw Failures.ordering(x.column(), b.getStringExpression());
        }
      } else if (e instanceof Between bt) {
        Val.Enc x =
            firstEnc(
                value(bt.getLeftExpression(), scope),
                value(bt.getBetweenExpressionStart(), scope),
                value(bt.getBetweenExpressionEnd(), scope));
        if (x != null) {
          throw Failures.ordering(x.column(), "BETWEEN");
        }
      } else if (e instanceof LikeExpression lk) {
        String op =
            lk.getLikeKeyWord() == null ? "LIKE" : lk.getLikeKeyWord().name().replace('_', ' ');
        pattern(lk, op, scope);
        genericAny(lk.getEscape(), scope, "LIKE ... ESCAPE");
      } else if (e instanceof SimilarToExpression || e instanceof RegExpMatchOperator) {
        BinaryExpression b = (BinaryExpression) e;
        pattern(b, b.getStringExpression().trim(), scope);
      } else if (e instanceof InExpression in) {
        in(in, scope);
      } else if (e instanceof IsNullExpression n) {
        value(n.getLeftExpression(), scope);
      } else if (e instanceof IsBooleanExpression ib) {
        Val v = value(ib.getLeftExpression(), scope);
        if (v instanceof Val.Enc enc) {
          throw Failures.operatesOn(enc.column(), "IS TRUE / IS FALSE");
        }
      } else if (e instanceof ExistsExpression ex) {
        if (ex.getRightExpression() instanceof Select s) {
          select(s, scope);
        } else {
          genericAny(ex.getRightExpression(), scope, "EXISTS");
        }
      } else {
        Val v = value(e, scope);
        if (v instanceof Val.Enc enc) {
          throw Failures.column(
              enc.column(),
              "its ciphertext cannot be used as a boolean condition",
              "Compare it with a parameter instead.");
        }
      }
    } finally {
      leave();
    }
  }

  private static boolean isJunction(Expression e) {
    return e instanceof AndExpression || e instanceof OrExpression || e instanceof XorExpression;
  }

  private static boolean isCondition(Expression e) {
    return e instanceof AndExpression
        || e instanceof OrExpression
        || e instanceof XorExpression
        || e instanceof NotExpression
        || e instanceof EqualsTo
        || e instanceof NotEqualsTo
        || e instanceof IsDistinctExpression
        || e instanceof GreaterThan
        || e instanceof GreaterThanEquals
        || e instanceof MinorThan
        || e instanceof MinorThanEquals
        || e instanceof Between
        || e instanceof LikeExpression
        || e instanceof SimilarToExpression
        || e instanceof RegExpMatchOperator
        || e instanceof InExpression
        || e instanceof IsNullExpression
        || e instanceof IsBooleanExpression
        || e instanceof ExistsExpression;
  }

  private void pattern(BinaryExpression b, String op, Scope scope) throws SQLException {
    Val.Enc x = firstEnc(value(b.getLeftExpression(), scope), value(b.getRightExpression(), scope));
    if (x != null) {
      throw Failures.pattern(x.column(), op);
    }
  }

  private static Val.Enc firstEnc(Val... vals) {
    for (Val v : vals) {
      if (v instanceof Val.Enc e) {
        return e;
      }
    }
    return null;
  }

  /** A comparison operand; {@code ANY/ALL (subquery)} stands for the subquery's column. */
  private Val operand(Expression e, Scope scope) throws SQLException {
    if (e instanceof AnyComparisonExpression any && any.getSelect() != null) {
      Projection p = select(any.getSelect(), scope);
      if (!p.openEnded && p.columns.size() == 1) {
        return p.columns.get(0).val();
      }
      Val.Enc x = firstEnc(vals(p).toArray(new Val[0]));
      if (x != null) {
        throw Failures.operatesOn(x.column(), "ANY / ALL over several columns");
      }
      return Val.Simple.PLAIN;
    }
    return value(e, scope);
  }

  private void equality(Expression left, Expression right, String op, Scope scope)
      throws SQLException {
    Expression l = unwrap(left);
    Expression r = unwrap(right);
    if (isRow(l) || isRow(r)) {
      pairRows(rowVals(l, scope), rowVals(r, scope), op);
      return;
    }
    equalityPair(operand(l, scope), operand(r, scope), op);
  }

  /** Checks that two values may be compared for equality; binds parameters and literals. */
  private void equalityPair(Val a, Val b, String op) throws SQLException {
    if (a instanceof Val.Enc ea && b instanceof Val.Enc eb) {
      if (!ea.column().comparableWith(eb.column())) {
        throw Failures.incomparable(ea.column(), eb.column(), op);
      }
    } else if (a instanceof Val.Enc ea) {
      compared(ea.column(), b, op);
    } else if (b instanceof Val.Enc eb) {
      compared(eb.column(), a, op);
    }
  }

  private void compared(EncryptedColumn col, Val other, String op) throws SQLException {
    if (other == Val.Simple.NULL) {
      return;
    }
    if (col.mode() != EncryptionMode.DETERMINISTIC) {
      throw Failures.randomizedEquality(col, op);
    }
    if (other instanceof Val.Param p) {
      bindParam(p.parameter(), col);
    } else if (other instanceof Val.Lit l) {
      markLiteral(l.node(), col);
    } else {
      throw Failures.comparedWithComputed(col, op);
    }
  }

  private static boolean isRow(Expression e) {
    return e instanceof ExpressionList<?> list && list.size() != 1;
  }

  /** The values of a row constructor or a row subquery; null if not a row of known width. */
  private List<Val> rowVals(Expression e, Scope scope) throws SQLException {
    if (e instanceof ExpressionList<?> list && list.size() != 1) {
      List<Val> out = new ArrayList<>();
      for (Expression x : list) {
        out.add(value(x, scope));
      }
      return out;
    }
    if (e instanceof Select s) {
      Projection p = select(s, scope);
      return p.openEnded ? nullIfEnc(vals(p)) : vals(p);
    }
    Val v = value(e, scope);
    return v instanceof Val.Enc ? List.of(v) : null;
  }

  private static List<Val> nullIfEnc(List<Val> vals) throws SQLException {
    Val.Enc x = firstEnc(vals.toArray(new Val[0]));
    if (x != null) {
      throw Failures.column(
          x.column(),
          "a row comparison over a '*' of unknown width cannot be checked",
          "List the columns explicitly.");
    }
    return null;
  }

  private static List<Val> vals(Projection p) {
    List<Val> out = new ArrayList<>();
    for (OutCol c : p.columns) {
      out.add(c.val());
    }
    return out;
  }

  private void pairRows(List<Val> left, List<Val> right, String op) throws SQLException {
    if (left == null || right == null || left.size() != right.size()) {
      for (List<Val> side : java.util.Arrays.asList(left, right)) {
        if (side != null) {
          Val.Enc x = firstEnc(side.toArray(new Val[0]));
          if (x != null) {
            throw Failures.comparedWithComputed(x.column(), op);
          }
        }
      }
      return;
    }
    for (int i = 0; i < left.size(); i++) {
      equalityPair(left.get(i), right.get(i), op);
    }
  }

  /**
   * IN and NOT IN. JSqlParser 5.3 parses {@code a IN (...) AND b = 1} as {@code a IN ((...) AND b =
   * 1)}; the list is recovered as the leftmost operand of the AND/OR chain and the rest is analysed
   * as further conditions.
   */
  private void in(InExpression in, Scope scope) throws SQLException {
    String op = in.isNot() ? "NOT IN" : "IN";
    Expression list = in.getRightExpression();
    List<Expression> trailing = new ArrayList<>();
    while (isJunction(list)) {
      BinaryExpression b = (BinaryExpression) list;
      trailing.add(b.getRightExpression());
      list = b.getLeftExpression();
    }
    if (!trailing.isEmpty()
        && !(list instanceof ParenthesedExpressionList<?> || list instanceof ParenthesedSelect)) {
      Val lv = value(in.getLeftExpression(), scope);
      if (lv instanceof Val.Enc enc) {
        throw Failures.comparedWithComputed(enc.column(), op);
      }
      genericAny(in.getRightExpression(), scope, op);
      return;
    }
    inList(in.getLeftExpression(), list, op, scope);
    for (Expression t : trailing) {
      condition(t, scope);
    }
  }

  private void inList(Expression left, Expression list, String op, Scope scope)
      throws SQLException {
    Expression l = unwrap(left);
    if (isRow(l)) {
      List<Val> lv = rowVals(l, scope);
      if (list instanceof Select s) {
        pairRows(lv, rowVals(s, scope), op);
      } else if (list instanceof ExpressionList<?> items) {
        for (Expression item : items) {
          pairRows(lv, rowVals(item, scope), op);
        }
      } else {
        value(list, scope);
        pairRows(lv, null, op);
      }
      return;
    }
    Val lv = value(l, scope);
    if (list instanceof Select s) {
      Projection p = select(s, scope);
      if (!p.openEnded && p.columns.size() == 1) {
        equalityPair(lv, p.columns.get(0).val(), op);
      } else {
        Val.Enc x = firstEnc(lv);
        x = x != null ? x : firstEnc(vals(p).toArray(new Val[0]));
        if (x != null) {
          throw Failures.comparedWithComputed(x.column(), op);
        }
      }
      return;
    }
    if (list instanceof ExpressionList<?> items) {
      for (Expression item : items) {
        equalityPair(lv, value(item, scope), op);
      }
      return;
    }
    Val.Enc x = firstEnc(lv, value(list, scope));
    if (x != null) {
      throw Failures.comparedWithComputed(x.column(), op);
    }
  }

  private static Expression unwrap(Expression e) {
    Expression x = e;
    while (x instanceof ParenthesedExpressionList<?> pl && pl.size() == 1) {
      x = pl.get(0);
    }
    return x;
  }

  // ------------------------------------------------------------------ values

  /** What an expression evaluates to; fails closed on any operation over ciphertext. */
  Val value(Expression e, Scope scope) throws SQLException {
    if (e == null) {
      return Val.Simple.PLAIN;
    }
    enter();
    try {
      if (e instanceof Column c) {
        return column(c, scope);
      }
      if (e instanceof JdbcParameter p) {
        return new Val.Param(p);
      }
      if (e instanceof NullValue) {
        return Val.Simple.NULL;
      }
      if (Literals.isLiteral(e)) {
        return new Val.Lit(e);
      }
      if (e instanceof ParenthesedExpressionList<?> pl && pl.size() == 1) {
        return value(pl.get(0), scope);
      }
      if (e instanceof Select s) {
        return scalarSubquery(s, scope);
      }
      if (e instanceof Function f && "COUNT".equalsIgnoreCase(f.getName())) {
        return count(f, scope);
      }
      if (e instanceof CaseExpression ce && ce.getSwitchExpression() == null) {
        return searchedCase(ce, scope);
      }
      if (isCondition(e)) {
        condition(e, scope);
        return Val.Simple.PLAIN;
      }
      if (e instanceof ExpressionList<?> list) {
        for (Expression x : list) {
          Val v = value(x, scope);
          if (v instanceof Val.Enc enc) {
            throw Failures.operatesOn(enc.column(), "a list or row of values");
          }
        }
        return Val.Simple.PLAIN;
      }
      if (e instanceof AllColumns ac) {
        starInExpression(ac, scope);
        return Val.Simple.PLAIN;
      }
      String what = describe(e);
      for (Field f : AstFields.fields(e)) {
        genericAny(AstFields.get(f, e), scope, what);
      }
      return Val.Simple.PLAIN;
    } finally {
      leave();
    }
  }

  private Val scalarSubquery(Select s, Scope scope) throws SQLException {
    Projection p = select(s, scope);
    if (!p.openEnded && p.columns.size() == 1) {
      return p.columns.get(0).val();
    }
    Val.Enc x = firstEnc(vals(p).toArray(new Val[0]));
    if (x != null) {
      throw Failures.operatesOn(x.column(), "a subquery returning several columns");
    }
    return Val.Simple.PLAIN;
  }

  private Val count(Function f, Scope scope) throws SQLException {
    ExpressionList<?> ps = f.getParameters();
    if (f.isAllColumns() || ps == null || ps.isEmpty() || ps.get(0) instanceof AllColumns) {
      walkRest(f, scope, FUNCTION_HANDLED);
      return Val.Simple.PLAIN;
    }
    if (ps.size() != 1) {
      genericAny(ps, scope, describe(f));
      walkRest(f, scope, FUNCTION_HANDLED);
      return Val.Simple.PLAIN;
    }
    Val v = value(ps.get(0), scope);
    if (v instanceof Val.Enc enc
        && (f.isDistinct() || f.isUnique())
        && enc.column().mode() != EncryptionMode.DETERMINISTIC) {
      throw Failures.grouping(enc.column(), "COUNT(DISTINCT ...)");
    }
    walkRest(f, scope, FUNCTION_HANDLED);
    return Val.Simple.PLAIN;
  }

  private Val searchedCase(CaseExpression ce, Scope scope) throws SQLException {
    for (WhenClause w : ce.getWhenClauses()) {
      condition(w.getWhenExpression(), scope);
      Val then = value(w.getThenExpression(), scope);
      if (then instanceof Val.Enc enc) {
        throw Failures.operatesOn(enc.column(), "CASE");
      }
    }
    Val otherwise = value(ce.getElseExpression(), scope);
    if (otherwise instanceof Val.Enc enc) {
      throw Failures.operatesOn(enc.column(), "CASE");
    }
    return Val.Simple.PLAIN;
  }

  private void starInExpression(AllColumns ac, Scope scope) throws SQLException {
    List<Source> sources = new ArrayList<>();
    if (ac instanceof AllTableColumns atc) {
      Source src = findSource(atc.getTable(), scope);
      if (src != null) {
        sources.add(src);
      }
    } else {
      sources.addAll(scope.sources);
    }
    for (Source src : sources) {
      EncryptedColumn any = src.anyEncrypted(this);
      if (any != null) {
        throw Failures.operatesOn(any, "an expression over all columns of its table");
      }
    }
  }

  /** A short description of an expression for messages: operators and function names only. */
  static String describe(Object e) {
    if (e instanceof Function f) {
      return "function " + f.getName() + "()";
    }
    if (e instanceof AnalyticExpression a) {
      return "window function " + a.getName() + "()";
    }
    if (e instanceof CastExpression) {
      return "a cast";
    }
    if (e instanceof CaseExpression) {
      return "CASE";
    }
    if (e instanceof BinaryExpression b) {
      return "operator '" + b.getStringExpression().trim() + "'";
    }
    if (e instanceof SignedExpression) {
      return "a sign operator";
    }
    return "an expression (" + e.getClass().getSimpleName() + ")";
  }

  // ------------------------------------------------------------------ columns

  Val column(Column c, Scope scope) throws SQLException {
    String name = c.getUnquotedColumnName();
    Val v;
    if (isUnqualified(c)) {
      v = unqualified(name, scope);
      if (v == Val.Simple.PLAIN
          && "default".equalsIgnoreCase(c.getColumnName())
          && noSuchColumn(name, scope)) {
        v = Val.Simple.DEFAULT;
      }
    } else {
      v =
          qualified(
              c.getTable().getUnquotedSchemaName(), c.getTable().getUnquotedName(), name, scope);
    }
    if (v instanceof Val.Enc enc && c.getArrayConstructor() != null) {
      throw Failures.operatesOn(enc.column(), "an array subscript");
    }
    return v;
  }

  private boolean noSuchColumn(String name, Scope scope) {
    for (Scope level = scope; level != null; level = level.parent) {
      for (Source src : level.sources) {
        if (src.lookup(name, this).presence() != Scope.Presence.NONE) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isUnqualified(Column c) {
    return c.getTable() == null
        || c.getTable().getName() == null
        || c.getTable().getName().isEmpty();
  }

  Val unqualified(String name, Scope scope) throws SQLException {
    boolean sawMaybe = false;
    for (Scope level = scope; level != null; level = level.parent) {
      EncryptedColumn enc = null;
      Source encSource = null;
      int encCount = 0;
      int plain = 0;
      int maybe = 0;
      for (Source src : level.sources) {
        Lookup l = src.lookup(name, this);
        switch (l.presence()) {
          case ENC -> {
            encCount++;
            if (enc == null) {
              enc = l.column();
              encSource = src;
            }
          }
          case PLAIN -> plain++;
          case MAYBE -> maybe++;
          case AMBIGUOUS -> throw Failures.ambiguous(l.column());
          default -> {}
        }
      }
      if (enc != null) {
        if (encCount + plain + maybe > 1 || sawMaybe) {
          throw Failures.ambiguous(enc);
        }
        touch(enc);
        return new Val.Enc(enc, encSource);
      }
      if (plain > 0) {
        return Val.Simple.PLAIN;
      }
      if (level.outputAliases != null) {
        Val alias = level.outputAliases.get(Scope.lower(name));
        if (alias != null) {
          return alias;
        }
      }
      if (maybe > 0) {
        sawMaybe = true;
        continue;
      }
      for (Source src : level.sources) {
        if (src.matches(null, name)) {
          EncryptedColumn any = src.anyEncrypted(this);
          if (any != null) {
            throw Failures.column(
                any,
                "a whole-row reference to its table would return its ciphertext",
                "Select the columns explicitly.");
          }
          return Val.Simple.PLAIN;
        }
      }
    }
    return Val.Simple.PLAIN;
  }

  private Val qualified(String qualifierSchema, String qualifier, String name, Scope scope)
      throws SQLException {
    for (Scope level = scope; level != null; level = level.parent) {
      List<Source> matches = new ArrayList<>();
      for (Source src : level.sources) {
        if (src.matches(qualifierSchema, qualifier)) {
          matches.add(src);
        }
      }
      if (matches.isEmpty()) {
        continue;
      }
      EncryptedColumn enc = null;
      Source encSource = null;
      boolean disagree = false;
      for (Source m : matches) {
        Lookup l = m.lookup(name, this);
        if (l.presence() == Scope.Presence.AMBIGUOUS) {
          throw Failures.ambiguous(l.column());
        }
        if (l.presence() == Scope.Presence.ENC) {
          if (enc == null) {
            enc = l.column();
            encSource = m;
          } else {
            disagree |= !enc.sameColumn(l.column());
          }
        } else {
          disagree = true;
        }
      }
      if (enc != null) {
        if (disagree) {
          throw Failures.ambiguous(enc);
        }
        touch(enc);
        return new Val.Enc(enc, encSource);
      }
      return Val.Simple.PLAIN;
    }
    if (encryptedNames.contains(Scope.lower(name))) {
      throw Failures.general(
          "cannot resolve the column reference "
              + qualifier
              + "."
              + name
              + ": "
              + qualifier
              + " is not a table or alias of this statement, and "
              + name
              + " is the name of an encrypted column, so Cloak fails closed. Qualify the column"
              + " with a table or alias from the FROM clause.");
    }
    return Val.Simple.PLAIN;
  }

  // ------------------------------------------------------------------ parameters and literals

  private void bindParam(JdbcParameter p, EncryptedColumn col) throws SQLException {
    Integer idx = p.getIndex();
    if (p.isUseFixedIndex() || idx == null) {
      throw Failures.column(
          col, "numbered parameters such as ?1 are not supported for it", "Use plain '?' markers.");
    }
    EncryptedColumn prev = params.get(idx);
    if (prev != null && !prev.sameColumn(col) && !prev.comparableWith(col)) {
      throw Failures.column(
          col,
          "the same parameter is also used for "
              + prev.qualifiedName()
              + ", which has a different key",
          "Use separate parameters.");
    }
    if (prev == null) {
      params.put(idx, col);
    }
    touch(col);
  }

  private void markLiteral(Expression node, EncryptedColumn col) throws SQLException {
    AnalyzedStatement.LiteralSite existing = literals.get(node);
    if (existing != null) {
      if (!existing.column().sameColumn(col) && !existing.column().comparableWith(col)) {
        throw Failures.column(
            col,
            "the same literal is also used for " + existing.column().qualifiedName(),
            "Bind the values as PreparedStatement parameters.");
      }
      return;
    }
    int[] span = Literals.span(node, sql);
    if (span == null || !Literals.spanMatches(sql.substring(span[0], span[1]), node)) {
      throw Failures.column(
          col,
          "Cloak cannot locate a literal written to or compared with it in the SQL text",
          "Bind the value as a PreparedStatement parameter instead.");
    }
    Object javaValue;
    try {
      javaValue = Literals.javaValue(node, sql.substring(span[0], span[1]));
    } catch (Literals.Unsupported u) {
      throw Failures.column(
          col,
          "it is given " + u.getMessage() + ", which Cloak cannot encrypt reliably",
          "Bind the value as a PreparedStatement parameter instead.");
    }
    literals.put(node, new AnalyzedStatement.LiteralSite(span[0], span[1], col, javaValue));
    touch(col);
  }

  /**
   * The number of {@code ?} parameters. When the statement touches encrypted columns, also checks
   * that the parser numbered them 1..n in textual order and found every marker, since a wrong
   * numbering would encrypt the wrong value.
   */
  int parameterCount(List<Statement> statements) throws SQLException {
    List<JdbcParameter> found = new ArrayList<>();
    for (Statement st : statements) {
      forEachNode(
          st,
          o -> {
            if (o instanceof JdbcParameter p) {
              found.add(p);
            }
          });
    }
    int max = 0;
    boolean fixed = false;
    for (JdbcParameter p : found) {
      fixed |= p.isUseFixedIndex();
      if (p.getIndex() != null) {
        max = Math.max(max, p.getIndex());
      }
    }
    if (touched()) {
      boolean ok = !fixed && found.size() == max && scan.parameterMarkers() == max;
      if (ok) {
        List<int[]> spans = new ArrayList<>();
        for (JdbcParameter p : found) {
          int[] s = Literals.span(p, sql);
          if (s == null || p.getIndex() == null) {
            ok = false;
            break;
          }
          spans.add(new int[] {s[0], p.getIndex()});
        }
        spans.sort(Comparator.comparingInt(s -> s[0]));
        for (int i = 0; ok && i < spans.size(); i++) {
          ok = spans.get(i)[1] == i + 1;
        }
      }
      if (!ok) {
        throw Failures.column(
            firstTouched,
            "Cloak cannot number the '?' parameters of this statement reliably",
            "Use plain '?' markers only, and no '?' operators.");
      }
    }
    return max;
  }

  // ------------------------------------------------------------------ generic walking

  /** Walks fields Cloak has no specific rule for; any encrypted column there fails closed. */
  private void walkRest(Object node, Scope scope, Set<String> handled) throws SQLException {
    for (Field f : AstFields.fields(node)) {
      if (!handled.contains(f.getName())) {
        Object v = AstFields.get(f, node);
        if (v != null) {
          genericAny(v, scope, "the " + f.getName() + " clause");
        }
      }
    }
  }

  private void genericAny(Object o, Scope scope, String what) throws SQLException {
    if (o == null
        || o instanceof Table
        || o instanceof Alias
        || o instanceof Enum<?>
        || o instanceof CharSequence
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Character) {
      return;
    }
    enter();
    try {
      if (o instanceof ExpressionList<?> list
          && !(list instanceof ParenthesedExpressionList<?> && list.size() == 1)) {
        for (Expression x : list) {
          genericAny(x, scope, what);
        }
        return;
      }
      if (o instanceof Expression e) {
        Val v = value(e, scope);
        if (v instanceof Val.Enc enc) {
          throw Failures.operatesOn(enc.column(), what);
        }
        return;
      }
      if (o instanceof Statement st) {
        statement(st);
        return;
      }
      if (o instanceof Iterable<?> it) {
        for (Object x : it) {
          genericAny(x, scope, what);
        }
      } else if (o instanceof Map<?, ?> m) {
        for (Object x : m.values()) {
          genericAny(x, scope, what);
        }
        return;
      } else if (o instanceof Object[] arr) {
        for (Object x : arr) {
          genericAny(x, scope, what);
        }
        return;
      }
      if (!AstFields.isAst(o)) {
        return;
      }
      for (Field f : AstFields.fields(o)) {
        genericAny(AstFields.get(f, o), scope, what);
      }
    } finally {
      leave();
    }
  }

  /** Visits every AST node reachable from {@code root} once. */
  static void forEachNode(Object root, Consumer<Object> visitor) {
    IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
    java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (o == null
          || o instanceof CharSequence
          || o instanceof Number
          || o instanceof Boolean
          || o instanceof Enum<?>
          || seen.put(o, Boolean.TRUE) != null) {
        continue;
      }
      if (o instanceof Collection<?> c) {
        for (Object x : c) {
          todo.push(x);
        }
      } else if (o instanceof Map<?, ?> m) {
        todo.addAll(m.values());
      } else if (o instanceof Object[] arr) {
        for (Object x : arr) {
          todo.push(x);
        }
      }
      if (AstFields.isAst(o)) {
        visitor.accept(o);
        for (Field f : AstFields.fields(o)) {
          Object v = AstFields.get(f, o);
          if (v != null) {
            todo.push(v);
          }
        }
      }
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      depth = 0;
      throw new TooComplexException();
    }
  }

  private void leave() {
    depth--;
  }

  // ------------------------------------------------------------------ names

  private static String aliasName(Alias a) {
    return a == null ? null : unquote(a.getName());
  }

  private static List<String> aliasColumns(Alias a) {
    if (a == null || a.getAliasColumns() == null || a.getAliasColumns().isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Alias.AliasColumn c : a.getAliasColumns()) {
      out.add(unquote(c.name));
    }
    return out;
  }

  /** Removes identifier quotes ("", ``, []). */
  static String unquote(String s) {
    if (s == null || s.length() < 2) {
      return s;
    }
    char first = s.charAt(0);
    char last = s.charAt(s.length() - 1);
    if ((first == '"' && last == '"') || (first == '`' && last == '`')) {
      return s.substring(1, s.length() - 1).replace("" + first + first, "" + first);
    }
    if (first == '[' && last == ']') {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  /** Fails closed, naming an encrypted column, if any table under {@code node} has one. */
  private void refuseIfItTouchesEncryptedTables(Object node, String reason, String remedy)
      throws SQLException {
    List<Table> tables = new ArrayList<>();
    forEachNode(
        node,
        o -> {
          if (o instanceof Table t) {
            tables.add(t);
          }
        });
    for (Table t : tables) {
      EncryptedColumn any = anyEncryptedColumn(t.getUnquotedSchemaName(), t.getUnquotedName());
      if (any != null) {
        throw Failures.column(any, reason, remedy);
      }
    }
  }
}
