package io.cloak.agent.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * An application that knows nothing of Cloak: plain {@link DriverManager} and H2's own {@code
 * JdbcDataSource} (which opens connections without going through {@code Driver.connect}). It prints
 * what it reads as {@code KEY=value} lines for the test that runs it in a child JVM.
 *
 * <p>Arguments: the application's JDBC URL, and a second URL of the same database that the Cloak
 * config does not cover, through which it prints what is really stored.
 */
public final class DriverManagerApp {
  private DriverManagerApp() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String rawUrl = args[1];
    try (Connection c = DriverManager.getConnection(url)) {
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
        ps.setInt(1, 2);
        ps.setString(2, "bob@example.com");
        ps.setString(3, "likes coffee");
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
        ps.setString(1, "bob@example.com");
        try (ResultSet rs = ps.executeQuery()) {
          System.out.println("FOUND_ID=" + (rs.next() ? rs.getInt(1) : -1));
        }
      }
      SampleSupport.printRows(c, "VALUE");
    }

    DataSource ds = h2DataSource(url);
    try (Connection c = ds.getConnection()) {
      System.out.println("DS_CONNECTION=" + c);
      SampleSupport.printRows(c, "DS_VALUE");
    }

    try (Connection raw = DriverManager.getConnection(rawUrl)) {
      System.out.println("RAW_CONNECTION=" + raw);
      SampleSupport.printRows(raw, "RAW");
    }
  }

  private static DataSource h2DataSource(String url) throws SQLException {
    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
    ds.setURL(url);
    return ds;
  }
}
