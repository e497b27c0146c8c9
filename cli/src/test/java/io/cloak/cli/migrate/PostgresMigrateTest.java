package io.cloak.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cloak.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

class PostgresMigrateTest extends MigrationSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.POSTGRESQL;
  }

  @Test
  @Order(10)
  void selectedTableWithSerialKeyContinuesItsSequenceInTheTarget() throws Exception {
    try (Connection c = source.plain();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE seq_demo (id SERIAL PRIMARY KEY, v VARCHAR(20))");
      st.execute("INSERT INTO seq_demo (v) VALUES ('a'), ('b'), ('c')");
    }
    Migrate.Result r = Migrate.run(args("db", "--tables=seq_demo", "--verify"));
    assertEquals(0, r.exitCode(), r.toString());
    try (Connection c = target.plain();
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO seq_demo (v) VALUES ('d')");
      try (ResultSet rs = st.executeQuery("SELECT MAX(id) FROM seq_demo")) {
        rs.next();
        assertEquals(4, rs.getInt(1));
      }
    }
  }
}
