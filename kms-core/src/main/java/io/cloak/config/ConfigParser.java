package io.cloak.config;

import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns config YAML into a {@link CloakConfig} through SnakeYAML's node API, so every error names
 * the source and 1-based line. Single use; not thread-safe.
 */
final class ConfigParser {
  private static final List<String> TOP_KEYS =
      List.of("kms", "cache", "columns", "databases", "volumes", "allow-plaintext-reads");
  private static final List<String> KMS_KEYS =
      List.of("type", "keystore", "root-key-file", "principal", "endpoint", "trust");
  private static final List<String> CACHE_KEYS = List.of("max-age", "max-uses", "max-bytes");
  private static final List<String> COLUMN_KEYS =
      List.of("table", "column", "mode", "key", "join-group");
  private static final List<String> VOLUME_KEYS = List.of("path", "key");

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9][0-9_]*");
  private static final Pattern ALIAS = Pattern.compile("alias/[A-Za-z0-9/_-]{1,250}");
  private static final Pattern PROVIDED = Pattern.compile("provided:[A-Za-z0-9._-]{1,128}");
  private static final Pattern KEY_ID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final String KEY_FORMS =
      "use alias/NAME, provided:NAME or a key id (UUID), or omit key for the managed default key";

  private final String source;
  private final Path baseDir;

  ConfigParser(String source, Path baseDir) {
    this.source = source;
    this.baseDir = baseDir;
  }

  CloakConfig parse(String yaml) {
    Node root = compose(yaml);
    if (root == null || isNull(root)) {
      return new CloakConfig(
          source, defaultKms(), CacheSettings.DEFAULTS, List.of(), List.of(), List.of(), false);
    }
    Section top = section(root, null, "the config", TOP_KEYS);
    KmsSettings kms = kms(top);
    CacheSettings cache = cache(top);
    List<ColumnRule> columns = columns(top);
    List<String> databases = databases(top);
    List<VolumeRule> volumes = volumes(top);
    boolean allowPlaintextReads = top.bool("allow-plaintext-reads", false);
    return new CloakConfig(source, kms, cache, columns, databases, volumes, allowPlaintextReads);
  }

  private Node compose(String yaml) {
    try {
      // what Yaml.compose does, without building the Yaml facade's constructor and representer
      // (about a third of SnakeYAML's classes, which would only add to the agent's start-up)
      LoaderOptions options = new LoaderOptions();
      return new Composer(
              new ParserImpl(new StreamReader(new StringReader(yaml)), options),
              new Resolver(),
              options)
          .getSingleNode();
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      StringBuilder what = new StringBuilder("invalid YAML: ");
      what.append(e.getProblem() != null ? e.getProblem() : e.getMessage());
      if (e.getContext() != null) {
        what.append(" (").append(e.getContext());
        if (e.getContextMark() != null && e.getContextMark() != mark) {
          what.append(" started on line ").append(e.getContextMark().getLine() + 1);
        }
        what.append(')');
      }
      what.append("; check the indentation, colons and quoting here");
      throw new ConfigException(source, mark == null ? 0 : mark.getLine() + 1, what.toString(), e);
    } catch (YAMLException e) {
      throw new ConfigException(source, 0, "invalid YAML: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- sections

  private KmsSettings defaultKms() {
    return new KmsSettings(
        KmsSettings.LOCAL,
        baseDir.resolve("cloak-keystore"),
        null,
        KmsSettings.DEFAULT_PRINCIPAL,
        null,
        null,
        0);
  }

  private KmsSettings kms(Section top) {
    Node node = top.value("kms");
    if (node == null) {
      return defaultKms();
    }
    Section kms = section(node, "kms", "the kms section", KMS_KEYS);
    String type = KmsSettings.LOCAL;
    int line = top.keyLine("kms");
    Node typeNode = kms.value("type");
    if (typeNode != null) {
      line = line(typeNode);
      type = kms.string("type").toLowerCase(Locale.ROOT);
      if (!type.equals(KmsSettings.LOCAL) && !type.equals(KmsSettings.REMOTE)) {
        throw fail(
            typeNode,
            "unknown kms type '" + kms.string("type") + "'; allowed values: local, remote");
      }
    }
    String principal = KmsSettings.DEFAULT_PRINCIPAL;
    if (kms.value("principal") != null) {
      principal = kms.string("principal");
      if (principal.isBlank() || principal.length() > 256) {
        throw fail(
            kms.value("principal"),
            "kms.principal must be 1-256 non-blank characters, e.g. principal: app:orders");
      }
    }
    if (type.equals(KmsSettings.LOCAL)) {
      for (String remoteOnly : List.of("endpoint", "trust")) {
        if (kms.value(remoteOnly) != null) {
          throw fail(
              kms.value(remoteOnly),
              "kms." + remoteOnly + " applies only to type: remote; remove it or set type: remote");
        }
      }
      Path keystore =
          kms.value("keystore") != null ? kms.path("keystore") : baseDir.resolve("cloak-keystore");
      Path rootKeyFile = kms.value("root-key-file") != null ? kms.path("root-key-file") : null;
      return new KmsSettings(type, keystore, rootKeyFile, principal, null, null, line);
    }
    for (String localOnly : List.of("keystore", "root-key-file")) {
      if (kms.value(localOnly) != null) {
        throw fail(
            kms.value(localOnly),
            "kms." + localOnly + " applies only to type: local; remove it or set type: local");
      }
    }
    Node endpointNode = kms.value("endpoint");
    if (endpointNode == null) {
      throw new ConfigException(
          source,
          line,
          "kms type remote needs an endpoint, e.g. endpoint: https://kms.example.com:8443");
    }
    String endpoint = kms.string("endpoint");
    validateEndpoint(endpointNode, endpoint);
    String trust = kms.value("trust") != null ? kms.string("trust") : null;
    if (trust != null && trust.isBlank()) {
      throw fail(kms.value("trust"), "kms.trust is empty; give a PEM file path or a sha256: pin");
    }
    return new KmsSettings(type, null, null, principal, endpoint, trust, line);
  }

  private void validateEndpoint(Node node, String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw fail(
          node,
          "kms.endpoint '" + endpoint + "' is not an https URL; write it as https://host:port");
    }
  }

  private CacheSettings cache(Section top) {
    Node node = top.value("cache");
    if (node == null) {
      return CacheSettings.DEFAULTS;
    }
    Section cache = section(node, "cache", "the cache section", CACHE_KEYS);
    CacheSettings d = CacheSettings.DEFAULTS;
    Duration maxAge = cache.value("max-age") != null ? cache.duration("max-age") : d.maxAge();
    long maxUses = cache.value("max-uses") != null ? cache.positiveLong("max-uses") : d.maxUses();
    long maxBytes =
        cache.value("max-bytes") != null ? cache.positiveLong("max-bytes") : d.maxBytes();
    return new CacheSettings(maxAge, maxUses, maxBytes);
  }

  private List<ColumnRule> columns(Section top) {
    List<Node> items = top.list("columns", "a list of column rules, each starting with '- table:'");
    List<ColumnRule> rules = new ArrayList<>();
    Map<String, ColumnRule> seen = new HashMap<>();
    Map<String, ColumnRule> groups = new HashMap<>();
    for (Node item : items) {
      ColumnRule rule = columnRule(item);
      String identity =
          (rule.schema() == null ? "" : rule.schema().toLowerCase(Locale.ROOT))
              + '\0'
              + CloakConfig.indexKey(rule.table(), rule.column());
      ColumnRule first = seen.putIfAbsent(identity, rule);
      if (first != null) {
        throw new ConfigException(
            source,
            rule.line(),
            "duplicate rule for column "
                + rule.qualifiedName()
                + " (first at line "
                + first.line()
                + "); keep one rule per column");
      }
      if (rule.joinGroup() != null) {
        ColumnRule member = groups.putIfAbsent(rule.joinGroup(), rule);
        if (member != null && !Objects.equals(member.key(), rule.key())) {
          throw new ConfigException(
              source,
              rule.line(),
              "join-group '"
                  + rule.joinGroup()
                  + "' mixes keys: "
                  + rule.qualifiedName()
                  + " uses "
                  + keyName(rule.key())
                  + " but "
                  + member.qualifiedName()
                  + " (line "
                  + member.line()
                  + ") uses "
                  + keyName(member.key())
                  + "; columns in one join-group share a data key, so give them the same key");
        }
      }
      rules.add(rule);
    }
    return rules;
  }

  private static String keyName(String key) {
    return key == null ? "the managed default key" : key;
  }

  private ColumnRule columnRule(Node item) {
    Section rule = section(item, null, "a columns entry", COLUMN_KEYS);
    int line = line(item);
    Node tableNode = rule.value("table");
    if (tableNode == null) {
      throw new ConfigException(
          source, line, "column rule has no 'table'; name the table, e.g. table: customers");
    }
    String qualified = rule.string("table").trim();
    String schema = null;
    String table = qualified;
    int dot = qualified.indexOf('.');
    if (dot >= 0) {
      schema = qualified.substring(0, dot).trim();
      table = qualified.substring(dot + 1).trim();
    }
    if (table.isEmpty() || table.indexOf('.') >= 0 || (schema != null && schema.isEmpty())) {
      throw fail(
          tableNode,
          "invalid table '"
              + qualified
              + "'; write a table name or schema.table, e.g. customers or public.customers");
    }
    Node columnNode = rule.value("column");
    if (columnNode == null) {
      throw new ConfigException(
          source,
          line,
          "column rule for table " + qualified + " has no 'column'; name it, e.g. column: ssn");
    }
    String column = rule.string("column").trim();
    if (column.isEmpty() || column.indexOf('.') >= 0) {
      throw fail(columnNode, "invalid column '" + column + "'; write a bare column name, e.g. ssn");
    }
    String name = qualified + "." + column;
    EncryptionMode mode = EncryptionMode.RANDOMIZED;
    Node modeNode = rule.value("mode");
    if (modeNode != null) {
      String text = rule.string("mode").trim();
      try {
        mode = EncryptionMode.valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw fail(
            modeNode,
            "unknown mode '"
                + text
                + "' for "
                + name
                + "; allowed values: deterministic, randomized");
      }
    }
    String key = rule.value("key") != null ? key(rule, "key", name) : null;
    String joinGroup = null;
    Node groupNode = rule.value("join-group");
    if (groupNode != null) {
      joinGroup = rule.string("join-group").trim();
      if (joinGroup.isEmpty()) {
        throw fail(groupNode, "join-group for " + name + " is empty; name the group or remove it");
      }
      if (mode != EncryptionMode.DETERMINISTIC) {
        throw fail(
            groupNode,
            "join-group '"
                + joinGroup
                + "' on "
                + name
                + " needs mode: deterministic (randomized columns cannot be joined or compared);"
                + " set mode: deterministic or remove join-group");
      }
    }
    return new ColumnRule(schema, table, column, mode, key, joinGroup, line);
  }

  private String key(Section section, String field, String owner) {
    String key = section.string(field).trim();
    if (ALIAS.matcher(key).matches()
        || PROVIDED.matcher(key).matches()
        || KEY_ID.matcher(key).matches()) {
      return key;
    }
    throw fail(section.value(field), "invalid key '" + key + "' for " + owner + "; " + KEY_FORMS);
  }

  private List<String> databases(Section top) {
    List<Node> items =
        top.list("databases", "a list of JDBC URL globs, e.g. - \"jdbc:postgresql://*\"");
    List<String> globs = new ArrayList<>();
    for (Node item : items) {
      String glob = scalar(item, "a databases entry").trim();
      if (glob.isEmpty()) {
        throw fail(item, "empty databases entry; give a JDBC URL glob such as jdbc:postgresql://*");
      }
      globs.add(glob);
    }
    return globs;
  }

  private List<VolumeRule> volumes(Section top) {
    List<Node> items = top.list("volumes", "a list of volume rules, each starting with '- path:'");
    List<VolumeRule> rules = new ArrayList<>();
    Map<Path, VolumeRule> seen = new HashMap<>();
    for (Node item : items) {
      Section volume = section(item, null, "a volumes entry", VOLUME_KEYS);
      int line = line(item);
      if (volume.value("path") == null) {
        throw new ConfigException(
            source,
            line,
            "volume rule has no 'path'; name the folder, e.g. path: /var/lib/uploads");
      }
      Path path = volume.path("path");
      String key = volume.value("key") != null ? key(volume, "key", "volume " + path) : null;
      VolumeRule rule = new VolumeRule(path, key, line);
      VolumeRule first = seen.putIfAbsent(path, rule);
      if (first != null) {
        throw new ConfigException(
            source,
            line,
            "duplicate rule for volume "
                + path
                + " (first at line "
                + first.line()
                + ")"
                + "; keep one rule per folder");
      }
      rules.add(rule);
    }
    return rules;
  }

  // ---------------------------------------------------------------- node helpers

  /** A validated mapping: its keys are all allowed and unique. */
  private final class Section {
    private final String prefix;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private final Map<String, Integer> keyLines = new HashMap<>();

    Section(String prefix) {
      this.prefix = prefix;
    }

    /** The value of {@code key}, or null when absent or written empty / {@code null}. */
    Node value(String key) {
      Node v = values.get(key);
      return v == null || isNull(v) ? null : v;
    }

    int keyLine(String key) {
      return keyLines.getOrDefault(key, 0);
    }

    String name(String key) {
      return prefix == null ? key : prefix + "." + key;
    }

    String string(String key) {
      return scalar(value(key), name(key));
    }

    Path path(String key) {
      String text = string(key).trim();
      if (text.isEmpty()) {
        throw fail(value(key), name(key) + " is empty; give a path");
      }
      try {
        return baseDir.resolve(Path.of(text)).normalize();
      } catch (InvalidPathException e) {
        throw fail(value(key), name(key) + " is not a valid path: " + e.getReason());
      }
    }

    boolean bool(String key, boolean defaultValue) {
      Node node = value(key);
      if (node == null) {
        return defaultValue;
      }
      String text = scalar(node, name(key)).trim().toLowerCase(Locale.ROOT);
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
      throw fail(node, name(key) + " must be true or false, got '" + text + "'");
    }

    Duration duration(String key) {
      Node node = value(key);
      String text = scalar(node, name(key)).trim();
      Matcher m = DURATION.matcher(text);
      Duration d = null;
      if (m.matches()) {
        try {
          long n = Long.parseLong(m.group(1));
          d =
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              };
        } catch (NumberFormatException | ArithmeticException e) {
          d = null;
        }
      }
      if (d == null) {
        throw fail(
            node,
            "invalid duration '"
                + text
                + "' for "
                + name(key)
                + "; write a whole number with a unit: 500ms, 30s, 5m, 2h or 1d");
      }
      if (d.isZero()) {
        throw fail(node, name(key) + " must be positive, got " + text);
      }
      return d;
    }

    long positiveLong(String key) {
      Node node = value(key);
      String text = scalar(node, name(key)).trim();
      if (!WHOLE_NUMBER.matcher(text).matches()) {
        throw fail(node, name(key) + " must be a whole number, got '" + text + "'");
      }
      long n;
      try {
        n = Long.parseLong(text.replace("_", ""));
      } catch (NumberFormatException e) {
        throw fail(node, name(key) + " is too large: " + text);
      }
      if (n <= 0) {
        throw fail(node, name(key) + " must be positive, got " + text);
      }
      return n;
    }

    /** The items of a list-valued key; empty when absent. */
    List<Node> list(String key, String expected) {
      Node node = value(key);
      if (node == null) {
        return List.of();
      }
      if (!(node instanceof SequenceNode seq)) {
        throw fail(node, "'" + name(key) + "' must be " + expected + ", found " + kind(node));
      }
      return seq.getValue();
    }
  }

  private Section section(Node node, String prefix, String what, List<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      throw fail(
          node,
          what
              + " must be a map of keys ("
              + String.join(", ", allowed)
              + "), found "
              + kind(node));
    }
    Section section = new Section(prefix);
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        throw fail(
            keyNode, "a key in " + what + " is " + kind(keyNode) + "; keys must be plain words");
      }
      String key = scalarKey.getValue();
      if (!allowed.contains(key)) {
        String where = prefix == null && "the config".equals(what) ? "top-level key" : "key";
        String in = "the config".equals(what) ? "" : " in " + what;
        String suggestion = suggest(key, allowed);
        throw fail(
            keyNode,
            "unknown "
                + where
                + " '"
                + key
                + "'"
                + in
                + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                + "; allowed keys: "
                + String.join(", ", allowed));
      }
      if (section.values.containsKey(key)) {
        throw fail(
            keyNode,
            "duplicate key '"
                + key
                + "' in "
                + what
                + " (first at line "
                + section.keyLine(key)
                + "); keep one");
      }
      section.values.put(key, tuple.getValueNode());
      section.keyLines.put(key, line(keyNode));
    }
    return section;
  }

  private String scalar(Node node, String name) {
    if (!(node instanceof ScalarNode s)) {
      throw fail(node, name + " must be a single value, found " + kind(node));
    }
    return s.getValue();
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a map";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    String value = ((ScalarNode) node).getValue();
    return "the value '" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'";
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private ConfigException fail(Node node, String message) {
    return new ConfigException(source, node == null ? 0 : line(node), message);
  }

  /** The allowed key closest to a misspelt one, if it is within two edits. */
  static String suggest(String key, List<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : allowed) {
      int d = editDistance(key.toLowerCase(Locale.ROOT), candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  private static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
