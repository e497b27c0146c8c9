package io.cloak.jdbc.internal;

import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.sql.AnalyzedStatement;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The {@link CloakConnection} proxy: statements it creates are analysed and wrapped; everything
 * else goes to the real connection unchanged.
 */
final class ConnectionHandler implements InvocationHandler {
  private final Connection real;
  private final DatabaseContext db;

  private ConnectionHandler(Connection real, DatabaseContext db) {
    this.real = real;
    this.db = db;
  }

  static Connection wrap(Connection real, DatabaseContext db) {
    if (Proxy.isProxyClass(real.getClass())
        && Proxy.getInvocationHandler(real) instanceof ConnectionHandler) {
      return real;
    }
    return Delegation.proxy(CloakConnection.class, new ConnectionHandler(real, db));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object handled = Delegation.wrapperMethod(proxy, real, method, args);
    if (handled != Delegation.NOT_HANDLED) {
      return handled;
    }
    switch (method.getName()) {
      case "createStatement":
        return StatementHandler.wrapStatement(
            (Statement) Delegation.call(real, method, args), (Connection) proxy, real, db);
      case "prepareStatement":
        return prepare(proxy, method, args);
      case "prepareCall":
        AnalyzedStatement call = db.analyze((String) args[0], real);
        if (call.touchesEncryptedColumns()) {
          throw Errors.notSupported(
              "stored procedure calls that pass or return encrypted columns are not supported;"
                  + " use a statement or a prepared statement");
        }
        return Delegation.call(real, method, args);
      case "rotateDataKey":
        return rotate((String) args[0], (String) args[1], false);
      case "rotateDataKeyWithEqualityGap":
        return rotate((String) args[0], (String) args[1], true);
      case "dataKeyCacheStats":
        return db.runtime.cache.stats();
      case "configSource":
        return db.runtime.config.source();
      case "toString":
        return "CloakConnection[" + real + "]";
      default:
        return Delegation.call(real, method, args);
    }
  }

  /**
   * Adds a data-key version. A deterministic column that already has one is refused unless {@code
   * acceptEqualityGap}: equal plaintexts would get different ciphertexts under the two versions, so
   * equality, joins and grouping would silently miss values until all are re-encrypted.
   */
  private int rotate(String table, String column, boolean acceptEqualityGap) throws SQLException {
    ColumnBinding rotated = db.binding(table, column, real);
    ColumnRule rule = rotated.rule;
    String binding = SchemaCatalog.binding(rule);
    if (rule.mode() == EncryptionMode.DETERMINISTIC
        && !acceptEqualityGap
        && db.keys.hasVersions(binding, rule.key(), rotated.label())) {
      throw Errors.notSupported(deterministicRotationRefused(rule));
    }
    return db.keys.rotate(binding, rule.key(), rotated.label());
  }

  private String deterministicRotationRefused(ColumnRule rule) {
    String name = rule.qualifiedName();
    StringBuilder group = new StringBuilder();
    if (rule.joinGroup() != null) {
      group.append(" (its join group '").append(rule.joinGroup()).append("' shares one data key:");
      for (ColumnRule r : db.runtime.config.columns()) {
        if (rule.joinGroup().equals(r.joinGroup()) && r.mode() == EncryptionMode.DETERMINISTIC) {
          group.append(' ').append(r.qualifiedName());
        }
      }
      group.append(')');
    }
    return "cannot rotate the data key of "
        + name
        + group
        + ", mode deterministic: values written under the old and the new version would have"
        + " different ciphertexts for equal plaintexts, so until every value is re-encrypted,"
        + " equality, IN, joins, GROUP BY, DISTINCT and unique indexes on it would silently miss or"
        + " split them. To protect the same data key under a new master key, run 'cloak rotate'"
        + " (equality keeps working). To replace the data key, stop the applications that search"
        + " the column, then run 'cloak reencrypt --rotate-key --accept-equality-gap' for it"
        + (rule.joinGroup() != null ? " and for every column of the join group" : "")
        + " (CloakConnection.rotateDataKeyWithEqualityGap).";
  }

  private Object prepare(Object proxy, Method method, Object[] args) throws Throwable {
    String sql = (String) args[0];
    AnalyzedStatement analysis = db.analyze(sql, real);
    boolean[] deferredText = db.deferredTextParameters(analysis, real);
    if (analysis.hasLiteralsToEncrypt() || deferredText != null) {
      Object[] rewritten = args.clone();
      rewritten[0] =
          analysis.rewrite(
              (column, value) -> db.binding(column, real).sqlLiteral(value),
              deferredText == null
                  ? null
                  : i -> deferredText[i] ? PgDeferredBytea.TEXT_PARAMETER : null);
      args = rewritten;
    }
    PreparedStatement ps = (PreparedStatement) Delegation.call(real, method, args);
    return StatementHandler.wrapPrepared(ps, analysis, deferredText, (Connection) proxy, real, db);
  }
}
