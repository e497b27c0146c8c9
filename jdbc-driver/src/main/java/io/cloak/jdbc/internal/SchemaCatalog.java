package io.cloak.jdbc.internal;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import io.cloak.jdbc.internal.sql.EncryptedColumn;
import io.cloak.jdbc.internal.sql.EncryptedSchema;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The schema as the statement analyser sees it: which columns are encrypted (from the config) and
 * which columns each table has (from database metadata, read once per table and forgotten after
 * DDL). Metadata is read through the connection the current thread is working on. Thread-safe.
 */
final class SchemaCatalog implements EncryptedSchema {
  private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

  private final CloakConfig config;
  private final ConnectionFactory fallback;
  private final Map<String, List<PhysicalColumn>> tables = new ConcurrentHashMap<>();
  private final Map<ColumnRule, EncryptedColumn> columns = new ConcurrentHashMap<>();
  private final Set<String> encryptedNames;
  // the views over tables with encrypted columns; null until read, and again after DDL
  private volatile Views views;

  /**
   * Views over tables with encrypted columns, by lower-case name: one encrypted column each view
   * reads, and the view's columns that carry an encrypted column's values under its own name.
   */
  private record Views(
      Set<String> all,
      Map<String, EncryptedColumn> over,
      Map<String, Map<String, EncryptedColumn>> columns) {}

  // lower-case names that were not views when last asked (see viewsKnowing)
  private final Set<String> notViews = ConcurrentHashMap.newKeySet();

  SchemaCatalog(CloakConfig config, ConnectionFactory fallback) {
    this.config = config;
    this.fallback = fallback;
    Set<String> names = new LinkedHashSet<>();
    config.columns().forEach(r -> names.add(r.column().toLowerCase(Locale.ROOT)));
    this.encryptedNames = Set.copyOf(names);
  }

