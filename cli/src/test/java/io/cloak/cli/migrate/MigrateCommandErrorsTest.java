package io.cloak.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrateCommandErrorsTest {
  @TempDir Path dir;

  @Test
  void differentEnginesAreRefusedWithOneLine() throws Exception {
    Path config = Migrate.writeConfig(dir, "{ table: t, column: c }");
    Migrate.Result r =
        Migrate.run(
            "db",
            "--source=jdbc:h2:mem:x",
            "--target=jdbc:postgresql://127.0.0.1/y",
            "--config=" + config);
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("cloak: source and target must be the same engine"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void existingTargetTableNotCreatedByMigrateIsRefused() throws Exception {
    Path config = Migrate.writeConfig(dir, "{ table: t, column: c }");
    String src = "jdbc:h2:file:" + dir.resolve("src").toAbsolutePath();
    String dst = "jdbc:h2:file:" + dir.resolve("dst").toAbsolutePath();
    try (Connection c = DriverManager.getConnection(src);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(10))");
    }
    try (Connection c = DriverManager.getConnection(dst);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(10))");
    }
    Migrate.Result r =
        Migrate.run("db", "--source=" + src, "--target=" + dst, "--config=" + config);
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("already exists and was not created by cloak migrate"), r.err());
  }

  @Test
  void unknownTableInTablesOptionIsNamed() throws Exception {
    Path config = Migrate.writeConfig(dir, "{ table: t, column: c }");
    String src = "jdbc:h2:file:" + dir.resolve("src2").toAbsolutePath();
    try (Connection c = DriverManager.getConnection(src);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(10))");
    }
    Migrate.Result r =
        Migrate.run(
            "db",
            "--source=" + src,
            "--target=jdbc:h2:file:" + dir.resolve("dst2").toAbsolutePath(),
            "--config=" + config,
            "--tables=nope",
            "--dry-run");
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("source has no table nope"), r.err());
  }
}
