package io.cloak.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AgentArgumentsTest {
  @Test
  void noArgumentsMeansUsualConfigPlaces() {
    assertNull(AgentArguments.parse(null).config());
    assertNull(AgentArguments.parse("  ").config());
  }

  @Test
  void configPathMayContainCommasAndEquals() {
    AgentArguments a = AgentArguments.parse("config=/etc/a,b=c/cloak.yaml");
    assertEquals("/etc/a,b=c/cloak.yaml", a.config());
    assertFalse(a.verbose());
  }

  @Test
  void verboseBeforeOrAfterConfig() {
    assertTrue(AgentArguments.parse("verbose=true,config=/x.yaml").verbose());
    AgentArguments a = AgentArguments.parse("config=/x.yaml,verbose=true");
    assertEquals("/x.yaml", a.config());
    assertTrue(a.verbose());
  }

  @Test
  void unknownKeyIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AgentArguments.parse("confg=/x"));
    assertTrue(e.getMessage().contains("confg"));
  }

  @Test
  void bareWordIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> AgentArguments.parse("/x.yaml"));
  }
}
