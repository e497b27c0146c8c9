package io.cloak.agent.jdbc;

import io.cloak.agent.CallGuard;
import io.cloak.config.CloakConfig;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.CloakRuntime;
import io.cloak.jdbc.internal.ConnectionFactory;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

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
