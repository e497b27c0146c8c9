package io.cloak.jdbc.internal;

import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.sql.AnalyzedStatement;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
        ColumnBinding rotated = db.binding((String) args[0], (String) args[1], real);
        return db.keys.rotate(
            SchemaCatalog.binding(rotated.rule), rotated.rule.key(), rotated.label());
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
