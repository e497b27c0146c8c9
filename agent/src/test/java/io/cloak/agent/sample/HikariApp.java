package io.cloak.agent.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An application that knows nothing of Cloak and uses a HikariCP pool. Arguments: JDBC URL (or
 * {@code h2-datasource:URL} for a pool over H2's {@code JdbcDataSource}), user, password (may be
 * empty). Prints {@code KEY=value} lines.
 */
public final class HikariApp {
  private HikariApp() {}

  public static void main(String[] args) throws Exception {
    HikariConfig config = new HikariConfig();
    if (args[0].startsWith("h2-datasource:")) {
      // the pool over H2's own DataSource, which does not go through Driver.connect
      config.setDataSourceClassName("org.h2.jdbcx.JdbcDataSource");
      config.addDataSourceProperty("url", args[0].substring("h2-datasource:".length()));
    } else {
      config.setJdbcUrl(args[0]);
    }
    config.setUsername(args[1]);
    if (args.length > 2 && !args[2].isEmpty()) {
      config.setPassword(args[2]);
    }
    config.setMaximumPoolSize(3);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      try (Connection c = pool.getConnection()) {
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
      }
      // several borrows: pooled connections must stay wrapped exactly once
      for (int i = 0; i < 3; i++) {
        try (Connection c = pool.getConnection()) {
          System.out.println("BORROW=" + c);
          try (PreparedStatement ps =
              c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
            ps.setString(1, "alice@example.com");
            try (ResultSet rs = ps.executeQuery()) {
              System.out.println("FOUND_ID=" + (rs.next() ? rs.getInt(1) : -1));
            }
          }
          SampleSupport.printRows(c, "VALUE");
        }
      }
    }
  }
}
