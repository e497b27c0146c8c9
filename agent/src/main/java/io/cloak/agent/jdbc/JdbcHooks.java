package io.cloak.agent.jdbc;

import io.cloak.agent.CallGuard;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * What the advice inlined into application and driver classes calls. Public because that advice
 * runs inside other packages and class loaders; not an API for applications.
 *
 * <p>Rules, per thread (see {@link CallGuard}):
 *
 * <ul>
 *   <li>While Cloak does its own work ({@link CallGuard#INTERNAL}) nothing is wrapped; this covers
 *       the data-key and schema connections Cloak opens through the original {@code connect}.
 *   <li>Hooked calls nest (a pool's data source calls a driver; a proxy driver calls the real one).
 *       The innermost call that returns a connection of a covered database wraps it; every
 *       enclosing hooked call of the same outermost call then returns what it got unchanged.
 *   <li>A connection that already is a Cloak connection ({@code isWrapperFor(CloakConnection)}) is
 *       never wrapped again, e.g. a HikariCP proxy of a pooled Cloak connection.
 *   <li>Inside Cloak's own {@code CloakDriver} / {@code CloakDataSource} nothing is wrapped: they
 *       wrap their connections themselves.
 * </ul>
 */
public final class JdbcHooks {
  private static volatile JdbcSupport support;

  private JdbcHooks() {}

  static void install(JdbcSupport s) {
    support = s;
  }

  /** Enter advice of a hooked call: one level deeper. */
  public static int[] enter() {
    int[] state = CallGuard.state();
    state[CallGuard.JDBC_DEPTH]++;
    return state;
  }

  /** Exit advice of {@code Driver.connect}: the connection to return. */
  public static Connection afterDriverConnect(
      int[] state, Object driver, String url, Properties info, Connection c, Throwable thrown)
      throws SQLException {
    return afterHook(
        state, c, thrown, s -> s.wrapDriverConnection((Driver) driver, url, info, c, state));
  }

  /** Exit advice of {@code DataSource.getConnection}: the connection to return. */
  public static Connection afterDataSourceConnection(
      int[] state, Object dataSource, Object[] args, Connection c, Throwable thrown)
      throws SQLException {
    return afterHook(
        state, c, thrown, s -> s.wrapDataSourceConnection((DataSource) dataSource, args, c, state));
  }

  /**
   * At each return of a {@code Driver.connect} bridge method (see {@link ConnectionReturns}): the
   * connection to return, as the {@code connect} advice would give it.
   */
  public static Connection driverReturn(Connection c, Object driver, String url, Properties info)
      throws SQLException {
    int[] state = enter();
    return afterDriverConnect(state, driver, url, info, c, null);
  }

  /** At each return of a {@code DataSource.getConnection()} bridge method. */
  public static Connection dataSourceReturn(Connection c, Object dataSource) throws SQLException {
    int[] state = enter();
    return afterDataSourceConnection(state, dataSource, new Object[0], c, null);
  }

  /** At each return of a {@code DataSource.getConnection(user, password)} bridge method. */
  public static Connection dataSourceReturn(
      Connection c, Object dataSource, String user, String password) throws SQLException {
    int[] state = enter();
    return afterDataSourceConnection(state, dataSource, new Object[] {user, password}, c, null);
  }

  /**
   * At each return of {@code PooledConnection.getConnection()} (also XA; see {@link
   * ConnectionReturns}): the logical connection to return.
   */
  public static Connection wrapLogical(Connection c, Object pooled) throws SQLException {
    int[] state = enter();
    return afterHook(state, c, null, s -> s.wrapPooledConnection(pooled, c, state));
  }

  /**
   * Enter advice of {@code XADataSource.getXAConnection} and {@code
   * ConnectionPoolDataSource.getPooledConnection}: nothing they open is wrapped.
   */
  public static int[] enterPhysical() {
    int[] state = enter();
    state[CallGuard.JDBC_PHYSICAL]++;
    return state;
  }

  /**
   * Exit advice of {@code getXAConnection} / {@code getPooledConnection}: remembers where the
   * pooled connection came from, so that Cloak can open its own connections to that database.
   */
  public static void afterPhysical(int[] state, Object source, Object[] args, Object pooled) {
    state[CallGuard.JDBC_PHYSICAL]--;
    int depth = --state[CallGuard.JDBC_DEPTH];
    if (depth == 0) {
      state[CallGuard.JDBC_WRAPPED] = 0;
    }
    JdbcSupport s = support;
    if (s != null && pooled != null && state[CallGuard.INTERNAL] == 0) {
      s.rememberSource(pooled, source, args);
    }
  }

  /** How a hook wraps the connection it intercepted. */
  @FunctionalInterface
  private interface Wrapping {
    Connection wrap(JdbcSupport support) throws SQLException;
  }

  /**
   * The exit bookkeeping shared by the hooks: leave one level of the call-depth guard, and wrap the
   * connection unless the call failed, Cloak itself is working, or an inner hooked call of the same
   * chain already wrapped it. The outermost exit clears the "already wrapped" mark.
   */
  private static Connection afterHook(
      int[] state, Connection c, Throwable thrown, Wrapping wrapping) throws SQLException {
    int depth = --state[CallGuard.JDBC_DEPTH];
    try {
      JdbcSupport s = support;
      if (thrown != null
          || c == null
          || s == null
          || state[CallGuard.INTERNAL] > 0
          || state[CallGuard.JDBC_PHYSICAL] > 0
          || state[CallGuard.JDBC_WRAPPED] != 0) {
        return c;
      }
      return wrapping.wrap(s);
    } finally {
      if (depth == 0) {
        state[CallGuard.JDBC_WRAPPED] = 0;
      }
    }
  }

  /** Enter advice of Cloak's own driver and data source. */
  public static int[] enterCloakOwn() {
    int[] state = CallGuard.state();
    state[CallGuard.JDBC_DEPTH]++;
    state[CallGuard.INTERNAL]++;
    return state;
  }

  /** Exit advice of Cloak's own driver and data source. */
  public static void exitCloakOwn(int[] state, Connection c) {
    state[CallGuard.INTERNAL]--;
    int depth = --state[CallGuard.JDBC_DEPTH];
    if (depth == 0) {
      state[CallGuard.JDBC_WRAPPED] = 0;
    } else if (c != null) {
      state[CallGuard.JDBC_WRAPPED] = 1;
    }
  }
}
