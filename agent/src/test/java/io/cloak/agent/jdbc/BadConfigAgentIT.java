package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.AgentStartup;
import io.cloak.agent.sample.HelloApp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent refuses to let an application start with a configuration it cannot use. */
class BadConfigAgentIT {
  @TempDir Path dir;

  @Test
  void unknownKeyStopsTheApplicationWithFileAndLine() throws Exception {
    Path config =
        ChildJvm.writeConfig(
            dir, "columns:\n  - {table: customers, column: email, mdoe: deterministic}\n");
    ChildJvm.Result r = ChildJvm.run("config=" + config, List.of(), HelloApp.class);
    assertEquals(AgentStartup.EXIT_BAD_CONFIG, r.exitCode(), r::describe);
    assertFalse(r.stdout().contains("HELLO"), "main must not run: " + r.describe());
    String fatal =
        r.stderr().lines().filter(l -> l.contains("FATAL")).findFirst().orElse(r.stderr());
    assertTrue(fatal.contains(config + ":3:"), () -> "names file and line: " + fatal);
    assertTrue(fatal.contains("mdoe"), () -> "names the key: " + fatal);
  }

  @Test
  void missingConfigFileStopsTheApplication() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    ChildJvm.Result r = ChildJvm.run("config=" + missing, List.of(), HelloApp.class);
    assertEquals(AgentStartup.EXIT_BAD_CONFIG, r.exitCode(), r::describe);
    assertFalse(r.stdout().contains("HELLO"), r::describe);
    assertTrue(r.stderr().contains(missing.toString()), r::describe);
  }

  @Test
  void unknownAgentArgumentStopsTheApplication() throws Exception {
    ChildJvm.Result r = ChildJvm.run("confg=/x.yaml", List.of(), HelloApp.class);
    assertEquals(AgentStartup.EXIT_BAD_CONFIG, r.exitCode(), r::describe);
    assertTrue(r.stderr().contains("unknown agent argument \"confg\""), r::describe);
  }

  @Test
  void withoutAgentArgumentTheSystemPropertyNamesTheConfig() throws Exception {
    Path config = ChildJvm.writeConfig(dir, "columns:\n  - {table: customers, column: email}\n");
    ChildJvm.Result r = ChildJvm.run("", List.of("-Dcloak.config=" + config), HelloApp.class);
    ChildJvm.assertExitedNormally(r);
    assertTrue(r.stdout().contains("HELLO"), r::describe);
    assertTrue(
        r.stderr().contains("cloak-agent: config " + config + ": databases all"), r::describe);
  }
}
