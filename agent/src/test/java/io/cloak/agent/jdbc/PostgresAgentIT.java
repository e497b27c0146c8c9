package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.BlobBatchApp;
import io.cloak.agent.sample.HikariApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sample applications that know nothing of Cloak ({@link HikariApp}, {@link BlobBatchApp}), run
 * with the agent against PostgreSQL (127.0.0.1:5432, user postgres; {@code CLOAK_IT_PG_HOST}
 * overrides). Skipped loudly when the server is unreachable, unless {@code CLOAK_IT_REQUIRED=1}.
 */
class PostgresAgentIT {
  static final String PG_HOST = System.getenv().getOrDefault("CLOAK_IT_PG_HOST", "127.0.0.1:5432");

  @TempDir Path dir;
  String database;
  String url;

  @BeforeEach
  void createDatabase() {
    database = "cloak_agent_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    admin("CREATE DATABASE " + database);
    url = "jdbc:postgresql://" + PG_HOST + "/" + database;
  }

  @AfterEach
  void dropDatabase() {
    if (url != null) {
      admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Test
  void hikariPoolOverPostgresStoresCiphertextAndReadsPlaintext() throws Exception {
    Path config =
        config(
            "  - {table: customers, column: email, mode: deterministic}\n"
                + "  - {table: customers, column: note}\n");
    ChildJvm.Result child =
        ChildJvm.run("config=" + config, List.of(), HikariApp.class, url, "postgres", "");
    ChildJvm.assertExitedNormally(child);

    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    assertEquals(List.of("1", "1", "1"), child.values("FOUND_ID"), child::describe);
    assertEquals(3, child.values("VALUE").size(), child::describe);
    for (String v : child.values("VALUE")) {
      assertEquals("1|alice@example.com|likes tea", v);
    }
    for (String c : child.values("BORROW")) {
      assertEquals(1, ChildJvm.count(c, "CloakConnection["), () -> "wrapped once: " + c);
    }

    List<String> stored = new ArrayList<>();
    try (Connection plain = DriverManager.getConnection(url, credentials());
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, email, note FROM customers")) {
      while (rs.next()) {
        stored.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
        assertTrue(rs.getString(2).startsWith("$ck1$"), rs.getString(2));
        assertTrue(rs.getString(3).startsWith("$ck1$"), rs.getString(3));
      }
    }
    assertEquals(1, stored.size());
    assertFalse(stored.get(0).contains("alice"), stored.get(0));
    assertFalse(stored.get(0).contains("tea"), stored.get(0));
  }

  /**
   * Batches into a {@code bytea} column: with pgjdbc on the application's class path, the driver
   * encrypts the values while pgjdbc sends them. Only ciphertext is stored, and the application
   * reads back the exact bytes.
   */
  @Test
  void byteaBatchesStoreCiphertextAndReadBackExactly() throws Exception {
    Path config = config("  - {table: blobs, column: body}\n");
    assertStoredEncrypted(
        ChildJvm.run("config=" + config, List.of(), BlobBatchApp.class, url, "postgres"));
  }

  /** A cloak.yaml covering this test's database only, with these {@code columns:} entries. */
  private Path config(String columns) throws IOException {
    return ChildJvm.writeConfig(
        dir,
        "databases:\n"
            + "  - \"jdbc:postgresql://*/"
            + database
            + "*\"\n"
            + "columns:\n"
            + columns);
  }

  private void assertStoredEncrypted(ChildJvm.Result child) throws SQLException {
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    assertEquals(List.of("300"), child.values("ROWS"), child::describe);
    assertEquals(List.of(), child.values("MISMATCH"), child::describe);
    int stored = 0;
    try (Connection plain = DriverManager.getConnection(url, credentials());
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT body FROM blobs")) {
      while (rs.next()) {
        byte[] body = rs.getBytes(1);
        assertEquals((byte) 0xC1, body[0], "Cloak's magic byte");
        assertEquals((byte) 0x0A, body[1], "Cloak's magic byte");
        assertFalse(new String(body, StandardCharsets.ISO_8859_1).contains("secret-body"));
        stored++;
      }
    }
    assertEquals(300, stored);
  }

  private static Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    return p;
  }

  private static void admin(String sql) {
    ServerAdmin.execute(
        "PostgreSQL", "jdbc:postgresql://" + PG_HOST + "/postgres", "postgres", sql);
  }
}