  /** Runs {@code work} with {@code connection} as the source of metadata for this thread. */
  static <T> T using(Connection connection, SqlSupplier<T> work) throws SQLException {
    Connection previous = CURRENT.get();
    CURRENT.set(connection);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  @FunctionalInterface
  interface SqlSupplier<T> {
    T get() throws SQLException;
  }

  /** Forgets table metadata, after DDL. */
  void invalidate() {
    tables.clear();
    views = null;
    notViews.clear();
  }

  @Override
  public EncryptedColumn encryptedColumnUnderView(String schema, String name) {
    return config.columns().isEmpty()
        ? null
        : viewsKnowing(name).over().get(name.toLowerCase(Locale.ROOT));
  }

  @Override
  public EncryptedColumn encryptedColumnThroughView(String schema, String view, String column) {
    if (config.columns().isEmpty()) {
      return null;
    }
    Map<String, EncryptedColumn> columns =
        viewsKnowing(view).columns().get(view.toLowerCase(Locale.ROOT));
    return columns == null ? null : columns.get(column.toLowerCase(Locale.ROOT));
  }

  /**
   * The views, read again when {@code name} is a view that was created after they were read (by DDL
   * that did not go through Cloak). Each name that is not a view is checked once, until the next
   * DDL through Cloak.
   */
  private Views viewsKnowing(String name) {
    Views v = views();
    String key = name.toLowerCase(Locale.ROOT);
    if (v.all().contains(key) || notViews.contains(key)) {
      return v;
    }
    boolean isView;
    try {
      isView = withConnection(c -> isView(c, name));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cloak cannot read the views of the database: " + e.getMessage(), e);
    }
    if (!isView) {
      notViews.add(key);
      return v;
    }
    views = null;
    return views();
  }

  private static boolean isView(Connection c, String name) throws SQLException {
    for (String variant :
        new LinkedHashSet<>(
            List.of(name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT)))) {
      try (ResultSet rs =
          c.getMetaData().getTables(c.getCatalog(), null, variant, new String[] {"VIEW"})) {
        while (rs.next()) {
          if (rs.getString("TABLE_NAME").equalsIgnoreCase(name)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private Views views() {
    Views v = views;
    if (v == null) {
      try {
        v = withConnection(this::readViews);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "Cloak cannot read the views of the database: " + e.getMessage(), e);
      }
      views = v;
    }
    return v;
  }

  /**
   * Finds the views that read a table with encrypted columns, directly or through other views, by
   * looking for the tables' names in the views' definitions. A view whose definition cannot be read
   * counts as one (fail closed). A name that only looks like a table's (in a string, say) can make
   * a view count when it does not read the table; that refuses writes, it never lets one through.
   */
  private Views readViews(Connection c) throws SQLException {
    Map<String, String> byQualifiedName = new HashMap<>();
    // PostgreSQL's information_schema hides the definitions of views the role does not own;
    // pg_views shows every view the role can see.
    String query =
        Dialect.of(c.getMetaData().getDatabaseProductName()) == Dialect.POSTGRESQL
            ? "SELECT schemaname, viewname, definition FROM pg_catalog.pg_views"
            : "SELECT table_schema, table_name, view_definition FROM information_schema.views";
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        String definition = rs.getString(3);
        if (definition != null) {
          byQualifiedName.merge(
              qualified(rs.getString(1), rs.getString(2)), definition, (a, b) -> a + "\n" + b);
        }
      }
    } catch (SQLException e) {
      // A database without information_schema.views: every view is unreadable, so refused below.
      // (On PostgreSQL, where a failed query would abort the transaction, pg_views always exists.)
    }
    Map<String, String> definitions = new HashMap<>(); // lower-case name -> definitions
    Set<String> unreadable = new HashSet<>();
    try (ResultSet rs =
        c.getMetaData().getTables(c.getCatalog(), null, "%", new String[] {"VIEW"})) {
      while (rs.next()) {
        String schema = rs.getString("TABLE_SCHEM");
        String name = rs.getString("TABLE_NAME");
        String key = name.toLowerCase(Locale.ROOT);
        String definition =
            byQualifiedName.get(
                qualified(schema != null ? schema : rs.getString("TABLE_CAT"), name));
        if (definition == null) {
          unreadable.add(key);
        } else {
          definitions.merge(key, definition, (a, b) -> a + "\n" + b);
        }
      }
    }
    // lower-case table name -> its encrypted columns, in config order
    Map<String, List<ColumnRule>> tableRules = new LinkedHashMap<>();
    for (ColumnRule rule : config.columns()) {
      tableRules
          .computeIfAbsent(rule.table().toLowerCase(Locale.ROOT), t -> new ArrayList<>())
          .add(rule);
    }
    Map<String, EncryptedColumn> over = new HashMap<>();
    for (String view : unreadable) {
      if (!tableRules.containsKey(view)) {
        over.put(view, encryptedColumn(config.columns().get(0)));
      }
    }
    boolean grew = true;
    while (grew) { // views over views: until nothing new is found
      grew = false;
      for (Map.Entry<String, String> view : definitions.entrySet()) {
        if (over.containsKey(view.getKey()) || tableRules.containsKey(view.getKey())) {
          continue; // found already, or named in the config itself
        }
        EncryptedColumn found = mentionedColumn(view.getValue(), tableRules, over);
        if (found != null) {
          over.put(view.getKey(), found);
          grew = true;
        }
      }
    }
    Set<String> all = new HashSet<>(definitions.keySet());
    all.addAll(unreadable);
    return new Views(
        Set.copyOf(all),
        Map.copyOf(over),
        carriedColumns(definitions, tableRules, over, this::encryptedColumn));
  }

  /**
   * For each view over encrypted tables, the encrypted columns it carries under their own names:
   * those of the tables and views its definition names whose names it also contains. A name that
   * two different encrypted columns could fill is left out, so reading it fails closed on the
   * ciphertext. Reads of a carried column decrypt with that column's key; writes through the view
   * stay refused.
   */
  static Map<String, Map<String, EncryptedColumn>> carriedColumns(
      Map<String, String> definitions,
      Map<String, List<ColumnRule>> tableRules,
      Map<String, EncryptedColumn> over,
      Function<ColumnRule, EncryptedColumn> encrypted) {
    Map<String, Map<String, EncryptedColumn>> carried = new HashMap<>();
    boolean changed = true;
    for (int round = 0; changed && round <= definitions.size(); round++) {
      changed = false;
      for (Map.Entry<String, String> view : definitions.entrySet()) {
        if (!over.containsKey(view.getKey())) {
          continue;
        }
        String definition = view.getValue();
        Map<String, EncryptedColumn> columns = new HashMap<>();
        Set<String> clashing = new HashSet<>();
        for (Map.Entry<String, List<ColumnRule>> table : tableRules.entrySet()) {
          if (mentions(definition, table.getKey())) {
            for (ColumnRule rule : table.getValue()) {
              if (mentions(definition, rule.column())) {
                carry(columns, clashing, rule.column(), encrypted.apply(rule));
              }
            }
          }
        }
        for (Map.Entry<String, Map<String, EncryptedColumn>> inner : carried.entrySet()) {
          if (!inner.getKey().equals(view.getKey()) && mentions(definition, inner.getKey())) {
            for (Map.Entry<String, EncryptedColumn> c : inner.getValue().entrySet()) {
              if (mentions(definition, c.getKey())) {
                carry(columns, clashing, c.getKey(), c.getValue());
              }
            }
          }
        }
        clashing.forEach(columns::remove);
        Map<String, EncryptedColumn> result = Map.copyOf(columns);
        if (!result.equals(carried.get(view.getKey()))) {
          carried.put(view.getKey(), result);
          changed = true;
        }
      }
    }
    return Map.copyOf(carried);
  }

  private static void carry(
      Map<String, EncryptedColumn> columns,
      Set<String> clashing,
      String name,
      EncryptedColumn column) {
    String key = name.toLowerCase(Locale.ROOT);
    EncryptedColumn before = columns.putIfAbsent(key, column);
    if (before != null && !before.sameColumn(column)) {
      clashing.add(key);
    }
  }

  /**
   * The encrypted column a view definition reads: of the first table (or view) it names, the first
   * encrypted column whose name it also contains, else that table's first encrypted column.
   */
  private EncryptedColumn mentionedColumn(
      String definition, Map<String, List<ColumnRule>> tables, Map<String, EncryptedColumn> views) {
    for (Map.Entry<String, List<ColumnRule>> table : tables.entrySet()) {
      if (mentions(definition, table.getKey())) {
        for (ColumnRule rule : table.getValue()) {
          if (mentions(definition, rule.column())) {
            return encryptedColumn(rule);
          }
        }
        return encryptedColumn(table.getValue().get(0));
      }
    }
    for (Map.Entry<String, EncryptedColumn> view : views.entrySet()) {
      if (mentions(definition, view.getKey())) {
        return view.getValue();
      }
    }
    return null;
  }

  private static String qualified(String schema, String name) {
    return (schema == null ? "" : schema.toLowerCase(Locale.ROOT))
        + "."
        + (name == null ? "" : name.toLowerCase(Locale.ROOT));
  }

  /** Whether {@code name} occurs in {@code sql} as a whole identifier, ignoring case. */
  static boolean mentions(String sql, String name) {
    Pattern p =
        Pattern.compile(
            "(?<![\\w$])" + Pattern.quote(name) + "(?![\\w$])",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    return p.matcher(sql).find();
  }

  @Override
  public EncryptedColumn encryptedColumn(String schema, String table, String column) {
    Optional<ColumnRule> rule = config.column(schema, table, column);
    return rule.map(this::encryptedColumn).orElse(null);
  }

  EncryptedColumn encryptedColumn(ColumnRule rule) {
    return columns.computeIfAbsent(
        rule,
        r ->
            new EncryptedColumn(
                (r.schema() == null ? "" : r.schema() + ".") + r.table(),
                r.column(),
                r.mode(),
                binding(r)));
  }

  /** The identity bound into a column's ciphertexts and data key. */
  static String binding(ColumnRule rule) {
    if (rule.joinGroup() != null && rule.mode() == EncryptionMode.DETERMINISTIC) {
      return "group:" + rule.joinGroup();
    }
    return rule.qualifiedName().toLowerCase(Locale.ROOT);
  }

  @Override
  public List<String> columns(String schema, String table) {
    List<PhysicalColumn> physical = tableColumns(schema, table);
    List<String> names = new ArrayList<>(physical.size());
    physical.forEach(c -> names.add(c.name()));
    return names;
  }

  @Override
  public Set<String> encryptedColumnNames() {
    return encryptedNames;
  }

  /** The physical column of a rule, or empty when its table or column does not exist. */
  Optional<PhysicalColumn> physical(ColumnRule rule) {
    for (PhysicalColumn c : tableColumns(rule.schema(), rule.table())) {
      if (c.name().equalsIgnoreCase(rule.column())) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  List<PhysicalColumn> tableColumns(String schema, String table) {
    String key =
        (schema == null ? "" : schema.toLowerCase(Locale.ROOT))
            + "."
            + table.toLowerCase(Locale.ROOT);
    List<PhysicalColumn> cached = tables.get(key);
    if (cached != null) {
      return cached;
    }
    List<PhysicalColumn> loaded;
    try {
      loaded = load(schema, table);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cloak cannot read the columns of table " + table + ": " + e.getMessage(), e);
    }
    if (!loaded.isEmpty()) {
      tables.put(key, loaded);
    }
    return loaded;
  }

  private List<PhysicalColumn> load(String schema, String table) throws SQLException {
    return withConnection(c -> read(c, schema, table));
  }

  /** Runs {@code work} on the thread's current connection, or on a new one when it has none. */
  private <T> T withConnection(SqlFunction<T> work) throws SQLException {
    Connection current = CURRENT.get();
    if (current != null) {
      return work.apply(current);
    }
    try (Connection c = fallback.connect()) {
      return work.apply(c);
    }
  }

  @FunctionalInterface
  private interface SqlFunction<T> {
    T apply(Connection connection) throws SQLException;
  }

  static List<PhysicalColumn> read(Connection c, String schema, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String catalog = c.getCatalog();
    String schemaPattern = schema != null ? schema : currentSchema(c);
    for (String variant :
        new LinkedHashSet<>(
            List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)))) {
      List<PhysicalColumn> found = readColumns(md, catalog, schemaPattern, variant, table);
      if (found.isEmpty() && schemaPattern != null && schema != null) {
        for (String schemaVariant :
            List.of(schema.toLowerCase(Locale.ROOT), schema.toUpperCase(Locale.ROOT))) {
          found = readColumns(md, catalog, schemaVariant, variant, table);
          if (!found.isEmpty()) {
            break;
          }
        }
      }
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static String currentSchema(Connection c) {
    try {
      return c.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      return null;
    }
  }

  private static List<PhysicalColumn> readColumns(
      DatabaseMetaData md, String catalog, String schema, String tablePattern, String table)
      throws SQLException {
    List<PhysicalColumn> out = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    try (ResultSet rs = md.getColumns(catalog, schema, tablePattern, "%")) {
      while (rs.next()) {
        if (!rs.getString("TABLE_NAME").equalsIgnoreCase(table)) {
          continue; // '_' in a pattern matches any character
        }
        PhysicalColumn col =
            new PhysicalColumn(
                rs.getString("COLUMN_NAME"),
                rs.getInt("DATA_TYPE"),
                rs.getString("TYPE_NAME"),
                rs.getInt("COLUMN_SIZE"),
                PhysicalColumn.isRealDefault(rs.getString("COLUMN_DEF")));
        int position = rs.getInt("ORDINAL_POSITION");
        int at = 0;
        while (at < positions.size() && positions.get(at) < position) {
          at++;
        }
        positions.add(at, position);
        out.add(at, col);
      }
    }
    return out;
  }
}
