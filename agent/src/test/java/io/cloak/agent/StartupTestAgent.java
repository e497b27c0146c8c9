package io.cloak.agent;

import io.cloak.agent.file.FileFeature;
import io.cloak.agent.jdbc.JdbcFeature;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * {@code premain} of a manifest-only test agent jar: starts the agent exactly as {@link CloakAgent}
 * does ({@link AgentStartup#start}, same failure handling), but with the file feature wired to the
 * test handler, which is what {@link AgentStartup#FILE_HANDLER_CLASS} does with the real one.
 * Arguments: as the real agent's.
 */
public final class StartupTestAgent {
  private StartupTestAgent() {}

  public static void premain(String args, Instrumentation inst) {
    try {
      if (Boolean.getBoolean("test.preloadFileHooks")) {
        // what a careless wiring would do: load the handler interface before the agent injects it
        Class.forName("io.cloak.agent.boot.FileHooks$Handler");
      }
      String line =
          AgentStartup.start(
              args,
              inst,
              List.of(
                  new JdbcFeature(),
                  new FileFeature(
                      FileFeature.handlerClass("io.cloak.agent.file.TestVolumeHandler"))));
      System.err.println(AgentStartup.LOG_PREFIX + line);
    } catch (Exception | LinkageError e) {
      System.err.println(AgentStartup.LOG_PREFIX + "FATAL, the application is not started: " + e);
      System.err.flush();
      System.exit(AgentStartup.EXIT_BAD_CONFIG);
    }
  }
}
