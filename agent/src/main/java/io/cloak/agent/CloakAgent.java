package io.cloak.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:cloak-agent.jar[=config=/path/cloak.yaml]}. Kept tiny: all the
 * work is in {@link AgentStartup}. A configuration that cannot be loaded stops the JVM with exit
 * status {@value AgentStartup#EXIT_BAD_CONFIG} and a one-line message on standard error.
 */
public final class CloakAgent {
  private CloakAgent() {}

  /** Called by the JVM before {@code main} when started with {@code -javaagent:}. */
  public static void premain(String args, Instrumentation inst) {
    AgentStartup.startOrExit(args, inst);
  }
}
