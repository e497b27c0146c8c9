package io.cloak.agent;

import io.cloak.config.CloakConfig;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * One thing the agent instruments (JDBC connections now; file volumes later). {@link AgentStartup}
 * asks each feature whether the config enables it, lets it prepare (fail fast on bad settings), and
 * lets it add its transformations to the shared {@link AgentBuilder}.
 */
public interface AgentFeature {
  /** Short name for the start-up log line, e.g. {@code jdbc}. */
  String name();

  /** Whether the configuration asks for this feature at all. */
  boolean enabled(CloakConfig config);

  /**
   * Prepares run-time state (opens the KMS, checks keys). Throws to stop the application.
   *
   * @throws Exception with a message naming the config file and what is wrong
   */
  void prepare(CloakConfig config, Instrumentation inst) throws Exception;

  /**
   * Adds this feature's type transformations to the shared builder (which only sees classes loaded
   * after start-up, outside the JDK). The default adds none.
   */
  default AgentBuilder install(AgentBuilder builder) {
    return builder;
  }

  /**
   * Whether {@link #install(AgentBuilder)} adds anything. When no enabled feature does, the agent
   * never creates the shared builder, which saves loading most of Byte Buddy at start-up.
   */
  default boolean usesSharedBuilder() {
    return true;
  }

  /**
   * Installs what the shared builder cannot do (e.g. retransforming JDK classes that are already
   * loaded), after the shared builder is installed. Throws to stop the application. The default
   * does nothing.
   *
   * @throws Exception with a message saying what could not be instrumented
   */
  default void installSeparately(Instrumentation inst) throws Exception {}

  /** Extra words for the start-up line after the feature's name (e.g. what it hooked), or "". */
  default String details() {
    return "";
  }
}
