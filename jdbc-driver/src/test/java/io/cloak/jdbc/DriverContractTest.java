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
