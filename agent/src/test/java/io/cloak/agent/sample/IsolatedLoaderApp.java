package io.cloak.agent.sample;

import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import javax.sql.XADataSource;

/**
 * Loads H2's driver (or MariaDB's, for a {@code jdbc:mariadb:} URL) through a class loader isolated
 * from the system class path (as a plug-in system or an application server's module might) and
 * connects with it. Arguments: the URL, then how to connect: {@code driver} (the default: {@code
 * Driver.connect}), {@code datasource} ({@code DataSource.getConnection}) or {@code xa} ({@code
 * XADataSource.getXAConnection().getConnection()}). Prints {@code CONNECTION=}, or {@code REFUSED=}
 * and the message when connecting fails.
 */
public final class IsolatedLoaderApp {
  private IsolatedLoaderApp() {}

  public static void main(String[] args) throws Exception {
    boolean mariadb = args[0].startsWith("jdbc:mariadb:");
    String how = args.length > 1 ? args[1] : "driver";
    Class<?> driverClass = mariadb ? org.mariadb.jdbc.Driver.class : org.h2.Driver.class;
    String dataSourceClass =
        mariadb ? "org.mariadb.jdbc.MariaDbDataSource" : "org.h2.jdbcx.JdbcDataSource";
    URL jar = driverClass.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader isolated =
        new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      if (how.equals("driver")) {
        Driver driver =
            (Driver)
                isolated.loadClass(driverClass.getName()).getDeclaredConstructor().newInstance();
        try (Connection c = driver.connect(args[0], new Properties())) {
          System.out.println("CONNECTION=" + c);
        } catch (SQLException e) {
          System.out.println("REFUSED=" + e.getMessage());
        }
        return;
      }
      Object source = isolated.loadClass(dataSourceClass).getDeclaredConstructor().newInstance();
      source.getClass().getMethod("setUrl", String.class).invoke(source, args[0]);
      if (how.equals("datasource")) {
        try (Connection c = ((DataSource) source).getConnection()) {
          System.out.println("CONNECTION=" + c);
        } catch (SQLException e) {
          System.out.println("REFUSED=" + e.getMessage());
        }
        return;
      }
      javax.sql.XAConnection xa = ((XADataSource) source).getXAConnection();
      try (Connection c = xa.getConnection()) {
        System.out.println("CONNECTION=" + c);
      } catch (SQLException e) {
        System.out.println("REFUSED=" + e.getMessage());
      } finally {
        xa.close();
      }
    }
  }
}
