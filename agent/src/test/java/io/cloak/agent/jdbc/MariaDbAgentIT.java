package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.HikariApp;
import io.cloak.agent.sample.PlainDriverManagerApp;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlainDriverManagerApp} and {@link HikariApp} with a plain {@code jdbc:mariadb:} URL, run
 * with the agent against MariaDB (127.0.0.1:3306, user root; {@code CLOAK_IT_MARIADB_HOST}
 * overrides). MariaDB's driver declares {@code connect} with its own connection type, so {@code
 * DriverManager} and HikariCP reach it through the compiler's bridge method; before the agent
 * rewrote bridges, these connections were not wrapped and wrote plaintext. Skipped loudly when the
 * server is unreachable, unless {@code CLOAK_IT_REQUIRED=1}.
 */
class MariaDbAgentIT {
  static final String HOST =
      System.getenv().getOrDefault("CLOAK_IT_MARIADB_HOST", "127.0.0.1:3306");

  @TempDir Path dir;
  String database;
  String url;

  @BeforeEach
  void createDatabase() {
    database = "cloak_agent_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    admin("CREATE DATABASE " + database);
    url = "jdbc:mariadb://" + HOST + "/" + database;
  }

  @AfterEach
  void dropDatabase() {
    if (url != null) {
      admin("DROP DATABASE IF EXISTS " + database);
    }
  }

  @Test
  void hikariPoolOverMariaDbStoresCiphertextAndReadsPlaintext() throws Exception {
    Path config =
        ChildJvm.writeConfig(
            dir,
            "columns:\n"
                + "  - {table: customers, column: email, mode: deterministic}\n"
                + "  - {table: customers, column: note}\n");
    ChildJvm.Result child =
        ChildJvm.run("config=" + config, List.of(), HikariApp.class, url, "root", "");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    assertEquals(List.of("1", "1", "1"), child.values("FOUND_ID"), child::describe);
    for (String v : child.values("VALUE")) {
      assertEquals("1|alice@example.com|likes tea", v);
    }
    for (String c : child.values("BORROW")) {
      assertEquals(1, ChildJvm.count(c, "CloakConnection["), () -> "wrapped once: " + c);
    }
    assertStoredEncrypted();
  }

  @Test
  void driverManagerOverMariaDbStoresCiphertextAndReadsPlaintext() throws Exception {
    Path config =
        ChildJvm.writeConfig(
            dir,
            "columns:\n"
                + "  - {table: customers, column: email, mode: deterministic}\n"
                + "  - {table: customers, column: note}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config, List.of(), PlainDriverManagerApp.class, url + "?user=root");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    assertEquals(List.of("1"), child.values("FOUND_ID"), child::describe);
    assertEquals(List.of("1|alice@example.com|likes tea"), child.values("VALUE"), child::describe);
    assertStoredEncrypted();
  }

  private void assertStoredEncrypted() throws SQLException {
    int rows = 0;
    try (Connection plain = DriverManager.getConnection(url + "?user=root");
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT email, note FROM customers")) {
      while (rs.next()) {
        rows++;
        assertTrue(rs.getString(1).startsWith("$ck1$"), rs.getString(1));
        assertTrue(rs.getString(2).startsWith("$ck1$"), rs.getString(2));
      }
    }
    assertTrue(rows > 0, "rows stored");
  }

  private static void admin(String sql) {
    ServerAdmin.execute("MariaDB", "jdbc:mariadb://" + HOST + "/", "root", sql);
  }
}
