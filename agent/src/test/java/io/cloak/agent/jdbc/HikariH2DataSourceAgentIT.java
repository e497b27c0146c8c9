package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cloak.agent.sample.HikariApp;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nested data sources: HikariCP's {@code HikariDataSource} over H2's {@code JdbcDataSource}, both
 * hooked. The pooled connections are wrapped once, whichever thread fills the pool.
 */
class HikariH2DataSourceAgentIT {
  @TempDir Path dir;

  @Test
  void poolOverDataSourceWrapsEachBorrowedConnectionOnce() throws Exception {
    String db = "agenthikari" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Path config =
        ChildJvm.writeConfig(
            dir,
            "columns:\n"
                + "  - {table: customers, column: email, mode: deterministic}\n"
                + "  - {table: customers, column: note}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config,
            List.of(),
            HikariApp.class,
            "h2-datasource:jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1",
            "sa",
            "");
    ChildJvm.assertExitedNormally(child);
    assertEquals(List.of("true"), child.values("CLOAK"), child::describe);
    assertEquals(List.of("1", "1", "1"), child.values("FOUND_ID"), child::describe);
    for (String v : child.values("VALUE")) {
      assertEquals("1|alice@example.com|likes tea", v);
    }
    for (String c : child.values("BORROW")) {
      assertEquals(1, ChildJvm.count(c, "CloakConnection["), () -> "wrapped once: " + c);
    }
  }
}
