package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.sample.IsolatedLoaderApp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver whose class loader cannot see the agent is left working and unwrapped, with a warning,
 * instead of failing every connect with NoClassDefFoundError.
 */
class IsolatedLoaderAgentIT {
  @TempDir Path dir;

  @Test
  void driverInvisibleToTheAgentKeepsWorkingAndIsReported() throws Exception {
    Path config = ChildJvm.writeConfig(dir, "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result child =
        ChildJvm.run(
            "config=" + config, List.of(), IsolatedLoaderApp.class, "jdbc:h2:mem:isolated");
    ChildJvm.assertExitedNormally(child);
    String connection = child.values("CONNECTION").get(0);
    assertFalse(connection.contains("CloakConnection"), connection);
    assertTrue(child.stderr().contains("WARNING: "), child::describe);
    assertTrue(child.stderr().contains("NOT encrypted"), child::describe);
  }
}
