package io.cloak.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A parsed, validated Cloak configuration ({@code cloak.yaml}): the KMS to use, data-key cache
 * limits, the columns and volumes to encrypt, and the databases the agent applies to. Obtain one
 * with {@link #load}, {@link #parse} or {@link #discover}; every problem is reported as a {@link
 * ConfigException} naming the file and line. Immutable and thread-safe.
 */
public final class CloakConfig {
  /** JDBC connection property and system property naming the config file. */
  public static final String FILE_PROPERTY = "cloak.config";

  /** Environment variable naming the config file. */
  public static final String ENV = "CLOAK_CONFIG";

  /** Name of the config resource looked up on the classpath. */
  public static final String CLASSPATH_RESOURCE = "cloak.yaml";

  private final String source;
  private final KmsSettings kms;
  private final CacheSettings cache;
  private final List<ColumnRule> columns;
  private final List<String> databases;
  private final List<Pattern> databasePatterns;
  private final List<VolumeRule> volumes;
  private final boolean allowPlaintextReads;
  private final Map<String, List<ColumnRule>> columnIndex;

  CloakConfig(
      String source,
      KmsSettings kms,
      CacheSettings cache,
      List<ColumnRule> columns,
      List<String> databases,
      List<VolumeRule> volumes,
      boolean allowPlaintextReads) {
    this.source = Objects.requireNonNull(source, "source");
    this.kms = Objects.requireNonNull(kms, "kms");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.columns = List.copyOf(columns);
    this.databases = List.copyOf(databases);
    this.volumes = List.copyOf(volumes);
    this.allowPlaintextReads = allowPlaintextReads;
    List<Pattern> patterns = new ArrayList<>();
    for (String glob : this.databases) {
      patterns.add(globToPattern(glob));
    }
    this.databasePatterns = List.copyOf(patterns);
    Map<String, List<ColumnRule>> index = new HashMap<>();
    for (ColumnRule rule : this.columns) {
      index
          .computeIfAbsent(indexKey(rule.table(), rule.column()), k -> new ArrayList<>())
          .add(rule);
    }
    index.replaceAll((k, v) -> List.copyOf(v));
    this.columnIndex = Map.copyOf(index);
  }

