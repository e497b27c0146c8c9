package io.cloak.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.testing.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate db} and {@code migrate verify} on one engine: a seeded plaintext source with
 * foreign keys, a composite key, a table without key, NULLs, Unicode, large text, binary, decimals
 * and timestamps is copied into an encrypted target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class MigrationSuite {
  static final List<String> TABLES =
      List.of("tags", "customers", "orders", "order_items", "audit_log");

  @TempDir static Path dir;
  TestDatabase source;
  TestDatabase target;
  Path config;
  final Set<String> secrets = new HashSet<>();

  abstract TestDatabase.Engine engine();

  boolean maria() {
    return engine() == TestDatabase.Engine.MARIADB;
  }

  boolean pg() {
    return engine() == TestDatabase.Engine.POSTGRESQL;
  }

  String text() {
    return pg() ? "TEXT" : maria() ? "LONGTEXT" : "CHARACTER LARGE OBJECT";
  }

  String binary() {
    return pg() ? "BYTEA" : maria() ? "BLOB" : "VARBINARY(2000)";
  }

  String timestamp() {
    return maria() ? "DATETIME(6)" : "TIMESTAMP";
  }

  String dbl() {
    return maria() ? "DOUBLE" : "DOUBLE PRECISION";
  }

  @BeforeAll
  void seed() throws Exception {
    source = TestDatabase.create(engine(), dir);
    target = TestDatabase.create(engine(), dir);
    config =
        Migrate.writeConfig(
            dir,
            "{ table: customers, column: email, mode: deterministic }",
            "{ table: customers, column: ssn, mode: deterministic }",
            "{ table: customers, column: note }",
            "{ table: customers, column: balance }",
            "{ table: customers, column: photo }",
            "{ table: customers, column: born }",
            "{ table: orders, column: memo }",
            "{ table: orders, column: placed, mode: deterministic }",
            "{ table: order_items, column: product, mode: deterministic }",
            "{ table: audit_log, column: actor }",
            "{ table: tags, column: label }");
    try (Connection c = source.plain();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE tags (code VARCHAR(20) NOT NULL PRIMARY KEY, label VARCHAR(100) NOT NULL,"
              + " weight "
              + dbl()
              + ")");
      st.execute(
          "CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, email VARCHAR(200) NOT NULL,"
              + " name VARCHAR(100), ssn VARCHAR(20), note "
              + text()
              + ", balance DECIMAL(12,3), photo "
              + binary()
              + ", born DATE, created "
              + timestamp()
              + ", tag VARCHAR(20), CONSTRAINT fk_customers_tag FOREIGN KEY (tag) REFERENCES"
              + " tags (code))");
      st.execute("CREATE UNIQUE INDEX ux_customers_email ON customers (email)");
      st.execute("CREATE INDEX ix_customers_name ON customers (name)");
      st.execute("CREATE INDEX ix_customers_note_rand ON customers (balance)");
      st.execute(
          "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id INT NOT NULL,"
              + " total DECIMAL(10,2) NOT NULL, placed "
              + timestamp()
              + ", memo VARCHAR(500), CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id)"
              + " REFERENCES customers (id))");
      st.execute("CREATE INDEX ix_orders_customer ON orders (customer_id)");
      st.execute(
          "CREATE TABLE order_items (order_id BIGINT NOT NULL, line INT NOT NULL, product"
              + " VARCHAR(100) NOT NULL, qty INT, price DECIMAL(10,2), PRIMARY KEY (order_id,"
              + " line), CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id))");
      st.execute(
          "CREATE TABLE audit_log (at "
              + timestamp()
              + ", actor VARCHAR(100), action VARCHAR(50), payload "
              + binary()
              + ")");
      // a view of a view comes first by name: creating it has to wait for the other
      st.execute("CREATE VIEW customer_contacts AS SELECT id, email, name FROM customers");
      st.execute("CREATE VIEW all_contacts AS SELECT id, email FROM customer_contacts");
    }
    Random r = new Random(42);
    try (Connection c = source.plain()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO tags VALUES (?, ?, ?)")) {
        for (int i = 0; i < 20; i++) {
          ps.setString(1, "tag-" + i);
          ps.setString(2, secret("Label ünïcödé 😀 " + i));
          if (i % 5 == 0) {
            ps.setNull(3, Types.DOUBLE);
          } else {
            ps.setDouble(3, i / 3.0);
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 1; i <= 150; i++) {
          ps.setInt(1, i);
          ps.setString(2, secret("person" + i + "@example.org"));
          ps.setString(3, i % 7 == 0 ? null : "Zoë Ärger 日本 " + i);
          if (i % 4 == 0) {
            ps.setNull(4, Types.VARCHAR);
          } else {
            ps.setString(4, secret("SSN-" + (100000 + i)));
          }
          if (i % 50 == 0) {
            StringBuilder big = new StringBuilder("BIGNOTE-" + i + " ");
            while (big.length() < 100_000) {
              big.append("Ünïcode 🎉 lorem ipsum ").append(r.nextInt(1000)).append(' ');
            }
            ps.setString(5, secret(big.toString()));
          } else if (i % 3 == 0) {
            ps.setNull(5, Types.VARCHAR);
          } else {
            ps.setString(5, secret("private note 🙈 #" + i + " for customer"));
          }
          ps.setBigDecimal(6, new BigDecimal(String.format(Locale.ROOT, "%d.%03d", 1000 + i, i)));
          secrets.add(String.format(Locale.ROOT, "%d.%03d", 1000 + i, i));
          if (i % 5 == 0) {
            ps.setNull(7, Types.VARBINARY);
          } else {
            byte[] photo = new byte[100 + r.nextInt(400)];
            r.nextBytes(photo);
            photo[0] = 'P';
            ps.setBytes(7, photo);
          }
          ps.setObject(8, LocalDate.of(1950 + i % 50, 1 + i % 12, 1 + i % 28));
          secrets.add(LocalDate.of(1950 + i % 50, 1 + i % 12, 1 + i % 28).toString());
          ps.setTimestamp(
              9, Timestamp.valueOf(LocalDateTime.of(2024, 1, 1, 0, 0).plusSeconds(i * 7919L)));
          if (i % 3 == 0) {
            ps.setNull(10, Types.VARCHAR);
          } else {
            ps.setString(10, "tag-" + i % 20);
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?, ?)")) {
        for (long i = 1; i <= 400; i++) {
          ps.setLong(1, i * 10);
          ps.setInt(2, 1 + (int) (i % 150));
          ps.setBigDecimal(3, new BigDecimal(r.nextInt(100000)).movePointLeft(2));
          if (i % 9 == 0) {
            ps.setNull(4, Types.TIMESTAMP);
          } else {
            ps.setTimestamp(
                4,
                Timestamp.valueOf(
                    LocalDateTime.of(2023, 6, 1, 12, 0, 0, 123_456_000).plusHours(i)));
          }
          if (i % 6 == 0) {
            ps.setNull(5, Types.VARCHAR);
          } else {
            ps.setString(5, secret("deliver to 🏠 backdoor, code " + (7000 + i)));
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO order_items VALUES (?, ?, ?, ?, ?)")) {
        for (long o = 1; o <= 400; o++) {
          for (int line = 1; line <= 1 + o % 3; line++) {
            ps.setLong(1, o * 10);
            ps.setInt(2, line);
            ps.setString(3, secret("Product-" + (o * line % 37) + "-widget"));
            ps.setInt(4, line * 2);
            ps.setBigDecimal(5, new BigDecimal("19.90").add(BigDecimal.valueOf(line)));
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log VALUES (?, ?, ?, ?)")) {
        for (int i = 0; i < 120; i++) {
          int k = i % 100; // 20 exact duplicate rows
          ps.setTimestamp(1, Timestamp.valueOf(LocalDateTime.of(2024, 3, 1, 8, 0).plusMinutes(k)));
          if (k % 10 == 0) {
            ps.setNull(2, Types.VARCHAR);
          } else {
            ps.setString(2, secret("operator-" + k + "-jöhn"));
          }
          ps.setString(3, k % 2 == 0 ? "login" : "export");
          ps.setBytes(4, new byte[] {1, 2, (byte) k});
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    }
  }

  private String secret(String s) {
    secrets.add(s);
    return s;
  }

  @AfterAll
  void drop() throws Exception {
    if (source != null) {
      source.close();
    }
    if (target != null) {
      target.close();
    }
  }

  String[] args(String command, String... more) {
    List<String> a = new ArrayList<>();
    a.add(command);
    a.addAll(Migrate.args(source, target, config, more));
    return a.toArray(new String[0]);
  }

  @Test
  @Order(1)
  void dryRunPrintsThePlanAndWritesNothing() throws Exception {
    Migrate.Result r = Migrate.run(args("db", "--dry-run"));
    System.out.println(r.out());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("dry run"), r.out());
    assertTrue(r.out().toUpperCase(Locale.ROOT).contains("CREATE TABLE"), r.out());
    String lower = r.out().toLowerCase(Locale.ROOT);
    assertTrue(lower.contains("encrypted: email deterministic"), r.out());
    assertTrue(lower.contains("encrypted: note randomized"), r.out());
    assertTrue(r.out().contains("150 rows"), r.out());
    assertTrue(r.out().contains("stored as text"), r.out());
    assertTrue(r.out().contains("no primary key"), r.out());
    assertTrue(r.out().contains("note: skipped index"), r.out());
    int tags = r.out().indexOf("table " + name("tags"));
    int customers = r.out().indexOf("table " + name("customers"));
    int orders = r.out().indexOf("table " + name("orders"));
    int items = r.out().indexOf("table " + name("order_items"));
    assertTrue(tags >= 0 && tags < customers && customers < orders && orders < items, r.out());
    assertTrue(r.out().contains("view " + name("customer_contacts") + ": created after"), r.out());
    try (Connection c = target.plain()) {
      assertEquals(List.of(), Migrate.tables(c), "dry run created tables");
    }
  }

  String name(String table) {
    return engine() == TestDatabase.Engine.H2_FILE || engine() == TestDatabase.Engine.H2_MEMORY
        ? table.toUpperCase(Locale.ROOT)
        : table;
  }

  @Test
  @Order(2)
  void migrationEncryptsEveryConfiguredColumnAndCopiesEveryRowExactly() throws Exception {
    Migrate.Result r = Migrate.run(args("db", "--verify", "--batch=50"));
    System.out.println(r);
    assertEquals(0, r.exitCode(), r.toString());
    for (String t : TABLES) {
      assertTrue(r.out().contains("verify " + name(t) + ": OK"), r.out());
    }
    try (Connection s = source.plain();
        Connection t = target.cloak(config)) {
      for (String table : TABLES) {
        List<String> expected = Migrate.dump(s, table);
        List<String> actual = Migrate.dump(t, table);
        assertEquals(expected.size(), actual.size(), table);
        for (int i = 0; i < expected.size(); i++) {
          assertEquals(expected.get(i), actual.get(i), table + " row " + i);
        }
      }
    }
    try (Connection raw = target.plain()) {
      List<String> tables = new ArrayList<>(TABLES);
      tables.add("cloak_data_keys");
      tables.add("cloak_migration_progress");
      List<String> values = Migrate.rawValues(raw, tables);
      for (String secret : secrets) {
        for (String v : values) {
          assertFalse(v.contains(secret), "plaintext " + abbreviate(secret) + " in raw target");
        }
      }
      try (Statement st = raw.createStatement();
          ResultSet rs = st.executeQuery("SELECT email, photo, balance, born FROM customers")) {
        int rows = 0;
        while (rs.next()) {
          rows++;
          assertTrue(rs.getString(1).startsWith("$ck1$"), rs.getString(1));
          assertTrue(rs.getString(3).startsWith("$ck1$"));
          assertTrue(rs.getString(4).startsWith("$ck1$"));
        }
        assertEquals(150, rows);
      }
    }
    assertTrue(r.out().contains("5 tables, 2 views"), r.out());
    // The views exist in the target and decrypt through Cloak, a view of a view too.
    try (Connection s = source.plain();
        Connection t = target.cloak(config)) {
      for (String view : List.of("customer_contacts", "all_contacts")) {
        String sql = "SELECT id, email FROM " + view + " ORDER BY id";
        assertEquals(rows(s, sql), rows(t, sql), view);
      }
    }
    try (Connection raw = target.plain();
        Statement st = raw.createStatement();
        ResultSet rs = st.executeQuery("SELECT email FROM all_contacts")) {
      assertTrue(rs.next());
      assertTrue(rs.getString(1).startsWith("$ck1$"), "the view reads the encrypted table");
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getInt(1) + "|" + rs.getString(2));
      }
    }
    assertEquals(150, out.size(), sql);
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  @Test
  @Order(3)
  void rerunAfterCompletionSkipsFinishedTablesAndAddsNothing() throws Exception {
    Migrate.Result r = Migrate.run(args("db", "--verify"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("already copied"), r.out());
    try (Connection raw = target.plain()) {
      assertEquals(150, Migrate.count(raw, "customers"));
      assertEquals(120, Migrate.count(raw, "audit_log"));
    }
  }

  @Test
  @Order(4)
  void uniqueIndexOnDeterministicColumnIsKeptAndForeignKeysAreRecreated() throws Exception {
    try (Connection c = target.cloak(config);
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO customers (id, email) VALUES (?, ?)")) {
      ps.setInt(1, 9999);
      ps.setString(2, "person1@example.org");
      assertThrowsSql(ps::executeUpdate);
    }
    try (Connection c = target.plain();
        Statement st = c.createStatement()) {
      assertThrowsSql(
          () -> st.executeUpdate("INSERT INTO orders (id, customer_id, total) VALUES (1, 777, 1)"));
    }
  }

  interface SqlAction {
    Object run() throws Exception;
  }

  static void assertThrowsSql(SqlAction a) {
    try {
      a.run();
    } catch (Exception e) {
      return;
    }
    throw new AssertionError("expected a constraint violation");
  }

  @Test
  @Order(5)
  void verifyNamesTheTableThatDiffers() throws Exception {
    try (Connection c = target.plain();
        Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM order_items WHERE order_id = 100 AND line = 2");
    }
    Migrate.Result r = Migrate.run(args("verify"));
    System.out.println(r);
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("verify " + name("order_items") + ": MISMATCH"), r.out());
    assertTrue(r.out().contains("verify " + name("customers") + ": OK"), r.out());
    assertTrue(
        r.err().contains("order_items".toUpperCase(Locale.ROOT)) || r.err().contains("order_items"),
        r.err());
    assertTrue(r.out().contains("100, 2"), r.out());
  }

  @Test
  @Order(6)
  void binaryStorageGivesEncryptedColumnsBinaryTypesAndCopiesEveryRowExactly() throws Exception {
    try (TestDatabase binaryTarget = TestDatabase.create(engine(), dir)) {
      List<String> a = new ArrayList<>();
      a.add("db");
      a.addAll(
          Migrate.args(
              source,
              binaryTarget,
              config,
              "--verify",
              "--encrypted-storage=binary",
              "--batch=40"));
      Migrate.Result r = Migrate.run(a.toArray(new String[0]));
      System.out.println(r);
      assertEquals(0, r.exitCode(), r.toString());
      for (String t : TABLES) {
        assertTrue(r.out().contains("verify " + name(t) + ": OK"), r.out());
      }
      try (Connection s = source.plain();
          Connection t = binaryTarget.cloak(config)) {
        for (String table : TABLES) {
          assertEquals(Migrate.dump(s, table), Migrate.dump(t, table), table);
        }
      }
      try (Connection raw = binaryTarget.plain()) {
        for (String column : List.of("email", "ssn", "note", "balance", "born")) {
          try (ResultSet rs =
              raw.getMetaData()
                  .getColumns(raw.getCatalog(), raw.getSchema(), name("customers"), name(column))) {
            assertTrue(rs.next(), column);
            int type = rs.getInt("DATA_TYPE");
            assertTrue(
                type == java.sql.Types.BINARY
                    || type == java.sql.Types.VARBINARY
                    || type == java.sql.Types.LONGVARBINARY
                    || type == java.sql.Types.BLOB,
                column + " has type " + rs.getString("TYPE_NAME"));
          }
        }
        List<String> values = Migrate.rawValues(raw, new ArrayList<>(TABLES));
        for (String secret : secrets) {
          for (String v : values) {
            assertFalse(v.contains(secret), "plaintext " + abbreviate(secret) + " in raw target");
          }
        }
        try (Statement st = raw.createStatement();
            ResultSet rs = st.executeQuery("SELECT email FROM customers")) {
          int rows = 0;
          while (rs.next()) {
            rows++;
            byte[] stored = rs.getBytes(1);
            assertTrue(
                io.cloak.jdbc.internal.codec.ColumnCipher.isCiphertext(stored),
                "binary ciphertext");
          }
          assertEquals(150, rows);
        }
      }
      // the unique index on the deterministic column is kept on the binary column too
      try (Connection c = binaryTarget.cloak(config);
          PreparedStatement ps =
              c.prepareStatement("INSERT INTO customers (id, email) VALUES (?, ?)")) {
        ps.setInt(1, 9999);
        ps.setString(2, "person1@example.org");
        assertThrowsSql(ps::executeUpdate);
      }
    }
  }

  @Test
  void anUnknownEncryptedStorageIsRefusedBeforeAnythingIsWritten() throws Exception {
    Migrate.Result r = Migrate.run(args("db", "--encrypted-storage=blob"));
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.err().contains("expected text or binary"), r.err());
  }
}
