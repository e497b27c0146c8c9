package io.cloak.agent.sample;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;

/**
 * An application that knows nothing of Cloak and writes a {@code bytea} column in batches.
 * Arguments: JDBC URL, user. Creates {@code blobs (id, body BYTEA)}, inserts 300 rows in batches of
 * 100 with {@code setBytes}, reads them back and prints {@code CLOAK=}, {@code ROWS=} (rows read
 * back with exactly the bytes written) and {@code MISMATCH=} for any other row.
 */
public final class BlobBatchApp {
  private BlobBatchApp() {}

  static byte[] body(int id) {
    return ("secret-body-" + id).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      run(c);
    }
  }

  private static void run(Connection c) throws Exception {
    System.out.println("CLOAK=" + SampleSupport.isCloak(c));
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE blobs (id INT PRIMARY KEY, body BYTEA)");
    }
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, body) VALUES (?, ?)")) {
      for (int i = 0; i < 300; i++) {
        ps.setInt(1, i);
        ps.setBytes(2, body(i));
        ps.addBatch();
        if (i % 100 == 99) {
          ps.executeBatch();
        }
      }
    }
    c.commit();
    int rows = 0;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, body FROM blobs ORDER BY id")) {
      while (rs.next()) {
        if (Arrays.equals(body(rs.getInt(1)), rs.getBytes(2))) {
          rows++;
        } else {
          System.out.println("MISMATCH=" + rs.getInt(1));
        }
      }
    }
    System.out.println("ROWS=" + rows);
  }
}
