package io.cloak.config;

/**
 * A Cloak configuration cannot be found, read or understood. The message always starts with {@code
 * "<source>:<line>: "} when the offending line is known, else with {@code "<source>: "}, and goes
 * on to say what is wrong and what to do. Immutable and thread-safe.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;

  /**
   * @param source the config file path, {@code classpath:cloak.yaml}, or another name for where the
   *     text came from
   * @param line the 1-based line, or 0 when unknown
   * @param message what is wrong and what to do, without the source prefix
   */
  public ConfigException(String source, int line, String message) {
    this(source, line, message, null);
  }

  public ConfigException(String source, int line, String message, Throwable cause) {
    super(prefix(source, line) + message, cause);
    this.source = source == null ? "cloak config" : source;
    this.line = Math.max(line, 0);
  }

  /** Where the configuration came from: a file path or {@code classpath:cloak.yaml}. */
  public String source() {
    return source;
  }

  /** The 1-based line the problem is on, or 0 when no single line is to blame. */
  public int line() {
    return line;
  }

  static String prefix(String source, int line) {
    String s = source == null ? "cloak config" : source;
    return line > 0 ? s + ":" + line + ": " : s + ": ";
  }
}
