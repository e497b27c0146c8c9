package io.cloak.jdbc.internal;

import io.cloak.jdbc.internal.sql.AnalyzedStatement;
import io.cloak.jdbc.internal.sql.EncryptedColumn;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxy for {@link Statement} and {@link PreparedStatement}. SQL passed to {@code execute*} and
 * {@code addBatch} is analysed and its literals for encrypted columns are encrypted; parameters
 * bound to encrypted columns are encrypted by their setter; result sets are wrapped so encrypted
 * columns decrypt.
 */
final class StatementHandler implements InvocationHandler {
  private static final Set<String> VALUE_SETTERS =
      Set.of(
          "setString",
          "setNString",
          "setInt",
          "setLong",
          "setShort",
          "setByte",
          "setBoolean",
          "setDouble",
          "setFloat",
          "setBigDecimal",
          "setDate",
          "setTime",
          "setTimestamp",
          "setBytes",
          "setObject");

  private final Statement real;
  private final Connection proxyConnection;
  private final Connection realConnection;
  private final DatabaseContext db;
  private final AnalyzedStatement prepared;
  // Per parameter of the prepared statement: bound as PgDeferredBytea.ofText; null when none is.
  private final boolean[] deferredText;
  private volatile AnalyzedStatement last;
  // The binding of each encrypted parameter, looked up once per schema generation instead of once
  // per value (the lookup hashes the EncryptedColumn record).
  private volatile BoundParameters bound;

  /** Bindings of the prepared statement's encrypted parameters, valid for one generation. */
  private record BoundParameters(int generation, ColumnBinding[] byIndex) {}

  private StatementHandler(
      Statement real,
      AnalyzedStatement prepared,
      boolean[] deferredText,
      Connection proxyConnection,
      Connection realConnection,
      DatabaseContext db) {
    this.real = real;
    this.prepared = prepared;
    this.deferredText = deferredText;
    this.last = prepared;
    this.proxyConnection = proxyConnection;
    this.realConnection = realConnection;
    this.db = db;
  }

  static Statement wrapStatement(
      Statement real, Connection proxyConnection, Connection realConnection, DatabaseContext db) {
    return Delegation.proxy(
        Statement.class,
        new StatementHandler(real, null, null, proxyConnection, realConnection, db));
  }

  /**
   * @param deferredText per parameter index, whether the SQL given to {@code real} has {@link
   *     PgDeferredBytea#TEXT_PARAMETER} in place of its {@code ?}; null when none has
   */
  static PreparedStatement wrapPrepared(
      PreparedStatement real,
      AnalyzedStatement analysis,
      boolean[] deferredText,
      Connection proxyConnection,
      Connection realConnection,
      DatabaseContext db) {
    return new CloakPreparedStatement(
        real,
        new StatementHandler(real, analysis, deferredText, proxyConnection, realConnection, db));
  }

  /**
   * {@link #invoke} for {@link CloakPreparedStatement}: runs {@code method} as the proxy would,
   * with {@code self} standing for the proxy.
   */
  Object call(Object self, Method method, Object... args) throws SQLException {
    try {
      return invoke(self, method, args.length == 0 ? null : args);
    } catch (SQLException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new java.lang.reflect.UndeclaredThrowableException(e);
    }
  }

  /** The encrypted column parameter {@code index} is bound to, or {@code null} if it is plain. */
  EncryptedColumn encryptedParameter(int index) {
    return prepared == null ? null : parameter(index);
  }

  /** The connection proxy that created this statement. */
  Connection connection() {
    return proxyConnection;
  }

