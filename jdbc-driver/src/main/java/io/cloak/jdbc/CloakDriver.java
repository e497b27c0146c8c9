package io.cloak.jdbc;

import io.cloak.jdbc.internal.CloakRuntime;
import io.cloak.jdbc.internal.ConnectionFactory;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:cloak:} driver: put {@code cloak:} after {@code jdbc:} in any JDBC URL (for
 * example {@code jdbc:cloak:postgresql://db/app}) and the columns named in {@code cloak.yaml} are
 * encrypted before they leave the JVM and decrypted in result sets.
 *
 * <p>The driver registers itself with {@link DriverManager} when loaded (also through {@code
 * META-INF/services/java.sql.Driver}). It accepts only URLs that start with {@value #PREFIX},
 * strips that prefix once, and hands the rest to the first other registered driver that accepts it.
 * The configuration comes from the connection property {@code cloak.config}, the system property
 * {@code cloak.config}, the environment variable {@code CLOAK_CONFIG}, or {@code cloak.yaml} on the
 * classpath. Thread-safe.
 */
public final class CloakDriver implements Driver {
  /** The URL prefix this driver recognises. */
  public static final String PREFIX = "jdbc:cloak:";

  static {
    try {
      DriverManager.registerDriver(new CloakDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    String realUrl = "jdbc:" + url.substring(PREFIX.length());
    Properties realInfo = new Properties();
    if (info != null) {
      realInfo.putAll(info);
    }
    String configPath = (String) realInfo.remove(CloakRuntime.CONFIG_PROPERTY);
    Driver real = findRealDriver(realUrl);
    ConnectionFactory raw = () -> real.connect(realUrl, realInfo);
    CloakRuntime runtime = CloakRuntime.forConfig(configPath, classLoader());
    String user = realInfo.getProperty("user", "");
    return runtime.connect(raw, stripSecrets(realUrl) + "|" + user);
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(PREFIX) && url.length() > PREFIX.length();
  }

  private static Driver findRealDriver(String realUrl) throws SQLException {
    List<String> registered = new ArrayList<>();
    for (Enumeration<Driver> e = DriverManager.getDrivers(); e.hasMoreElements(); ) {
      Driver d = e.nextElement();
      if (d instanceof CloakDriver) {
        continue;
      }
      registered.add(d.getClass().getName());
      if (d.acceptsURL(realUrl)) {
        return d;
      }
    }
    String scheme = realUrl.split(":", 3).length > 1 ? realUrl.split(":", 3)[1] : realUrl;
    throw new SQLException(
        "Cloak: no registered JDBC driver accepts jdbc:"
            + scheme
            + ":... (after removing the cloak: prefix); registered drivers: "
            + (registered.isEmpty() ? "none" : String.join(", ", registered))
            + ". Put the database's JDBC driver on the classpath.",
        "08001");
  }

  private static String stripSecrets(String url) {
    return url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***");
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : CloakDriver.class.getClassLoader();
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    DriverPropertyInfo config = new DriverPropertyInfo(CloakRuntime.CONFIG_PROPERTY, null);
    config.description = "path of cloak.yaml (else -Dcloak.config, CLOAK_CONFIG, classpath)";
    return new DriverPropertyInfo[] {config};
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("Cloak logs through java.util.logging: io.cloak");
  }
}
