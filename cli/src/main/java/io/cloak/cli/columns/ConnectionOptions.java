package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.jdbc.CloakDataSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import picocli.CommandLine.Option;

/** The options every column command takes: the config file and the database to work on. */
public final class ConnectionOptions {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The cloak.yaml naming the encrypted columns and the KMS.")
  Path config;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "JDBC_URL",
      description = "The database's JDBC URL, without 'cloak:' (e.g. jdbc:postgresql://db/shop).")
  String url;

  @Option(names = "--user", paramLabel = "USER", description = "Database user.")
  String user;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      description = "Database password (default: the environment variable " + PASSWORD_ENV + ").")
  String password;

  /** Environment variable read when {@code --password} is not given. */
  static final String PASSWORD_ENV = "CLOAK_DB_PASSWORD";

  /** Loads the config file. */
  CloakConfig loadConfig() {
    return CloakConfig.load(config);
  }

  /** The URL of the real driver: {@code --url} with a leading {@code cloak:} removed. */
  String realUrl() {
    String u = url.strip();
    if (u.startsWith("jdbc:cloak:")) {
      u = "jdbc:" + u.substring("jdbc:cloak:".length());
    }
    if (!u.startsWith("jdbc:")) {
      throw new ColumnOpException("--url must be a JDBC URL starting with jdbc:, got " + url);
    }
    return u;
  }

  private Properties credentials() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    String pass = password != null ? password : System.getenv(PASSWORD_ENV);
    if (pass != null) {
      p.setProperty("password", pass);
    }
    return p;
  }

  /** A connection through the real driver only: sees the stored (raw) values. */
  Connection plain() throws SQLException {
    return DriverManager.getConnection(realUrl(), credentials());
  }

  /**
   * A Cloak connection for {@code config}, with plaintext reads allowed (the column may be half
   * migrated). Used for data-key management ({@code rotateDataKey}).
   */
  Connection cloak(CloakConfig config) throws SQLException {
    return new CloakDataSource(new PlainDataSource(), config.withAllowPlaintextReads(true))
        .getConnection();
  }

  /** A minimal DataSource over {@link DriverManager} and these options. */
  private final class PlainDataSource implements DataSource {
    private PrintWriter logWriter;
    private int loginTimeout;

    @Override
    public Connection getConnection() throws SQLException {
      return plain();
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", username);
      p.setProperty("password", pass);
      return DriverManager.getConnection(realUrl(), p);
    }

    @Override
    public PrintWriter getLogWriter() {
      return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
      this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
      return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      if (iface.isInstance(this)) {
        return iface.cast(this);
      }
      throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return iface.isInstance(this);
    }
  }
}