  /** A result set of the prepared statement, wrapped so its encrypted columns decrypt. */
  ResultSet wrapPreparedResult(ResultSet rs, Statement self) {
    return wrapResult(rs, prepared, self);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object handled = Delegation.wrapperMethod(proxy, real, method, args);
    if (handled != Delegation.NOT_HANDLED) {
      return handled;
    }
    String name = method.getName();
    if (name.startsWith("set")
        && prepared != null
        && args != null
        && args.length >= 2
        && args[0] instanceof Integer index) {
      EncryptedColumn target = parameter(index);
      if (target != null) {
        bindEncrypted(name, index, args[1], target);
        return null;
      }
      return Delegation.call(real, method, args);
    }
    switch (name) {
      case "execute":
      case "executeQuery":
      case "executeUpdate":
      case "executeLargeUpdate":
      case "addBatch":
        if (args != null && args.length >= 1 && args[0] instanceof String sql) {
          return executeSql(proxy, method, args, sql);
        }
        Object result = Delegation.call(real, method, args);
        return result instanceof ResultSet rs ? wrapResult(rs, prepared, proxy) : result;
      case "getResultSet":
        return wrapResult((ResultSet) Delegation.call(real, method, args), last, proxy);
      case "getGeneratedKeys":
        return wrapResult((ResultSet) Delegation.call(real, method, args), null, proxy);
      case "getConnection":
        return proxyConnection;
      case "toString":
        return "CloakStatement[" + real + "]";
      default:
        return Delegation.call(real, method, args);
    }
  }

  private EncryptedColumn parameter(int index) {
    return index >= 1 && index <= prepared.parameterCount() ? prepared.parameter(index) : null;
  }

  private ColumnBinding binding(int index, EncryptedColumn target) throws SQLException {
    int generation = db.generation();
    BoundParameters cached = bound;
    if (cached == null || cached.generation() != generation) {
      cached = new BoundParameters(generation, new ColumnBinding[prepared.parameterCount() + 1]);
      bound = cached;
    }
    ColumnBinding binding = cached.byIndex()[index];
    if (binding == null) {
      binding = db.binding(target, realConnection);
      cached.byIndex()[index] = binding;
    }
    return binding;
  }

  /**
   * Encrypts {@code value} for parameter {@code index}, bound to {@code target}, with the setter
   * named {@code setter} ({@code setNull} binds SQL NULL whatever {@code value} is).
   */
  void bindEncrypted(String setter, int index, Object value, EncryptedColumn target)
      throws SQLException {
    ColumnBinding binding = binding(index, target);
    if (setter.equals("setNull")) {
      binding.bind((PreparedStatement) real, index, null, asText(index));
      return;
    }
    if (!VALUE_SETTERS.contains(setter)) {
      throw Errors.notSupported(
          setter
              + " cannot bind parameter "
              + index
              + " of encrypted column "
              + binding.label()
              + "; pass the value with setString, setBytes, setObject or another value setter");
    }
    binding.bind((PreparedStatement) real, index, value, asText(index));
  }

  private boolean asText(int index) {
    return deferredText != null && deferredText[index];
  }

  /**
   * {@link #bindEncrypted} for one of the value setters ({@code setString}, {@code setInt}, ...),
   * which {@link CloakPreparedStatement} calls directly: the setter name needs no checking.
   */
  void bindEncryptedValue(int index, Object value, EncryptedColumn target) throws SQLException {
    binding(index, target).bind((PreparedStatement) real, index, value, asText(index));
  }

  private Object executeSql(Object proxy, Method method, Object[] args, String sql)
      throws Throwable {
    AnalyzedStatement analysis = db.analyze(sql, realConnection);
    Object[] callArgs = args;
    if (analysis.hasLiteralsToEncrypt()) {
      callArgs = args.clone();
      callArgs[0] =
          analysis.rewriteLiterals(
              (column, value) -> db.binding(column, realConnection).sqlLiteral(value));
    }
    last = analysis;
    Object result = Delegation.call(real, method, callArgs);
    if (isDdl(sql)) {
      db.schemaChanged();
    }
    return result instanceof ResultSet rs ? wrapResult(rs, analysis, proxy) : result;
  }

  private static boolean isDdl(String sql) {
    String head = sql.stripLeading().toUpperCase(Locale.ROOT);
    return head.startsWith("CREATE") || head.startsWith("ALTER") || head.startsWith("DROP");
  }

  private ResultSet wrapResult(ResultSet rs, AnalyzedStatement analysis, Object statementProxy) {
    if (rs == null) {
      return null;
    }
    List<EncryptedColumn> columns = analysis == null ? List.of() : analysis.resultColumns();
    return ResultSetHandler.wrap(rs, columns, (Statement) statementProxy, realConnection, db);
  }
}
