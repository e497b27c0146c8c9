package io.cloak.agent.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Properties;

/**
 * An application that already uses Cloak's own {@code jdbc:cloak:} driver (loaded by name) while
 * the agent is active: the driver delegates to H2's driver, and the connection must still be
 * wrapped once. Arguments: the {@code jdbc:cloak:} URL, the config path, a raw URL.
 */
public final class CloakUrlApp {
  private CloakUrlApp() {}

  public static void main(String[] args) throws Exception {
    Class.forName("io.cloak.jdbc.CloakDriver");
    Properties p = new Properties();
    p.setProperty("cloak.config", args[1]);
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      System.out.println("CONNECTION=" + c);
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(1000), note VARCHAR(1000))");
      }
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO customers (id, email, note) VALUES (?, ?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, "alice@example.com");
        ps.setString(3, "likes tea");
        ps.executeUpdate();
      }
      SampleSupport.printRows(c, "VALUE");
    }
    try (Connection raw = DriverManager.getConnection(args[2])) {
      SampleSupport.printRows(raw, "RAW");
    }
  }
}
