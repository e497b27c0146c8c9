package io.cloak.jdbc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.config.ColumnRule;
import io.cloak.config.EncryptionMode;
import io.cloak.crypto.Aead;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import io.cloak.jdbc.internal.codec.ColumnKeys;
import io.cloak.jdbc.internal.codec.PendingEncryption;
import io.cloak.jdbc.internal.codec.TestKeys;
import io.cloak.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Binary columns on PostgreSQL are bound as {@link PgDeferredBytea}s and encrypted while pgjdbc
 * sends them, and so are values written into text columns, through {@code convert_from}: the values
 * are exactly what eager encryption gives, a failure sends nothing, comparisons and other drivers
 * keep the eager path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgDeferredByteaTest {
  private static final String SECRET = "TOP-SECRET-deferred-";

  @TempDir static Path dir;
  private TestDatabase db;
  private Path config;

  @BeforeAll
  void createDatabase() throws Exception {
    db = TestDatabase.create(TestDatabase.Engine.POSTGRESQL, dir);
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    config = dir.resolve("cloak.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "kms: {type: local, keystore: ./keystore, root-key-file: ./root.key}",
            "columns:",
            "  - {table: blobs, column: r}",
            "  - {table: blobs, column: d, mode: deterministic}",
            "  - {table: notes, column: r}",
            "  - {table: notes, column: d, mode: deterministic}",
            ""));
    try (Connection plain = db.plain();
        Statement st = plain.createStatement()) {
      st.execute("CREATE TABLE blobs (id INT PRIMARY KEY, r BYTEA, d BYTEA, n TEXT)");
      st.execute("CREATE TABLE notes (id INT PRIMARY KEY, r VARCHAR(200), d TEXT, n TEXT)");
    }
  }

  @AfterAll
  void dropDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void onlyPgjdbcConnectionsTakeDeferredValues() throws Exception {
    try (Connection pg = db.plain();
        Connection h2 = DriverManager.getConnection("jdbc:h2:mem:deferred")) {
      assertTrue(PgDeferredBytea.usableWith(pg));
      assertFalse(PgDeferredBytea.usableWith(h2));
    }
  }

  @Test
  void bindingSetsAWriterOnlyWhenDeferred() throws Exception {
    ColumnCipher cipher = cipher(realKeys());
    PhysicalColumn bytea = new PhysicalColumn("r", Types.BINARY, "bytea", Integer.MAX_VALUE);
    List<String> deferred = new ArrayList<>();
    new ColumnBinding(rule(), cipher, bytea, false, Dialect.POSTGRESQL, true)
        .bind(recording(deferred), 2, SECRET);
    assertEquals(List.of("setObject 2 PgDeferredBytea"), deferred);

    List<String> eager = new ArrayList<>();
    new ColumnBinding(rule(), cipher, bytea, false, Dialect.POSTGRESQL, false)
        .bind(recording(eager), 2, SECRET);
    assertEquals(List.of("setBytes 2 byte[]"), eager);

    List<String> nulls = new ArrayList<>();
    new ColumnBinding(rule(), cipher, bytea, false, Dialect.POSTGRESQL, true)
        .bind(recording(nulls), 2, null);
    assertEquals(List.of("setNull 2 " + Types.VARBINARY), nulls);
  }

  @Test
  void textBindingSetsAWriterOnlyForMarkersPreparedForIt() throws Exception {
    ColumnCipher cipher = cipher(realKeys());
    PhysicalColumn varchar = new PhysicalColumn("r", Types.VARCHAR, "varchar", 200);
    ColumnBinding binding =
        new ColumnBinding(rule(), cipher, varchar, false, Dialect.POSTGRESQL, true);
    assertTrue(binding.defersText());
    List<String> calls = new ArrayList<>();
    binding.bind(recording(calls), 2, SECRET, true);
    binding.bind(recording(calls), 3, null, true);
    binding.bind(recording(calls), 4, SECRET, false);
    binding.bind(recording(calls), 5, null, false);
    assertEquals(
        List.of(
            "setObject 2 PgDeferredBytea",
            "setNull 3 " + Types.BINARY,
            "setString 4 String",
            "setNull 5 " + Types.VARCHAR),
        calls);

    assertFalse(
        new ColumnBinding(rule(), cipher, varchar, false, Dialect.POSTGRESQL, false).defersText());
    PhysicalColumn bytea = new PhysicalColumn("r", Types.BINARY, "bytea", Integer.MAX_VALUE);
    ColumnBinding binary =
        new ColumnBinding(rule(), cipher, bytea, false, Dialect.POSTGRESQL, true);
    assertFalse(binary.defersText());
    SQLException e =
        assertThrows(SQLException.class, () -> binary.bind(recording(calls), 1, SECRET, true));
    assertTrue(e.getMessage().contains("blobs.r"), e.getMessage());
    assertTrue(e.getMessage().contains("prepare the statement again"), e.getMessage());
  }

  @Test
  void textWriterWritesTheTextFormOfItsValue() throws Exception {
    ColumnCipher cipher = cipher(realKeys());
    PgDeferredBytea writer = PgDeferredBytea.ofText(cipher.prepare(SECRET));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.writeTo(() -> out);
    assertEquals(writer.getLength(), out.size());
    String text = out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    assertTrue(text.startsWith(ColumnCipher.TEXT_PREFIX), text);
    assertEquals(SECRET, cipher.decryptText(text));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    writer.writeTo(() -> again);
    assertArrayEquals(out.toByteArray(), again.toByteArray());
  }

  @Test
  void tooSmallTextColumnIsReportedWhenBoundBeforeAnythingIsSent() throws Exception {
    PhysicalColumn small = new PhysicalColumn("r", Types.VARCHAR, "varchar", 40);
    List<String> calls = new ArrayList<>();
    ColumnBinding binding =
        new ColumnBinding(rule(), cipher(realKeys()), small, false, Dialect.POSTGRESQL, true);
    SQLException e =
        assertThrows(SQLException.class, () -> binding.bind(recording(calls), 1, SECRET, true));
    assertTrue(e.getMessage().contains("characters"), e.getMessage());
    assertEquals("22001", e.getSQLState());
    assertEquals(List.of(), calls);
  }

  /**
   * Also with pgjdbc's {@code reWriteBatchedInserts}, which rewrites the SQL into multi-row
   * inserts.
   */
  @ParameterizedTest(name = "reWriteBatchedInserts={0}")
  @ValueSource(booleans = {false, true})
  void textColumnsAreEncryptedWhilePgjdbcSendsAndReadBack(boolean rewriteBatches) throws Exception {
    int rows = 2_000;
    try (Connection plain = db.plain();
        Statement st = plain.createStatement()) {
      st.execute("DELETE FROM notes");
    }
    Properties props = new Properties();
    props.putAll(db.credentials);
    props.setProperty("cloak.config", config.toString());
    props.setProperty("reWriteBatchedInserts", Boolean.toString(rewriteBatches));
    try (Connection c = DriverManager.getConnection(db.cloakUrl(), props)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO notes (id, r, d, n) VALUES (?, ?, ?, ?)")) {
        String sent = ps.unwrap(org.postgresql.PGStatement.class).toString();
        assertTrue(sent.contains("convert_from("), "the written markers are rewritten");
        for (int i = 0; i < rows; i++) {
          ps.setInt(1, i);
          if (i % 7 == 0) {
            ps.setNull(2, Types.VARCHAR);
          } else {
            ps.setString(2, SECRET + "r" + i);
          }
          ps.setObject(3, SECRET + "d" + i);
          ps.setString(4, "plain " + i);
          ps.addBatch();
          if (i % 500 == 499) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
      try (PreparedStatement up = c.prepareStatement("UPDATE notes SET r = ? WHERE d = ?")) {
        up.setString(1, SECRET + "updated");
        up.setString(2, SECRET + "d" + 5);
        assertEquals(1, up.executeUpdate());
      }
      try (PreparedStatement upsert =
          c.prepareStatement(
              "INSERT INTO notes (id, r, d) VALUES (?, ?, ?) ON CONFLICT (id)"
                  + " DO UPDATE SET r = EXCLUDED.r")) {
        upsert.setInt(1, 6);
        upsert.setString(2, SECRET + "upserted");
        upsert.setString(3, SECRET + "d" + 6);
        assertEquals(1, upsert.executeUpdate());
      }
      // A value too long for VARCHAR(200) fails in the setter; nothing is sent.
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes (id, r) VALUES (?, ?)")) {
        ps.setInt(1, 99_999);
        SQLException e =
            assertThrows(SQLException.class, () -> ps.setString(2, "x".repeat(300) + SECRET));
        assertEquals("22001", e.getSQLState());
        assertFalse(e.getMessage().contains(SECRET));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT id, r FROM notes WHERE d = ?")) {
        for (int i : new int[] {0, 5, 6, 777, rows - 1}) {
          ps.setString(1, SECRET + "d" + i);
          try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "row " + i);
            assertEquals(i, rs.getInt(1));
            String expected =
                i == 5
                    ? SECRET + "updated"
                    : i == 6 ? SECRET + "upserted" : i % 7 == 0 ? null : SECRET + "r" + i;
            assertEquals(expected, rs.getString(2));
            assertFalse(rs.next());
          }
        }
      }
    }
    try (Connection plain = db.plain();
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, r, d FROM notes ORDER BY id")) {
      int seen = 0;
      while (rs.next()) {
        String r = rs.getString(2);
        assertEquals(rs.getInt(1) % 7 == 0, r == null, "NULL stays NULL");
        for (String stored : new String[] {r, rs.getString(3)}) {
          if (stored != null) {
            assertFalse(stored.contains(SECRET), "plaintext stored");
            assertTrue(stored.startsWith(ColumnCipher.TEXT_PREFIX), stored);
          }
        }
        seen++;
      }
      assertEquals(rows, seen);
    }
  }

  @Test
  void tooSmallColumnIsReportedWhenBoundBeforeAnythingIsSent() throws Exception {
    PhysicalColumn small = new PhysicalColumn("r", Types.VARBINARY, "bytea", 20);
    List<String> calls = new ArrayList<>();
    ColumnBinding binding =
        new ColumnBinding(rule(), cipher(realKeys()), small, false, Dialect.POSTGRESQL, true);
    SQLException e =
        assertThrows(SQLException.class, () -> binding.bind(recording(calls), 1, SECRET));
    assertTrue(e.getMessage().contains("blobs.r"), e.getMessage());
    assertTrue(e.getMessage().contains("widen it"), e.getMessage());
    assertEquals(List.of(), calls);
  }

  @Test
  void writerWritesTheCiphertextOfItsValue() throws Exception {
    ColumnCipher cipher = cipher(realKeys());
    PendingEncryption pending = cipher.prepare(SECRET);
    PgDeferredBytea writer = new PgDeferredBytea(pending);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.writeTo(() -> out);
    assertEquals(writer.getLength(), out.size());
    assertEquals(SECRET, cipher.decrypt(out.toByteArray()));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    writer.writeTo(() -> again);
    assertArrayEquals(out.toByteArray(), again.toByteArray());
    assertFalse(writer.toString().contains(SECRET), writer.toString());
  }

  @Test
  void failedEncryptionWritesNothingToTheStream() throws Exception {
    PgDeferredBytea writer = new PgDeferredBytea(cipher(failingKeys()).prepare(SECRET));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    IOException e = assertThrows(IOException.class, () -> writer.writeTo(() -> out));
    assertTrue(e.getMessage().contains("blobs.r"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertEquals(0, out.size());
  }

  @Test
  void batchThroughTheDriverStoresCiphertextThatReadsBack() throws Exception {
    int rows = 2_000;
    try (Connection c = db.cloak(config)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO blobs (id, r, d, n) VALUES (?, ?, ?, ?)")) {
        for (int i = 0; i < rows; i++) {
          ps.setInt(1, i);
          ps.setString(2, SECRET + "r" + i);
          ps.setString(3, SECRET + "d" + i);
          ps.setString(4, "plain " + i);
          ps.addBatch();
          if (i % 500 == 499) {
            ps.executeBatch();
          }
        }
        // The same bound values in a second row: sent as the same bytes.
        ps.setInt(1, rows);
        ps.addBatch();
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT id, r FROM blobs WHERE d = ?")) {
        for (int i : new int[] {0, 777, rows - 1}) {
          ps.setString(1, SECRET + "d" + i);
          try (ResultSet rs = ps.executeQuery()) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) {
              ids.add(rs.getInt(1));
              assertEquals(SECRET + "r" + i, rs.getString(2));
            }
            assertEquals(i == rows - 1 ? List.of(i, rows) : List.of(i), ids);
          }
        }
      }
    }
    try (Connection plain = db.plain();
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, r, d FROM blobs ORDER BY id")) {
      int seen = 0;
      byte[] lastR = null;
      while (rs.next()) {
        byte[] r = rs.getBytes(2);
        byte[] d = rs.getBytes(3);
        for (byte[] stored : List.of(r, d)) {
          assertFalse(new String(stored, UTF_8).contains(SECRET), "plaintext stored");
          assertTrue(ColumnCipher.isCiphertext(stored));
        }
        if (rs.getInt(1) == rows) {
          assertArrayEquals(lastR, r);
        }
        lastR = r;
        seen++;
      }
      assertEquals(rows + 1, seen);
    }
  }

  @Test
  void failureWhileSendingFailsTheStatementAndStoresNothing() throws Exception {
    PgDeferredBytea good = new PgDeferredBytea(cipher(realKeys()).prepare(SECRET + "good"));
    PgDeferredBytea bad = new PgDeferredBytea(cipher(failingKeys()).prepare(SECRET + "bad"));
    try (Connection c = db.plain();
        PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, r) VALUES (?, ?)")) {
      ps.setInt(1, 10_001);
      ps.setObject(2, bad);
      SQLException single = assertThrows(SQLException.class, ps::executeUpdate);
      assertFalse(String.valueOf(single.getMessage()).contains(SECRET));
    }
    try (Connection c = db.plain();
        PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, r) VALUES (?, ?)")) {
      for (int i = 0; i < 300; i++) {
        ps.setInt(1, 10_100 + i);
        ps.setObject(2, i == 150 ? bad : good);
        ps.addBatch();
      }
      assertThrows(SQLException.class, ps::executeBatch);
    }
    try (Connection plain = db.plain();
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM blobs WHERE id > 10000")) {
      assertTrue(rs.next());
      assertEquals(0, rs.getInt(1));
    }
  }

  private static ColumnRule rule() {
    return new ColumnRule(null, "blobs", "r", EncryptionMode.RANDOMIZED, null, null, 1);
  }

  private static ColumnCipher cipher(ColumnKeys keys) {
    return new ColumnCipher("blobs", "r", "blobs.r", EncryptionMode.RANDOMIZED, keys);
  }

  private static ColumnKeys realKeys() {
    return new TestKeys(1);
  }

  private static ColumnKeys failingKeys() {
    return TestKeys.withRandomized(
        new Aead() {
          @Override
          public byte[] encrypt(byte[] plaintext, byte[] associatedData)
              throws GeneralSecurityException {
            throw new GeneralSecurityException("provider failure");
          }

          @Override
          public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            throw new UnsupportedOperationException();
          }
        });
  }

  /** A statement that records "method index argument-type" for each call and does nothing. */
  private static PreparedStatement recording(List<String> calls) {
    return (PreparedStatement)
        Proxy.newProxyInstance(
            PreparedStatement.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (proxy, method, args) -> {
              calls.add(
                  method.getName()
                      + " "
                      + args[0]
                      + " "
                      + (args[1] == null
                          ? "null"
                          : args[1] instanceof Integer type
                              ? type.toString()
                              : args[1].getClass().getSimpleName()));
              return null;
            });
  }
}
