package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.CloakUrlApp;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A driver that delegates to another driver (Cloak's own) does not cause double wrapping. */
class DelegatingDriverAgentIT {
  @TempDir Path dir;

  @Test
  void cloakDriverUnderTheAgentWrapsOnceAndValuesRoundTrip() throws Exception {
    String db = "agentdeleg" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    // the agent covers every database: the inner H2 connect would be wrapped if not guarded
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
            CloakUrlApp.class,
            "jdbc:cloak:h2:mem:" + db + ";DB_CLOSE_DELAY=-1",
            config.toString(),
            "jdbc:h2:mem:" + db + ";IFEXISTS=TRUE");
    ChildJvm.assertExitedNormally(child);
    String connection = child.values("CONNECTION").get(0);
    assertEquals(1, ChildJvm.count(connection, "CloakConnection["), connection);
    assertEquals(List.of("1|alice@example.com|likes tea"), child.values("VALUE"), child::describe);
    // every database is covered, so the "raw" connection is wrapped by the agent too: it reads
    // plaintext, which it could not if the values had been encrypted twice
    assertEquals(List.of("1|alice@example.com|likes tea"), child.values("RAW"), child::describe);
    assertTrue(child.stderr().contains("hooks: jdbc"), child::describe);
  }
}
