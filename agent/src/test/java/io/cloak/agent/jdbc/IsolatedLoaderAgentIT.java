package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.IsolatedLoaderApp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A driver whose class loader cannot see the agent cannot have its connections encrypted: instead
 * of failing every connect with NoClassDefFoundError or handing out plaintext connections, its
 * connections to covered databases are refused with a message that says why, and it is reported.
 * Databases the config excludes keep working.
 */
class IsolatedLoaderAgentIT {
  @TempDir Path dir;

  @Test
  void driverInvisibleToTheAgentIsRefusedForCoveredDatabasesAndReported() throws Exception {
    Path config = ChildJvm.writeConfig(dir, "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config, List.of(), IsolatedLoaderApp.class, "jdbc:h2:mem:isolated");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("CONNECTION"), child::describe);
    String refused = child.values("REFUSED").get(0);
    assertTrue(refused.contains("org.h2.Driver"), refused);
    assertTrue(refused.contains("does not see the Cloak agent"), refused);
    assertTrue(child.stderr().contains("WARNING: "), child::describe);
    assertTrue(child.stderr().contains("refuses those to covered databases"), child::describe);
  }

  @Test
  void driverInvisibleToTheAgentStillConnectsToDatabasesTheConfigExcludes() throws Exception {
    Path config =
        ChildJvm.writeConfig(
            dir,
            "databases:\n  - \"jdbc:h2:mem:covered*\"\n"
                + "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config, List.of(), IsolatedLoaderApp.class, "jdbc:h2:mem:isolated");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("REFUSED"), child::describe);
    String connection = child.values("CONNECTION").get(0);
    assertFalse(connection.contains("CloakConnection"), connection);
  }

  @Test
  void covariantDriverInvisibleToTheAgentIsRefusedToo() throws Exception {
    // MariaDB's connect returns its own type: the Driver interface reaches it through a bridge
    String url = mariaDbUrl();
    Path config = ChildJvm.writeConfig(dir, "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run("config=" + config, List.of(), IsolatedLoaderApp.class, url);
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("CONNECTION"), child::describe);
    String refused = child.values("REFUSED").get(0);
    assertTrue(refused.contains("org.mariadb.jdbc.Driver"), refused);
    assertTrue(refused.contains("does not see the Cloak agent"), refused);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"datasource", "xa"})
  void dataSourcesAndXaConnectionsInvisibleToTheAgentAreRefused(String how) throws Exception {
    Path config = ChildJvm.writeConfig(dir, "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config, List.of(), IsolatedLoaderApp.class, "jdbc:h2:mem:isolated", how);
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("CONNECTION"), child::describe);
    String refused = child.values("REFUSED").get(0);
    assertTrue(
        refused.contains(
            how.equals("xa") ? "org.h2.jdbcx.JdbcXAConnection" : "org.h2.jdbcx.JdbcDataSource"),
        refused);
    assertTrue(refused.contains("does not see the Cloak agent"), refused);
  }

  @ParameterizedTest(name = "{0}, databases: {1}")
  @CsvSource({
    "datasource, ''",
    "xa, ''",
    "xa, jdbc:mariadb:*",
  })
  void mariaDbDataSourcesAndItsBridgedXaConnectionsAreRefusedToo(String how, String databases)
      throws Exception {
    // MariaDB's pooled connection's getConnection returns its own type: a bridge again
    String url = mariaDbUrl();
    Path config =
        ChildJvm.writeConfig(
            dir,
            (databases.isEmpty() ? "" : "databases:\n  - \"" + databases + "\"\n")
                + "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run("config=" + config, List.of(), IsolatedLoaderApp.class, url, how);
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("CONNECTION"), child::describe);
    String refused = child.values("REFUSED").get(0);
    assertTrue(
        refused.contains(how.equals("xa") ? "MariaDbPoolConnection" : "MariaDbDataSource"),
        refused);
    assertTrue(refused.contains("does not see the Cloak agent"), refused);
  }

  @Test
  void bridgedXaConnectionsToExcludedDatabasesStillConnect() throws Exception {
    Path config =
        ChildJvm.writeConfig(
            dir,
            "databases:\n  - \"jdbc:h2:*\"\n"
                + "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run("config=" + config, List.of(), IsolatedLoaderApp.class, mariaDbUrl(), "xa");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of(), child.values("REFUSED"), child::describe);
    String connection = child.values("CONNECTION").get(0);
    assertFalse(connection.contains("CloakConnection"), connection);
  }

  private static String mariaDbUrl() {
    String url =
        "jdbc:mariadb://"
            + System.getenv().getOrDefault("CLOAK_IT_MARIADB_HOST", "127.0.0.1:3306")
            + "/?user=root";
    ServerAdmin.execute("MariaDB", url.substring(0, url.indexOf('?')), "root", "SELECT 1");
    return url;
  }
}
