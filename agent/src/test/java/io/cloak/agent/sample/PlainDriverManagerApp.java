package io.cloak.agent.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An application that knows nothing of Cloak and uses only {@link DriverManager}. Argument: the
 * JDBC URL (credentials in it). Prints {@code KEY=value} lines.
 */
public final class PlainDriverManagerApp {
  private PlainDriverManagerApp() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0])) {
      System.out.println("CONNECTION=" + c);
      System.out.println("CLOAK=" + SampleSupport.isCloak(c));
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
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
        ps.setString(1, "alice@example.com");
        try (ResultSet rs = ps.executeQuery()) {
          System.out.println("FOUND_ID=" + (rs.next() ? rs.getInt(1) : -1));
        }
      }
      SampleSupport.printRows(c, "VALUE");
    }
  }
}
