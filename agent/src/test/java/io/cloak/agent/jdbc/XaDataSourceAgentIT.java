package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.XaApp;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link XaApp}, which knows nothing of Cloak, writes and reads through the logical connections of
 * its driver's {@code XAConnection} and {@code PooledConnection}, as JTA transaction managers and
 * some pools do, on H2, PostgreSQL and MariaDB. Before these were hooked, PostgreSQL's failed with
 * a {@code ClassCastException} and H2's and MariaDB's wrote plaintext.
 */
class XaDataSourceAgentIT {
  static final String PG_HOST = System.getenv().getOrDefault("CLOAK_IT_PG_HOST", "127.0.0.1:5432");
  static final String MARIADB_HOST =
      System.getenv().getOrDefault("CLOAK_IT_MARIADB_HOST", "127.0.0.1:3306");

  @TempDir Path dir;

  @Test
  void h2XaAndPooledConnectionsStoreCiphertext() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("xa") + ";NON_KEYWORDS=VALUE";
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      createTable(c);
    }
    Path config = config("");
    ChildJvm.Result child = ChildJvm.run("config=" + config, List.of(), XaApp.class, "h2", url);
    assertAppSawPlaintext(child);
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      assertStoredEncrypted(c);
    }
  }

  @Test
  void postgresXaAndPooledConnectionsStoreCiphertext() throws Exception {
    String database =
        "cloak_xa_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String admin = "jdbc:postgresql://" + PG_HOST + "/postgres";
    ServerAdmin.execute("PostgreSQL", admin, "postgres", "CREATE DATABASE " + database);
    String url = "jdbc:postgresql://" + PG_HOST + "/" + database;
    try {
      try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
        createTable(c);
      }
      Path config = config("databases:\n  - \"jdbc:postgresql://*/" + database + "*\"\n");
      ChildJvm.Result child =
          ChildJvm.run("config=" + config, List.of(), XaApp.class, "postgresql", url, "postgres");
      assertAppSawPlaintext(child);
      try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
        assertStoredEncrypted(c);
      }
    } finally {
      ServerAdmin.execute(
          "PostgreSQL", admin, "postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Test
  void mariadbXaAndPooledConnectionsStoreCiphertext() throws Exception {
    String database =
        "cloak_xa_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String admin = "jdbc:mariadb://" + MARIADB_HOST + "/";
    ServerAdmin.execute("MariaDB", admin, "root", "CREATE DATABASE " + database);
    String url = "jdbc:mariadb://" + MARIADB_HOST + "/" + database + "?user=root";
    try {
      try (Connection c = DriverManager.getConnection(url)) {
        createTable(c);
      }
      Path config = config("");
      ChildJvm.Result child =
          ChildJvm.run("config=" + config, List.of(), XaApp.class, "mariadb", url);
      assertAppSawPlaintext(child);
      try (Connection c = DriverManager.getConnection(url)) {
        assertStoredEncrypted(c);
      }
    } finally {
      ServerAdmin.execute("MariaDB", admin, "root", "DROP DATABASE IF EXISTS " + database);
    }
  }

  private Path config(String databases) throws Exception {
    return ChildJvm.writeConfig(
        dir,
        databases
            + "columns:\n"
            + "  - {table: customers, column: email, mode: deterministic}\n"
            + "  - {table: customers, column: note}\n");
  }

  private static void createTable(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(1000), note VARCHAR(1000))");
    }
  }

  private static void assertAppSawPlaintext(ChildJvm.Result child) {
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of("true"), child.values("XA_CLOAK"), child::describe);
    assertEquals(List.of("true"), child.values("POOLED_CLOAK"), child::describe);
    List<String> expected =
        List.of(
            "1|xa-alice@example.com|xa secret note", "2|pooled-bob@example.com|pooled secret note");
    assertEquals(expected, child.values("POOLED_VALUE"), child::describe);
    assertEquals(expected, child.values("XA_VALUE"), child::describe);
    assertEquals(List.of("2"), child.values("FOUND_ID"), child::describe);
  }

  private static void assertStoredEncrypted(Connection plain) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT email, note FROM customers ORDER BY id")) {
      while (rs.next()) {
        for (int i = 1; i <= 2; i++) {
          String stored = rs.getString(i);
          assertTrue(stored.startsWith("$ck1$"), stored);
          assertFalse(stored.contains("alice") || stored.contains("bob"), stored);
          assertFalse(stored.contains("secret"), stored);
        }
        rows.add(rs.getString(1));
      }
    }
    assertEquals(2, rows.size(), "rows stored");
  }
}
