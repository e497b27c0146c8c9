package io.cloak.agent.sample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.ConnectionPoolDataSource;
import javax.sql.PooledConnection;
import javax.sql.XAConnection;
import javax.sql.XADataSource;

/**
 * An application that knows nothing of Cloak and uses its driver's {@code XADataSource} and {@code
 * ConnectionPoolDataSource}, as a JTA transaction manager or a connection pool does: it writes a
 * row through the logical connection of an {@code XAConnection} and one through that of a {@code
 * PooledConnection}, then reads both back through each. Prints {@code KEY=value} lines.
 *
 * <p>Arguments: {@code h2 URL}, {@code postgresql URL USER} or {@code mariadb URL}. The table
 * {@code customers (id, email, note)} must exist.
 */
public final class XaApp {
  private XaApp() {}

  public static void main(String[] args) throws Exception {
    String engine = args[0];
    String url = args[1];
    XADataSource xa;
    ConnectionPoolDataSource pool;
    switch (engine) {
      case "h2" -> {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        xa = ds;
        pool = ds;
      }
      case "postgresql" -> {
        org.postgresql.xa.PGXADataSource x = new org.postgresql.xa.PGXADataSource();
        x.setUrl(url);
        x.setUser(args[2]);
        org.postgresql.ds.PGConnectionPoolDataSource p =
            new org.postgresql.ds.PGConnectionPoolDataSource();
        p.setUrl(url);
        p.setUser(args[2]);
        xa = x;
        pool = p;
      }
      case "mariadb" -> {
        org.mariadb.jdbc.MariaDbDataSource ds = new org.mariadb.jdbc.MariaDbDataSource(url);
        xa = ds;
        pool = ds;
      }
      default -> throw new IllegalArgumentException(engine);
    }
    XAConnection x = xa.getXAConnection();
    try (Connection c = x.getConnection()) {
      System.out.println("XA_CLOAK=" + SampleSupport.isCloak(c));
      insert(c, 1, "xa-alice@example.com", "xa secret note");
    } finally {
      x.close();
    }
    PooledConnection p = pool.getPooledConnection();
    try (Connection c = p.getConnection()) {
      System.out.println("POOLED_CLOAK=" + SampleSupport.isCloak(c));
      insert(c, 2, "pooled-bob@example.com", "pooled secret note");
      print(c, "POOLED_VALUE");
    } finally {
      p.close();
    }
    XAConnection again = xa.getXAConnection();
    try (Connection c = again.getConnection()) {
      print(c, "XA_VALUE");
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
        ps.setString(1, "pooled-bob@example.com");
        try (ResultSet rs = ps.executeQuery()) {
          System.out.println("FOUND_ID=" + (rs.next() ? rs.getInt(1) : -1));
        }
      }
    } finally {
      again.close();
    }
  }

  static void insert(Connection c, int id, String email, String note) throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO customers (id, email, note) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, email);
      ps.setString(3, note);
      ps.executeUpdate();
    }
  }

  static void print(Connection c, String key) throws Exception {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT id, email, note FROM customers ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        System.out.println(
            key + "=" + rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
      }
    }
  }
}
