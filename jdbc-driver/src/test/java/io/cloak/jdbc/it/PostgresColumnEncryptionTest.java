package io.cloak.jdbc.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostgresColumnEncryptionTest extends ColumnEncryptionSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.POSTGRESQL;
  }

  @Test
  void onConflictUpsertUpdatesEncryptedColumn() throws Exception {
    upsertUpdatesEncryptedColumn(
        id ->
            "INSERT INTO customers (id, card) VALUES (?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET card = EXCLUDED.card");
  }

  @Test
  void viewsTheApplicationRoleDoesNotOwnAreJudgedByTheirDefinition() throws Exception {
    // information_schema.views hides these definitions from a role that does not own the views.
    String role = "cloak_it_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection plain = db.plain();
        Statement st = plain.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN");
      st.execute("CREATE VIEW owned_contacts AS SELECT id, email FROM customers");
      st.execute("CREATE VIEW owned_notes AS SELECT id, body FROM notes");
      st.execute(
          "GRANT SELECT, INSERT ON customers, notes, owned_contacts, owned_notes TO " + role);
    }
    try {
      Properties p = new Properties();
      p.setProperty("user", role);
      p.setProperty("cloak.config", writeConfig("role.yaml", false).toString());
      try (Connection app = DriverManager.getConnection(db.cloakUrl(), p)) {
        try (PreparedStatement ps =
            app.prepareStatement("INSERT INTO owned_notes (id, body) VALUES (?, ?)")) {
          ps.setInt(1, 77);
          ps.setString(2, "a plain note");
          ps.executeUpdate();
        }
        SQLException e =
            assertThrows(
                SQLException.class,
                () -> app.prepareStatement("INSERT INTO owned_contacts (id, email) VALUES (?, ?)"));
        assertTrue(e.getMessage().startsWith("Cloak: customers.email"), e.getMessage());
      }
    } finally {
      try (Connection plain = db.plain();
          Statement st = plain.createStatement()) {
        st.execute("DROP VIEW owned_contacts, owned_notes");
        st.execute("DROP OWNED BY " + role);
        st.execute("DROP ROLE " + role);
      }
    }
  }
}
