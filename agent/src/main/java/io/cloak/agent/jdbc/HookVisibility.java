package io.cloak.agent.jdbc;

import io.cloak.agent.AgentStartup;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether a class loader resolves {@link JdbcHooks} to the agent's own class. The advice inlined
 * into a driver calls {@code JdbcHooks}, so a driver whose loader cannot see it (an isolated
 * plug-in loader, the platform loader) must be left alone: instrumenting it would make every {@code
 * connect} fail with {@link NoClassDefFoundError}. Such drivers get advice that uses only JDK
 * classes and refuses their connections to covered databases; they are reported once per loader.
 * Thread-safe.
 */
final class HookVisibility {
  private static final Map<ClassLoader, Boolean> SEEN = new WeakHashMap<>();

  private HookVisibility() {}

  static boolean canInstrument(ClassLoader loader, String typeName) {
    if (loader == null) {
      return false;
    }
    synchronized (SEEN) {
      Boolean known = SEEN.get(loader);
      if (known != null) {
        return known;
      }
    }
    // outside the lock: resolving may take class-loader locks held by other transforming threads
    boolean visible;
    try {
      visible = Class.forName(JdbcHooks.class.getName(), false, loader) == JdbcHooks.class;
    } catch (ClassNotFoundException | LinkageError e) {
      visible = false;
    }
    synchronized (SEEN) {
      if (SEEN.putIfAbsent(loader, visible) != null) {
        return visible;
      }
    }
    if (!visible) {
      System.err.println(
          AgentStartup.LOG_PREFIX
              + "WARNING: "
              + typeName
              + " is loaded by "
              + loader
              + ", which does not see the agent on the system class path; Cloak cannot encrypt"
              + " connections made through JDBC classes of that loader, so it refuses those to"
              + " covered databases");
    }
    return visible;
  }
}
