package io.cloak.jdbc;

import io.cloak.config.CloakConfig;
import io.cloak.jdbc.internal.CloakRuntime;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps any {@link DataSource} so that its connections encrypt the columns named in {@code
 * cloak.yaml}; for HikariCP's {@code dataSource}, Spring, or anything that takes a DataSource.
 * Thread-safe.
 */
public final class CloakDataSource implements DataSource {
  private final DataSource delegate;
  private final String configPath;
  private final CloakConfig config;

  /** Wraps {@code delegate}, finding the configuration the usual way (see {@link CloakDriver}). */
  public CloakDataSource(DataSource delegate) {
    this(delegate, null, null);
  }

  /** Wraps {@code delegate} with the configuration file at {@code configPath}. */
  public CloakDataSource(DataSource delegate, String configPath) {
    this(delegate, Objects.requireNonNull(configPath), null);
  }

  /** Wraps {@code delegate} with an already loaded configuration. */
  public CloakDataSource(DataSource delegate, CloakConfig config) {
    this(delegate, null, Objects.requireNonNull(config));
  }

  private CloakDataSource(DataSource delegate, String configPath, CloakConfig config) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.configPath = configPath;
    this.config = config;
  }

  private CloakRuntime runtime() throws SQLException {
    return config != null
        ? CloakRuntime.forConfig(config)
        : CloakRuntime.forConfig(configPath, CloakDataSource.class.getClassLoader());
  }

  @Override
  public Connection getConnection() throws SQLException {
    return runtime()
        .connect(delegate::getConnection, "datasource@" + System.identityHashCode(delegate));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return runtime()
        .connect(
            () -> delegate.getConnection(username, password),
            "datasource@" + System.identityHashCode(delegate) + "|" + username);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return "CloakDataSource[" + delegate.getClass().getName() + "]";
  }
}
