package io.cloak.cli.migrate;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The views of the migrated schema: read from the source snapshot, and created in the target after
 * the data, views of views after the views they read. Through Cloak, a view column that carries an
 * encrypted column under its own name is decrypted (see docs/jdbc.md).
 */
final class Views {
  /** A view and the query that defines it, without the source's schema or database qualifier. */
  record View(String name, String query) {}

  private Views() {}

  /** The views of the source schema (PostgreSQL, H2) or database (MariaDB), by name. */
  static List<View> read(Connection source, Engine engine) throws SQLException {
    String sql =
        switch (engine) {
          case POSTGRESQL ->
              "SELECT viewname, definition FROM pg_catalog.pg_views"
                  + " WHERE schemaname = current_schema() ORDER BY viewname";
          case MARIADB ->
              "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"
                  + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME";
          case H2 ->
              "SELECT TABLE_NAME, VIEW_DEFINITION FROM INFORMATION_SCHEMA.VIEWS"
                  + " WHERE TABLE_SCHEMA = SCHEMA() ORDER BY TABLE_NAME";
        };
    // MariaDB and H2 qualify every name in a definition with the source's database or schema;
    // the target's are different (MariaDB) or may be.
    String qualifier =
        switch (engine) {
          case MARIADB -> engine.quote(source.getCatalog()) + ".";
          case H2 -> engine.quote(source.getSchema()) + ".";
          case POSTGRESQL -> null;
        };
    List<View> views = new ArrayList<>();
    try (Statement st = source.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String name = rs.getString(1);
        String query = rs.getString(2);
        if (query == null || query.isBlank()) {
          throw new MigrationException(
              "cannot read the definition of view "
                  + name
                  + " in the source; give the source user the right to see it (MariaDB: SHOW"
                  + " VIEW), or migrate with --tables and create the views by hand");
        }
        query = query.strip();
        while (query.endsWith(";")) {
          query = query.substring(0, query.length() - 1).strip();
        }
        if (qualifier != null) {
          query = query.replace(qualifier, "");
        }
        views.add(new View(name, query));
      }
    }
    return views;
  }

  /**
   * Creates each view that the target does not have yet, retrying those that fail while others
   * succeed (a view of a view needs the other first).
   *
   * @return the views that could not be created, with the database's reason; empty when all exist
   */
  static Map<String, String> create(
      Connection target, Engine engine, List<View> views, PrintWriter out) throws SQLException {
    List<View> pending = new ArrayList<>();
    for (View v : views) {
      if (!Copier.tableExists(target, engine, v.name())) {
        pending.add(v);
      }
    }
    Map<String, String> failed = new LinkedHashMap<>();
    boolean autoCommit = target.getAutoCommit();
    target.setAutoCommit(true); // a failed CREATE VIEW must not abort a transaction
    try {
      boolean progress = true;
      while (!pending.isEmpty() && progress) {
        progress = false;
        failed.clear();
        for (var it = pending.iterator(); it.hasNext(); ) {
          View v = it.next();
          try (Statement st = target.createStatement()) {
            st.execute("CREATE VIEW " + engine.quote(v.name()) + " AS " + v.query());
            out.println("view " + v.name() + ": created");
            it.remove();
            progress = true;
          } catch (SQLException e) {
            failed.put(v.name(), e.getMessage());
          }
        }
      }
    } finally {
      target.setAutoCommit(autoCommit);
    }
    out.flush();
    return failed;
  }
}
