package io.cloak.agent;

import java.util.Locale;

/**
 * The text after {@code =} in {@code -javaagent:cloak-agent.jar=...}: comma-separated {@code
 * key=value} pairs. Known keys: {@code config} (path of cloak.yaml; may itself contain commas when
 * it is the last pair) and {@code verbose} ({@code true} logs every instrumented class). Immutable.
 *
 * @param config the config path, or {@code null} to look in the usual places
 * @param verbose whether to log each class the agent instruments
 */
public record AgentArguments(String config, boolean verbose) {
  /**
   * Parses the agent argument string.
   *
   * @throws IllegalArgumentException naming the offending pair when a key is unknown
   */
  public static AgentArguments parse(String args) {
    String config = null;
    boolean verbose = false;
    if (args == null || args.isBlank()) {
      return new AgentArguments(null, false);
    }
    String rest = args.trim();
    while (!rest.isEmpty()) {
      int eq = rest.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "agent argument \"" + rest + "\" is not key=value; use config=/path/cloak.yaml");
      }
      String key = rest.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value;
      if (key.equals("config")) {
        // a path may contain commas: it takes everything up to a following ",verbose="
        int next = rest.indexOf(",verbose=", eq);
        value = next < 0 ? rest.substring(eq + 1) : rest.substring(eq + 1, next);
        rest = next < 0 ? "" : rest.substring(next + 1);
      } else {
        int comma = rest.indexOf(',', eq);
        value = comma < 0 ? rest.substring(eq + 1) : rest.substring(eq + 1, comma);
        rest = comma < 0 ? "" : rest.substring(comma + 1);
      }
      switch (key) {
        case "config" -> config = value.trim();
        case "verbose" -> verbose = Boolean.parseBoolean(value.trim());
        default ->
            throw new IllegalArgumentException(
                "unknown agent argument \"" + key + "\"; known: config=PATH, verbose=true");
      }
    }
    return new AgentArguments(config == null || config.isEmpty() ? null : config, verbose);
  }
}
