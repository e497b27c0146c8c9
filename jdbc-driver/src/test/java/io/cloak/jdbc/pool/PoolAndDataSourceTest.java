package io.cloak.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.CloakDataSource;
import io.cloak.jdbc.CloakDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolAndDataSourceTest {
  @TempDir Path dir;
  Path config;
  String h2Url;

  @BeforeEach
  void setUp() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    config = dir.resolve("cloak.yaml");
    Files.writeString(
        config,
        "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n"
            + "columns:\n  - {table: people, column: ssn, mode: deterministic}\n");
    h2Url =
        "jdbc:h2:mem:pool" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(h2Url);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE people (id INT PRIMARY KEY, ssn VARCHAR(500))");
    }
  }

  void roundTrip(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      assertTrue(c.isWrapperFor(CloakConnection.class));
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO people (id, ssn) VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, "078-05-1120");
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE ssn = ?")) {
        ps.setString(1, "078-05-1120");
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(1, rs.getInt(1));
        }
      }
    }
    try (Connection plain = DriverManager.getConnection(h2Url);
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT ssn FROM people")) {
      assertTrue(rs.next());
      assertTrue(rs.getString(1).startsWith("$ck1$"));
      assertFalse(rs.getString(1).contains("078-05-1120"));
    }
  }

  @Test
  void hikariWithCloakJdbcUrlEncrypts() throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setDriverClassName(CloakDriver.class.getName());
    hc.setJdbcUrl("jdbc:cloak:" + h2Url.substring(5));
    hc.addDataSourceProperty("cloak.config", config.toString());
    hc.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      roundTrip(ds);
    }
  }

  @Test
  void hikariOverCloakDataSourceEncrypts() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(h2Url);
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(new CloakDataSource(h2, config.toString()));
    hc.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      roundTrip(ds);
      try (Connection c = ds.getConnection()) {
        assertTrue(c.unwrap(CloakConnection.class).configSource().endsWith("cloak.yaml"));
      }
    }
  }
}
