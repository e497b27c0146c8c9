package io.cloak.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverContractTest {
  @TempDir Path dir;

  Path config(String columns) throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path file = dir.resolve("cloak.yaml");
    Files.writeString(
        file, "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n" + columns);
    return file;
  }

  Properties props(Path config) {
    Properties p = new Properties();
    p.setProperty("cloak.config", config.toString());
    return p;
  }

  @Test
  void registeredThroughServiceLoaderAndAcceptsOnlyItsPrefix() throws Exception {
    Driver d = DriverManager.getDriver("jdbc:cloak:h2:mem:x");
    assertTrue(d instanceof CloakDriver);
    assertTrue(d.acceptsURL("jdbc:cloak:postgresql://db/app"));
    assertFalse(d.acceptsURL("jdbc:h2:mem:x"));
    assertFalse(d.acceptsURL("jdbc:cloak:"));
    assertNull(d.connect("jdbc:h2:mem:x", new Properties()));
    assertTrue(
        Collections.list(DriverManager.getDrivers()).stream()
                .filter(x -> x instanceof CloakDriver)
                .count()
            >= 1);
  }

  @Test
  void unknownRealDriverListsRegisteredDrivers() throws Exception {
    Path cfg = config("columns: []\n");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:cloak:nosuchdb://x", props(cfg)));
    assertTrue(e.getMessage().contains("registered drivers"), e.getMessage());
    assertTrue(e.getMessage().contains("org.h2.Driver"), e.getMessage());
  }

  @Test
  void connectionIsNotWrappedTwiceAndUnwrapsToTheRealConnection() throws Exception {
    Path cfg = config("columns: []\n");
    try (Connection c = DriverManager.getConnection("jdbc:cloak:h2:mem:contract1", props(cfg))) {
      CloakConnection cloak = c.unwrap(CloakConnection.class);
      assertSame(c, cloak);
      assertTrue(c.isWrapperFor(org.h2.jdbc.JdbcConnection.class));
      assertTrue(c.unwrap(org.h2.jdbc.JdbcConnection.class) instanceof org.h2.jdbc.JdbcConnection);
      assertSame(c, c.createStatement().getConnection());
    }
  }

  @Test
  void preparedStatementKeepsTheWrapperContract() throws Exception {
    Path cfg = config("columns:\n  - {table: pc, column: secret}\n");
    try (Connection c = DriverManager.getConnection("jdbc:cloak:h2:mem:contract5", props(cfg))) {
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLE pc (id INT PRIMARY KEY, secret VARCHAR(200), plain VARCHAR(20))");
      }
      try (java.sql.PreparedStatement ps =
          c.prepareStatement("INSERT INTO pc (id, secret, plain) VALUES (?, ?, ?)")) {
        assertSame(c, ps.getConnection());
        assertSame(ps, ps.unwrap(java.sql.PreparedStatement.class));
        assertTrue(ps.isWrapperFor(org.h2.jdbc.JdbcPreparedStatement.class));
        assertTrue(
            ps.unwrap(org.h2.jdbc.JdbcPreparedStatement.class)
                instanceof org.h2.jdbc.JdbcPreparedStatement);
        assertTrue(ps.equals(ps));
        assertTrue(ps.toString().startsWith("CloakStatement["), ps.toString());
        for (int i = 1; i <= 2; i++) {
          ps.setInt(1, i);
          ps.setObject(2, "s" + i, java.sql.Types.VARCHAR);
          ps.setString(3, "p" + i);
          ps.addBatch();
        }
        ps.executeBatch();
        ps.setInt(1, 3);
        ps.setNull(2, java.sql.Types.VARCHAR);
        ps.setNull(3, java.sql.Types.VARCHAR);
        ps.executeUpdate();
        SQLException e =
            assertThrows(
                SQLException.class, () -> ps.setCharacterStream(2, new java.io.StringReader("x")));
        assertTrue(e.getMessage().contains("setCharacterStream"), e.getMessage());
      }
      try (java.sql.PreparedStatement ps =
              c.prepareStatement("SELECT secret, plain FROM pc ORDER BY id");
          java.sql.ResultSet rs = ps.executeQuery()) {
        assertSame(ps, rs.getStatement());
        java.util.List<String> rows = new java.util.ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getString(1) + "/" + rs.getString(2));
        }
        org.junit.jupiter.api.Assertions.assertEquals(
            java.util.List.of("s1/p1", "s2/p2", "null/null"), rows);
      }
      try (java.sql.Statement st = c.unwrap(org.h2.jdbc.JdbcConnection.class).createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT secret FROM pc WHERE id = 1")) {
        assertTrue(rs.next());
        assertTrue(rs.getString(1).startsWith("$ck1$"), "stored encrypted");
      }
    }
  }

  @Test
  void resultSetKeepsTheWrapperContractAndDecryptsByIndexAndLabel() throws Exception {
    Path cfg = config("columns:\n  - {table: rc, column: secret}\n");
    try (Connection c = DriverManager.getConnection("jdbc:cloak:h2:mem:contract6", props(cfg))) {
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE TABLE rc (id INT PRIMARY KEY, secret VARCHAR(200), plain INT)");
      }
      try (java.sql.PreparedStatement ps =
          c.prepareStatement("INSERT INTO rc (id, secret, plain) VALUES (?, ?, ?)")) {
        ps.setInt(1, 1);
        ps.setObject(2, 42L);
        ps.setInt(3, 7);
        ps.executeUpdate();
        ps.setInt(1, 2);
        ps.setNull(2, java.sql.Types.BIGINT);
        ps.setNull(3, java.sql.Types.INTEGER);
        ps.executeUpdate();
      }
      try (java.sql.Statement st =
              c.createStatement(
                  java.sql.ResultSet.TYPE_FORWARD_ONLY, java.sql.ResultSet.CONCUR_UPDATABLE);
          java.sql.ResultSet rs = st.executeQuery("SELECT id, secret, plain FROM rc ORDER BY id")) {
        assertSame(st, rs.getStatement());
        assertSame(rs, rs.unwrap(java.sql.ResultSet.class));
        assertTrue(rs.isWrapperFor(org.h2.jdbc.JdbcResultSet.class));
        assertTrue(rs.unwrap(org.h2.jdbc.JdbcResultSet.class) instanceof org.h2.jdbc.JdbcResultSet);
        assertTrue(rs.toString().startsWith("CloakResultSet["), rs.toString());
        assertTrue(rs.next());
        org.junit.jupiter.api.Assertions.assertEquals(42L, rs.getLong(2));
        org.junit.jupiter.api.Assertions.assertEquals(42L, rs.getLong("SECRET"));
        org.junit.jupiter.api.Assertions.assertEquals(42, rs.getInt("secret"));
        org.junit.jupiter.api.Assertions.assertEquals(Long.valueOf(42), rs.getObject(2));
        org.junit.jupiter.api.Assertions.assertEquals("42", rs.getObject("secret", String.class));
        org.junit.jupiter.api.Assertions.assertEquals(7, rs.getInt("plain"));
        SQLException update = assertThrows(SQLException.class, () -> rs.updateLong(2, 1L));
        assertTrue(update.getMessage().contains("rc.secret"), update.getMessage());
        SQLException byLabel =
            assertThrows(SQLException.class, () -> rs.updateString("secret", "x"));
        assertTrue(byLabel.getMessage().contains("rc.secret"), byLabel.getMessage());
        SQLException stream = assertThrows(SQLException.class, () -> rs.getArray(2));
        assertTrue(stream.getMessage().contains("getArray"), stream.getMessage());
        assertTrue(rs.next());
        org.junit.jupiter.api.Assertions.assertEquals(0L, rs.getLong(2));
        assertTrue(rs.wasNull());
        org.junit.jupiter.api.Assertions.assertNull(rs.getObject("secret"));
        assertTrue(!rs.next());
      }
    }
  }

  @Test
  void malformedConfigFailsAtConnectNamingFileAndLine() throws Exception {
    Path cfg = config("columns:\n  - {table: people, column: ssn, mdoe: deterministic}\n");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:cloak:h2:mem:contract2", props(cfg)));
    assertTrue(e.getMessage().contains("cloak.yaml:3"), e.getMessage());
  }

  @Test
  void unknownKeyAliasFailsAtConnectNamingFileAndLine() throws Exception {
    Path cfg = config("columns:\n  - {table: people, column: ssn, key: alias/nope}\n");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:cloak:h2:mem:contract3", props(cfg)));
    assertTrue(e.getMessage().contains("cloak.yaml:3"), e.getMessage());
    assertTrue(e.getMessage().contains("alias/nope"), e.getMessage());
  }

  @Test
  void missingColumnOfAnExistingTableFailsAtConnect() throws Exception {
    String url = "jdbc:h2:mem:contract4;DB_CLOSE_DELAY=-1";
    try (Connection plain = DriverManager.getConnection(url)) {
      plain.createStatement().execute("CREATE TABLE people (id INT, name VARCHAR(10))");
    }
    Path cfg = config("columns:\n  - {table: people, column: ssn}\n");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:cloak:" + url.substring(5), props(cfg)));
    assertTrue(e.getMessage().contains("cloak.yaml:3"), e.getMessage());
    assertTrue(e.getMessage().contains("people.ssn"), e.getMessage());
  }

  @Test
  void encryptedColumnOfANonTextTypeIsRefused() throws Exception {
    String url = "jdbc:h2:mem:contract5;DB_CLOSE_DELAY=-1";
    try (Connection plain = DriverManager.getConnection(url)) {
      plain.createStatement().execute("CREATE TABLE people (id INT, ssn INT)");
    }
    Path cfg = config("columns:\n  - {table: people, column: ssn}\n");
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:cloak:" + url.substring(5), props(cfg)));
    assertTrue(
        e.getMessage().contains("people.ssn") && e.getMessage().contains("INT"), e.getMessage());
  }
}
