package io.cloak.agent.sample;

import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Loads H2's driver (or MariaDB's, for a {@code jdbc:mariadb:} URL) through a class loader isolated
 * from the system class path (as a plug-in system might) and connects with it directly through the
 * {@code Driver} interface. Argument: the URL. Prints {@code CONNECTION=}, or {@code REFUSED=} and
 * the message when the connect fails.
 */
public final class IsolatedLoaderApp {
  private IsolatedLoaderApp() {}

  public static void main(String[] args) throws Exception {
    Class<?> driverClass =
        args[0].startsWith("jdbc:mariadb:") ? org.mariadb.jdbc.Driver.class : org.h2.Driver.class;
    URL jar = driverClass.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader isolated =
        new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
      Driver driver =
          (Driver) isolated.loadClass(driverClass.getName()).getDeclaredConstructor().newInstance();
      try (Connection c = driver.connect(args[0], new Properties())) {
        System.out.println("CONNECTION=" + c);
      } catch (SQLException e) {
        System.out.println("REFUSED=" + e.getMessage());
      }
    }
  }
}
