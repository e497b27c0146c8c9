package io.cloak.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Test fixture shared by the modules' integration tests (published as jdbc-driver's test-jar). A
 * database created for one test class and dropped after it, on H2 (memory or file), PostgreSQL
 * (127.0.0.1:5432, user postgres) or MariaDB (127.0.0.1:3306, user root). When a server is
 * unreachable the tests are skipped with a loud message, unless {@code CLOAK_IT_REQUIRED=1}, which
 * makes them fail.
 */
public final class TestDatabase implements AutoCloseable {
  /** The databases the integration tests run on. */
  public enum Engine {
    H2_MEMORY,
    H2_FILE,
    POSTGRESQL,
    MARIADB
  }

  public static final String PG_HOST =
      System.getenv().getOrDefault("CLOAK_IT_PG_HOST", "127.0.0.1:5432");
  public static final String MARIADB_HOST =
      System.getenv().getOrDefault("CLOAK_IT_MARIADB_HOST", "127.0.0.1:3306");

  public final Engine engine;
  public final String name;
  public final String realUrl;
  public final Properties credentials = new Properties();
  private final Connection keepAlive;

  private TestDatabase(Engine engine, String name, String realUrl, Properties credentials)
      throws SQLException {
    this.engine = engine;
    this.name = name;
    this.realUrl = realUrl;
    this.credentials.putAll(credentials);
    // an in-memory H2 database lives while one connection is open
    this.keepAlive = engine == Engine.H2_MEMORY ? plain() : null;
  }

  public static TestDatabase create(Engine engine, Path tempDir) throws SQLException {
    String name = "cloak_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Properties creds = new Properties();
    switch (engine) {
      case H2_MEMORY:
        return new TestDatabase(engine, name, "jdbc:h2:mem:" + name, creds);
      case H2_FILE:
        return new TestDatabase(
            engine, name, "jdbc:h2:file:" + tempDir.resolve(name).toAbsolutePath(), creds);
      case POSTGRESQL:
        creds.setProperty("user", "postgres");
        admin("jdbc:postgresql://" + PG_HOST + "/postgres", creds, "CREATE DATABASE " + name);
        return new TestDatabase(engine, name, "jdbc:postgresql://" + PG_HOST + "/" + name, creds);
      case MARIADB:
        creds.setProperty("user", "root");
        creds.setProperty("password", "");
        admin(
            "jdbc:mariadb://" + MARIADB_HOST + "/",
            creds,
            "CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
        return new TestDatabase(engine, name, "jdbc:mariadb://" + MARIADB_HOST + "/" + name, creds);
      default:
        throw new IllegalArgumentException(engine.name());
    }
  }

  private static void admin(String url, Properties creds, String sql) throws SQLException {
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url, creds);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      String message =
          "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
              + "!!! Cloak integration tests: cannot reach "
              + url
              + "\n!!! "
              + e.getMessage()
              + "\n!!! These tests are SKIPPED. Set CLOAK_IT_REQUIRED=1 to make this a failure."
              + "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
      if ("1".equals(System.getenv("CLOAK_IT_REQUIRED"))) {
        fail("database required (CLOAK_IT_REQUIRED=1) but unreachable: " + url + ": " + e);
      }
      System.err.println(message);
      Assumptions.abort(message);
    }
  }

  /** The URL with Cloak's prefix. */
  public String cloakUrl() {
    return "jdbc:cloak:" + realUrl.substring("jdbc:".length());
  }

  /** A connection through the real driver only: sees what is stored. */
  public Connection plain() throws SQLException {
    return DriverManager.getConnection(realUrl, credentials);
  }

  /** A connection through Cloak with the given config file. */
  public Connection cloak(Path config) throws SQLException {
    Properties p = new Properties();
    p.putAll(credentials);
    p.setProperty("cloak.config", config.toString());
    return DriverManager.getConnection(cloakUrl(), p);
  }

  /** SQL type of a text column big enough for ciphertext. */
  public String textType() {
    return engine == Engine.H2_MEMORY || engine == Engine.H2_FILE ? "VARCHAR(4000)" : "TEXT";
  }

  /** SQL type of a binary column. */
  public String binaryType() {
    return switch (engine) {
      case POSTGRESQL -> "BYTEA";
      case MARIADB -> "BLOB";
      default -> "VARBINARY(8000)";
    };
  }

  @Override
  public void close() throws SQLException {
    if (keepAlive != null) {
      keepAlive.close();
    }
    switch (engine) {
      case POSTGRESQL -> {
        Properties creds = new Properties();
        creds.setProperty("user", "postgres");
        admin(
            "jdbc:postgresql://" + PG_HOST + "/postgres",
            creds,
            "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
      case MARIADB ->
          admin(
              "jdbc:mariadb://" + MARIADB_HOST + "/",
              credentials,
              "DROP DATABASE IF EXISTS " + name);
      default -> {}
    }
  }
}
