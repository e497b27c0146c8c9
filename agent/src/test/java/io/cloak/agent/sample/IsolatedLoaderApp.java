package io.cloak.agent.sample;

import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Loads H2's driver through a class loader isolated from the system class path (as a plug-in system
 * might) and connects with it directly. Argument: the H2 URL. Prints {@code CONNECTION=}, or {@code
 * REFUSED=} and the message when the connect fails.
 */
public final class IsolatedLoaderApp {
  private IsolatedLoaderApp() {}

  public static void main(String[] args) throws Exception {
    URL h2 = org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader isolated =
        new URLClassLoader(new URL[] {h2}, ClassLoader.getPlatformClassLoader())) {
      Driver driver =
          (Driver) isolated.loadClass("org.h2.Driver").getDeclaredConstructor().newInstance();
      try (Connection c = driver.connect(args[0], new Properties())) {
        System.out.println("CONNECTION=" + c);
      } catch (SQLException e) {
        System.out.println("REFUSED=" + e.getMessage());
      }
    }
  }
}
