package io.cloak.agent.jdbc;

import io.cloak.agent.CallGuard;
import io.cloak.config.CloakConfig;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.CloakRuntime;
import io.cloak.jdbc.internal.ConnectionFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.sql.ConnectionPoolDataSource;
import javax.sql.DataSource;
import javax.sql.PooledConnection;
import javax.sql.XADataSource;

/**
 * Wraps a connection the application just got from a driver or data source with the jdbc-driver's
 * logic ({@link CloakRuntime#connect}), for the one configuration the agent was started with.
 * Thread-safe.
 */
final class JdbcSupport {
  /**
   * The connection the application's call already opened, handed to {@link CloakRuntime#connect},
   * which asks its factory for "the real connection" exactly once, right away, on this thread.
   */
  private static final ThreadLocal<Connection> PENDING = new ThreadLocal<>();

  private final CloakConfig config;
  private final CloakRuntime runtime;

  JdbcSupport(CloakConfig config, CloakRuntime runtime) {
    this.config = config;
    this.runtime = runtime;
  }

  Connection wrapDriverConnection(
      Driver driver, String url, Properties info, Connection real, int[] state)
      throws SQLException {
    if (!config.appliesToDatabase(url)) {
      return real;
    }
    Properties copy = new Properties();
    if (info != null) {
      copy.putAll(info);
    }
    String id = "agent-driver:" + stripSecrets(url) + "|" + copy.getProperty("user", "");
    return wrap(real, () -> driver.connect(url, copy), id, state);
  }

  Connection wrapDataSourceConnection(
      DataSource dataSource, Object[] args, Connection real, int[] state) throws SQLException {
    if (isCloak(real)) {
      // e.g. a pool's proxy of a connection the driver hook already wrapped: the usual case
      state[CallGuard.JDBC_WRAPPED] = 1;
      return real;
    }
    if (!config.databases().isEmpty()) {
      String url = CallGuard.internal(() -> real.getMetaData().getURL());
      if (!config.appliesToDatabase(url)) {
        return real;
      }
    }
    ConnectionFactory reopen;
    String id = "agent-datasource:" + System.identityHashCode(dataSource);
    if (args.length == 2) {
      String user = (String) args[0];
      String password = (String) args[1];
      reopen = () -> dataSource.getConnection(user, password);
      id += "|" + user;
    } else {
      reopen = dataSource::getConnection;
    }
    return wrap(real, reopen, id, state);
  }

  /** Where each pooled (or XA) connection came from: its data source and the arguments. */
  private final Map<Object, PooledSource> pooledSources =
      Collections.synchronizedMap(new WeakHashMap<>());

  private record PooledSource(Object source, Object[] args) {}

  void rememberSource(Object pooled, Object source, Object[] args) {
    pooledSources.put(pooled, new PooledSource(source, args.clone()));
  }

  /**
   * The logical connection of a {@code PooledConnection} or {@code XAConnection}. Cloak's own
   * connections to that database (data keys, schema) come from new pooled connections of the same
   * data source, each closed with its logical connection.
   */
  Connection wrapPooledConnection(Object pooled, Connection real, int[] state) throws SQLException {
    if (isCloak(real)) {
      state[CallGuard.JDBC_WRAPPED] = 1;
      return real;
    }
    if (!config.databases().isEmpty()) {
      String url = CallGuard.internal(() -> real.getMetaData().getURL());
      if (!config.appliesToDatabase(url)) {
        return real;
      }
    }
    PooledSource from = pooledSources.get(pooled);
    if (from == null) {
      throw new SQLException(
          "Cloak: cannot encrypt the connection of "
              + pooled.getClass().getName()
              + ": it was not made by an XADataSource or ConnectionPoolDataSource the agent saw, so"
              + " Cloak has no way to open its own connections to the database (for the data"
              + " keys). Let the pool use the driver's XADataSource or ConnectionPoolDataSource, or"
              + " a DataSource",
          "08001");
    }
    Object[] args = from.args();
    String id =
        "agent-pooled:"
            + System.identityHashCode(from.source())
            + (args.length == 2 ? "|" + args[0] : "");
    return wrap(real, () -> openLogical(from), id, state);
  }

  /** A new logical connection from the source; closing it closes its pooled connection too. */
  private static Connection openLogical(PooledSource from) throws SQLException {
    Object[] args = from.args();
    PooledConnection pooled;
    if (from.source() instanceof XADataSource xa) {
      pooled =
          args.length == 2
              ? xa.getXAConnection((String) args[0], (String) args[1])
              : xa.getXAConnection();
    } else {
      ConnectionPoolDataSource cp = (ConnectionPoolDataSource) from.source();
      pooled =
          args.length == 2
              ? cp.getPooledConnection((String) args[0], (String) args[1])
              : cp.getPooledConnection();
    }
    Connection logical;
    try {
      logical = pooled.getConnection();
    } catch (SQLException | RuntimeException e) {
      try {
        pooled.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return (Connection)
        Proxy.newProxyInstance(
            JdbcSupport.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, methodArgs) -> {
              if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try {
                  logical.close();
                } finally {
                  pooled.close();
                }
                return null;
              }
              try {
                return method.invoke(logical, methodArgs);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private Connection wrap(Connection real, ConnectionFactory reopen, String id, int[] state)
      throws SQLException {
    state[CallGuard.INTERNAL]++;
    try {
      if (isCloak(real)) {
        state[CallGuard.JDBC_WRAPPED] = 1;
        return real;
      }
      ConnectionFactory factory = new HandOver(reopen);
      PENDING.set(real);
      try {
        Connection wrapped = runtime.connect(factory, id);
        state[CallGuard.JDBC_WRAPPED] = 1;
        return wrapped;
      } finally {
        if (PENDING.get() != null) {
          // the runtime failed before taking the connection: do not leak it
          PENDING.remove();
          closeQuietly(real);
        }
      }
    } finally {
      state[CallGuard.INTERNAL]--;
    }
  }

  static boolean isCloak(Connection c) {
    try {
      return c.isWrapperFor(CloakConnection.class);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      // already failing; the first error is the one to report
    }
  }

  private static String stripSecrets(String url) {
    return url == null ? "" : url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***");
  }

  /**
   * The factory the runtime keeps for the database: the first call on the thread that is wrapping
   * takes the pending connection; later calls (data keys, schema reads) open a new one through the
   * original driver or data source, as Cloak's own work so that no hook wraps it.
   */
  private static final class HandOver implements ConnectionFactory {
    private final ConnectionFactory reopen;

    HandOver(ConnectionFactory reopen) {
      this.reopen = reopen;
    }

    @Override
    public Connection connect() throws SQLException {
      Connection pending = PENDING.get();
      if (pending != null) {
        PENDING.remove();
        return pending;
      }
      return CallGuard.internal(reopen::connect);
    }
  }
}
