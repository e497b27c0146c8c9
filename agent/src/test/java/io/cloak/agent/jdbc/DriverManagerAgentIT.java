package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.DriverManagerApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DriverManagerApp}, which knows nothing of Cloak, run in a child JVM with {@code
 * -javaagent:cloak-agent.jar=config=...} against an in-memory H2 database.
 */
class DriverManagerAgentIT {
  static Path dir;
  static Path config;
  static String appUrl;
  static ChildJvm.Result child;

  @BeforeAll
  static void runApplicationWithAgent() throws Exception {
    dir = Files.createTempDirectory("cloak-agent-it");
    String db = "agentit" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    appUrl = "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1";
    // the same database under a URL the config does not cover: shows what is stored
    String rawUrl = "jdbc:h2:mem:" + db + ";IFEXISTS=TRUE";
    config =
        ChildJvm.writeConfig(
            dir,
            "databases:\n"
                + "  - \"jdbc:h2:mem:agentit*;DB_CLOSE_DELAY=-1\"\n"
                // what H2's DatabaseMetaData.getURL() reports for a data source's connection
                + "  - \"jdbc:h2:mem:agentit??????????\"\n"
                + "columns:\n"
                + "  - {table: customers, column: email, mode: deterministic}\n"
                + "  - {table: customers, column: note}\n");
    child = ChildJvm.run("config=" + config, List.of(), DriverManagerApp.class, appUrl, rawUrl);
    ChildJvm.assertExitedNormally(child);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void applicationReadsExactlyWhatItWroteThroughDriverManager() {
    assertEquals(
        List.of("1|alice@example.com|likes tea", "2|bob@example.com|likes coffee"),
        child.values("VALUE"),
        child::describe);
    assertEquals(List.of("2"), child.values("FOUND_ID"), "deterministic equality through Cloak");
  }

  @Test
  void databaseStoresOnlyCiphertextForConfiguredColumns() {
    List<String> raw = child.values("RAW");
    assertEquals(2, raw.size(), child::describe);
    for (String row : raw) {
      String[] cells = row.split("\\|");
      assertTrue(cells[1].startsWith("$ck1$"), () -> "email stored as " + cells[1]);
      assertTrue(cells[2].startsWith("$ck1$"), () -> "note stored as " + cells[2]);
    }
    assertFalse(child.stdout().contains("RAW=1|alice"), child::describe);
    assertTrue(raw.get(0).startsWith("1|"), "unconfigured column id is stored as is");
  }

  @Test
  void connectionToUncoveredUrlIsNotWrapped() {
    String rawConnection = child.values("RAW_CONNECTION").get(0);
    assertFalse(rawConnection.contains("CloakConnection"), rawConnection);
  }

  @Test
  void connectionIsWrappedExactlyOnce() {
    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    String connection = child.values("CONNECTION").get(0);
    assertEquals(1, ChildJvm.count(connection, "CloakConnection["), connection);
  }

  @Test
  void dataSourceThatBypassesTheDriverIsWrappedToo() {
    String connection = child.values("DS_CONNECTION").get(0);
    assertEquals(1, ChildJvm.count(connection, "CloakConnection["), connection);
    assertEquals(
        List.of("1|alice@example.com|likes tea", "2|bob@example.com|likes coffee"),
        child.values("DS_VALUE"),
        child::describe);
  }

  @Test
  void startupLogLineNamesTheConfigAndWhatItCovers() {
    String expected =
        "cloak-agent: config "
            + config
            + ": databases jdbc:h2:mem:agentit*;DB_CLOSE_DELAY=-1, jdbc:h2:mem:agentit??????????;"
            + " 2 encrypted column(s);"
            + " 0 volume(s); hooks: jdbc (started in ";
    assertTrue(child.stderr().contains(expected), child::describe);
    assertEquals(1, ChildJvm.count(child.stderr(), "cloak-agent: config "), child::describe);
  }
}
