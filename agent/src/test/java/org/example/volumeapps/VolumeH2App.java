package org.example.volumeapps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An embedded H2 database in a folder: {@code write DIR ROWS} creates a table and inserts rows;
 * {@code read DIR} queries them. H2 reads and writes its {@code .mv.db} file at random positions
 * through {@code FileChannel}. Every row holds the marker {@code CONFIDENTIAL-ROW-n}. Knows nothing
 * of Cloak.
 */
public final class VolumeH2App {
  private VolumeH2App() {}

  public static void main(String[] args) throws SQLException {
    // args[3], if given, is H2's file system prefix instead of "file" (for example "async",
    // which reads and writes the database through AsynchronousFileChannel)
    String fileSystem = args.length > 3 ? args[3] : "file";
    String url = "jdbc:h2:" + fileSystem + ":" + args[1] + "/shop";
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      if (args[0].equals("write")) {
        int rows = Integer.parseInt(args[2]);
        try (Statement st = c.createStatement()) {
          st.execute(
              "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(100), note VARCHAR(200),"
                  + " amount DECIMAL(12,2))");
        }
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?)")) {
          for (int i = 1; i <= rows; i++) {
            ps.setInt(1, i);
            ps.setString(2, "customer-" + (i % 1000) + "@example.com");
            ps.setString(3, "CONFIDENTIAL-ROW-" + i + " shipping to 221B Baker Street");
            ps.setBigDecimal(4, java.math.BigDecimal.valueOf(i, 2));
            ps.addBatch();
            if (i % 1000 == 0) {
              ps.executeBatch();
              c.commit();
            }
          }
          ps.executeBatch();
          c.commit();
        }
        try (Statement st = c.createStatement()) {
          st.execute("CREATE INDEX orders_customer ON orders(customer)");
        }
        c.commit();
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount), MAX(note) FROM orders")) {
        rs.next();
        System.out.println("COUNT=" + rs.getLong(1));
        System.out.println("SUM=" + rs.getBigDecimal(2));
        System.out.println("MAXNOTE=" + rs.getString(3));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT note FROM orders WHERE id = ?")) {
        ps.setInt(1, 54_321);
        try (ResultSet rs = ps.executeQuery()) {
          System.out.println("ROW=" + (rs.next() ? rs.getString(1) : "missing"));
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT COUNT(*) FROM orders WHERE customer = ?")) {
        ps.setString(1, "customer-7@example.com");
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          System.out.println("BY_CUSTOMER=" + rs.getLong(1));
        }
      }
    }
  }
}