  /**
   * Reads and validates a config file; relative paths in it resolve against the file's folder.
   *
   * @throws ConfigException if the file cannot be read, is not valid YAML or breaks a rule
   */
  public static CloakConfig load(Path file) {
    Objects.requireNonNull(file, "file");
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          source, 0, "config file does not exist; check the path (working folder " + cwd() + ")");
    } catch (CharacterCodingException e) {
      throw new ConfigException(source, 0, "config file is not valid UTF-8; save it as UTF-8", e);
    } catch (IOException e) {
      throw new ConfigException(source, 0, "cannot read config file: " + e, e);
    }
    Path parent = file.toAbsolutePath().getParent();
    return parse(text, source, parent);
  }

  /**
   * Parses and validates config text.
   *
   * @param yaml the YAML text; empty text gives the defaults
   * @param sourceName what error messages call the text (usually its file path)
   * @param baseDir the folder relative paths resolve against; {@code null} means the working folder
   * @throws ConfigException if the text is not valid YAML or breaks a rule
   */
  public static CloakConfig parse(String yaml, String sourceName, Path baseDir) {
    Objects.requireNonNull(yaml, "yaml");
    Path base = (baseDir == null ? cwd() : baseDir.toAbsolutePath()).normalize();
    return new ConfigParser(sourceName == null ? "cloak config" : sourceName, base).parse(yaml);
  }

  /**
   * Finds the config in this order: {@code explicitPath} (the JDBC connection property {@value
   * #FILE_PROPERTY} or the agent argument {@code config=}, may be null), system property {@value
   * #FILE_PROPERTY}, environment variable {@value #ENV}, {@value #CLASSPATH_RESOURCE} on the
   * classpath of {@code loader} (the context class loader when null). The first place that is set
   * wins: a place naming a missing file is an error, not a reason to look further. Relative paths
   * in a classpath config resolve against the working folder.
   *
   * @throws ConfigException listing every place it looked when none holds a config, or when the
   *     config found is invalid
   */
  public static CloakConfig discover(String explicitPath, ClassLoader loader) {
    return discover(explicitPath, loader, System.getenv(), System.getProperties());
  }

  static CloakConfig discover(
      String explicitPath, ClassLoader loader, Map<String, String> env, Properties system) {
    if (isSet(explicitPath)) {
      return loadNamed(explicitPath, "the connection property or agent argument " + FILE_PROPERTY);
    }
    String property = system.getProperty(FILE_PROPERTY);
    if (isSet(property)) {
      return loadNamed(property, "system property " + FILE_PROPERTY);
    }
    String variable = env.get(ENV);
    if (isSet(variable)) {
      return loadNamed(variable, "environment variable " + ENV);
    }
    ClassLoader cl = loader;
    if (cl == null) {
      cl = Thread.currentThread().getContextClassLoader();
    }
    if (cl == null) {
      cl = CloakConfig.class.getClassLoader();
    }
    URL resource = cl == null ? null : cl.getResource(CLASSPATH_RESOURCE);
    if (resource != null) {
      return loadResource(resource);
    }
    throw new ConfigException(
        "cloak config",
        0,
        "no Cloak config found; looked at: the JDBC connection property or agent argument "
            + FILE_PROPERTY
            + " (not set), system property "
            + FILE_PROPERTY
            + " (not set), environment variable "
            + ENV
            + " (not set), "
            + CLASSPATH_RESOURCE
            + " on the classpath (not found). Point one of them at your cloak.yaml,"
            + " e.g. -D"
            + FILE_PROPERTY
            + "=/etc/cloak/cloak.yaml");
  }

  private static CloakConfig loadNamed(String value, String origin) {
    Path path;
    try {
      path = Path.of(value.trim());
    } catch (InvalidPathException e) {
      throw new ConfigException(
          value, 0, "not a valid file path (named by " + origin + "): " + e.getReason(), e);
    }
    if (!Files.exists(path)) {
      throw new ConfigException(
          value,
          0,
          "config file does not exist (named by "
              + origin
              + "); fix the path or unset it (working folder "
              + cwd()
              + ")");
    }
    return load(path);
  }

  private static CloakConfig loadResource(URL resource) {
    String source = "classpath:" + CLASSPATH_RESOURCE;
    String text;
    try (InputStream in = resource.openStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(source, 0, "cannot read " + resource + ": " + e, e);
    }
    return parse(text, source, null);
  }

  /** The file path the config came from, or {@code classpath:cloak.yaml}. */
  public String source() {
    return source;
  }

  public KmsSettings kms() {
    return kms;
  }

  public CacheSettings cache() {
    return cache;
  }

  /** The column rules in file order. */
  public List<ColumnRule> columns() {
    return columns;
  }

  /**
   * JDBC URL globs ({@code *} any characters, {@code ?} one) the agent applies to; empty means all
   * databases. See {@link #appliesToDatabase}.
   */
  public List<String> databases() {
    return databases;
  }

  /** Folders the agent encrypts files in. */
  public List<VolumeRule> volumes() {
    return volumes;
  }

  /** Whether reading a plaintext value from an encrypted column is tolerated (during migration). */
  public boolean allowPlaintextReads() {
    return allowPlaintextReads;
  }

  /**
   * Whether the agent applies to {@code jdbcUrl}: no {@code databases} listed, or a glob matches.
   */
  public boolean appliesToDatabase(String jdbcUrl) {
    if (databasePatterns.isEmpty()) {
      return true;
    }
    if (jdbcUrl == null) {
      return false;
    }
    for (Pattern p : databasePatterns) {
      if (p.matcher(jdbcUrl).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * One regular expression that matches (as a whole, DOTALL) exactly the JDBC URLs {@link
   * #appliesToDatabase} accepts, or the empty string when every database is covered. For code that
   * can use only the JDK, such as advice inlined into classes that cannot see Cloak's.
   */
  public String databasesRegex() {
    if (databasePatterns.isEmpty()) {
      return "";
    }
    StringBuilder all = new StringBuilder();
    for (Pattern p : databasePatterns) {
      all.append(all.length() == 0 ? "" : "|").append("(?s:").append(p.pattern()).append(')');
    }
    return all.toString();
  }

  /**
   * The rule for a column, matching names case-insensitively. {@code table} may be {@code
   * schema.table} or bare; a qualified table overrides {@code schema}. A rule with a schema matches
   * only that schema; a rule without one matches any schema (or none). When both kinds match, the
   * rule with the schema wins.
   *
   * @param schema the schema, or {@code null} when unknown
   */
  public Optional<ColumnRule> column(String schema, String table, String column) {
    if (table == null || column == null) {
      return Optional.empty();
    }
    String effectiveSchema = schema;
    String bareTable = table;
    int dot = table.lastIndexOf('.');
    if (dot >= 0) {
      effectiveSchema = table.substring(0, dot);
      bareTable = table.substring(dot + 1);
    }
    List<ColumnRule> candidates = columnIndex.get(indexKey(bareTable, column));
    if (candidates == null) {
      return Optional.empty();
    }
    ColumnRule anySchema = null;
    for (ColumnRule rule : candidates) {
      if (rule.schema() == null) {
        anySchema = rule;
      } else if (effectiveSchema != null && rule.schema().equalsIgnoreCase(effectiveSchema)) {
        return Optional.of(rule);
      }
    }
    return Optional.ofNullable(anySchema);
  }

  /** A copy of this config with {@link #allowPlaintextReads()} set to {@code allow}. */
  public CloakConfig withAllowPlaintextReads(boolean allow) {
    if (allow == allowPlaintextReads) {
      return this;
    }
    return new CloakConfig(source, kms, cache, columns, databases, volumes, allow);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CloakConfig c
        && source.equals(c.source)
        && kms.equals(c.kms)
        && cache.equals(c.cache)
        && columns.equals(c.columns)
        && databases.equals(c.databases)
        && volumes.equals(c.volumes)
        && allowPlaintextReads == c.allowPlaintextReads;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, kms, cache, columns, databases, volumes, allowPlaintextReads);
  }

  @Override
  public String toString() {
    return "CloakConfig[source="
        + source
        + ", kms="
        + kms
        + ", cache="
        + cache
        + ", columns="
        + columns
        + ", databases="
        + databases
        + ", volumes="
        + volumes
        + ", allowPlaintextReads="
        + allowPlaintextReads
        + "]";
  }

  static String indexKey(String table, String column) {
    return table.toLowerCase(Locale.ROOT) + '\0' + column.toLowerCase(Locale.ROOT);
  }

  static Pattern globToPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char ch : glob.toCharArray()) {
      if (ch == '*' || ch == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(ch == '*' ? ".*" : ".");
      } else {
        literal.append(ch);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }

  private static Path cwd() {
    return Path.of("").toAbsolutePath();
  }
}
