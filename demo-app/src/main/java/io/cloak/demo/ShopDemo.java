package io.cloak.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;

/**
 * A small shop back office: it registers customers, looks one up by e-mail and lists orders. It
 * knows nothing of encryption; the JDBC URL (argument 1, default {@value #DEFAULT_URL}) decides.
 * With a {@code jdbc:cloak:} URL and a {@code cloak.yaml}, the customers' e-mail, SSN, card number
 * and balance are stored encrypted. At the end it opens the same database without the prefix to
 * show what is really stored.
 */
public final class ShopDemo {
  static final String DEFAULT_URL = "jdbc:cloak:h2:file:./demo-data/shop";

  private ShopDemo() {}

  public static void main(String[] args) throws SQLException {
    run(args.length > 0 ? args[0] : DEFAULT_URL, System.out);
  }

  static void run(String url, PrintStream out) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    if (url.startsWith("jdbc:cloak:")) {
      config.setDriverClassName("io.cloak.jdbc.CloakDriver");
    }
    config.setMaximumPoolSize(4);
    config.setPoolName("shop");
    try (HikariDataSource pool = new HikariDataSource(config)) {
      createSchema(pool);
      register(
          pool,
          1,
          "Ada Lovelace",
          "ada@example.com",
          "078-05-1120",
          "4111 1111 1111 1111",
          "1250.75",
          LocalDate.of(1815, 12, 10));
      register(
          pool,
          2,
          "Alan Turing",
          "alan@example.com",
          "219-09-9999",
          "5500 0000 0000 0004",
          "310.00",
          LocalDate.of(1912, 6, 23));
      register(
          pool,
          3,
          "Grace Hopper",
          "grace@example.com",
          "457-55-5462",
          "3400 0000 0000 009",
          "99.99",
          LocalDate.of(1906, 12, 9));
      order(pool, 100, "alan@example.com", "Enigma rotor set");
      order(pool, 101, "alan@example.com", "Bombe maintenance");
      order(pool, 102, "ada@example.com", "Analytical engine punch cards");

      out.println("Customer found by e-mail (an equality search on an encrypted column):");
      try (Connection c = pool.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, name, ssn, card_number, balance, birthday FROM customers WHERE email = ?")) {
        ps.setString(1, "grace@example.com");
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.printf(
                "  #%d %s  ssn=%s  card=%s  balance=%s  born=%s%n",
                rs.getInt("id"),
                rs.getString("name"),
                rs.getString("ssn"),
                rs.getString("card_number"),
                rs.getBigDecimal("balance"),
                rs.getObject("birthday", LocalDate.class));
          }
        }
      }
      out.println("Orders joined to customers on the encrypted e-mail:");
      try (Connection c = pool.getConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT o.id, c.name, o.customer_email, o.item FROM orders o"
                      + " JOIN customers c ON c.email = o.customer_email")) {
        while (rs.next()) {
          out.printf(
              "  order %d  %-13s %-18s %s%n",
              rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4));
        }
      }
    }
    if (url.startsWith("jdbc:cloak:")) {
      String plainUrl = "jdbc:" + url.substring("jdbc:cloak:".length());
      out.println("What the database really stores (read with " + plainUrl + "):");
      try (Connection c = DriverManager.getConnection(plainUrl);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name, email, ssn FROM customers ORDER BY id")) {
        while (rs.next()) {
          out.printf(
              "  %-13s email=%s...  ssn=%s...%n",
              rs.getString(1), abbreviate(rs.getString(2)), abbreviate(rs.getString(3)));
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.substring(0, Math.min(28, s.length()));
  }

  private static void createSchema(HikariDataSource pool) throws SQLException {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS orders");
      st.execute("DROP TABLE IF EXISTS customers");
      st.execute(
          "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100), email VARCHAR(300),"
              + " ssn VARCHAR(300), card_number VARCHAR(300), balance VARCHAR(300),"
              + " birthday VARCHAR(300))");
      st.execute(
          "CREATE TABLE orders (id INT PRIMARY KEY, customer_email VARCHAR(300),"
              + " item VARCHAR(200))");
    }
  }

  private static void register(
      HikariDataSource pool,
      int id,
      String name,
      String email,
      String ssn,
      String card,
      String balance,
      LocalDate birthday)
      throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO customers (id, name, email, ssn, card_number, balance, birthday)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, name);
      ps.setString(3, email);
      ps.setString(4, ssn);
      ps.setString(5, card);
      ps.setBigDecimal(6, new BigDecimal(balance));
      ps.setObject(7, birthday);
      ps.executeUpdate();
    }
  }

  private static void order(HikariDataSource pool, int id, String email, String item)
      throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO orders (id, customer_email, item) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, email);
      ps.setString(3, item);
      ps.executeUpdate();
    }
  }
}
