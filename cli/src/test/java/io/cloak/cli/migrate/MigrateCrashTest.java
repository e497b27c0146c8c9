package io.cloak.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Kills a child JVM running {@code migrate db} with SIGKILL at random moments, re-runs it each
 * time, and checks that after every kill the target holds exactly the checkpointed rows, and that
 * the finished copy verifies with exact row counts. PostgreSQL, or an H2 file when PostgreSQL is
 * unreachable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrateCrashTest {
  static final int A_ROWS = 30_000;
  static final int B_ROWS = 25_000;
  static final int LOOSE_ROWS = 3_000;
  static final int KILLS = 10;

  @TempDir static Path dir;
  TestDatabase source;
  TestDatabase target;
  Path config;

  @BeforeAll
  void seed() throws Exception {
    TestDatabase.Engine engine = TestDatabase.Engine.POSTGRESQL;
    try {
      source = TestDatabase.create(engine, dir);
    } catch (TestAbortedException e) {
      System.err.println(
          "!!! MigrateCrashTest: PostgreSQL unreachable, falling back to an H2 file");
      engine = TestDatabase.Engine.H2_FILE;
      source = TestDatabase.create(engine, dir);
    }
    target = TestDatabase.create(engine, dir);
    config =
        Migrate.writeConfig(
            dir,
            "{ table: big_a, column: email, mode: deterministic }",
            "{ table: big_a, column: secret }",
            "{ table: big_b, column: payload }",
            "{ table: big_b, column: amount, mode: deterministic }",
            "{ table: aa_loose, column: s }");
    boolean pg = engine == TestDatabase.Engine.POSTGRESQL;
    String range = pg ? "generate_series(1, %d) AS x" : "SYSTEM_RANGE(1, %d)";
    try (Connection c = source.plain();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE big_a (id INT NOT NULL PRIMARY KEY, email VARCHAR(100) NOT NULL, secret"
              + " VARCHAR(200), n INT)");
      st.execute(
          "CREATE TABLE big_b (a INT NOT NULL, b INT NOT NULL, payload VARCHAR(200), amount"
              + " DECIMAL(12,2), PRIMARY KEY (a, b))");
      st.execute("CREATE TABLE aa_loose (x INT, s VARCHAR(100))");
      st.execute(
          "INSERT INTO big_a SELECT x, CONCAT('user', x, '@example.com'),"
              + " CASE WHEN MOD(x, 10) = 0 THEN NULL ELSE CONCAT('secret-', x, '-ü😀') END,"
              + " MOD(x, 1000) FROM "
              + String.format(range, A_ROWS));
      st.execute(
          "INSERT INTO big_b SELECT MOD(x, 97), x, CONCAT('payload ', x), x * 0.01 FROM "
              + String.format(range, B_ROWS));
      st.execute(
          "INSERT INTO aa_loose SELECT MOD(x, 500), CONCAT('loose-', MOD(x, 500)) FROM "
              + String.format(range, LOOSE_ROWS));
    }
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

  private List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    String cp = System.getProperty("surefire.test.class.path");
    cmd.add(cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path"));
    cmd.add("-Xmx256m");
    cmd.add(MigrateCommand.class.getName());
    cmd.add("db");
    cmd.addAll(Migrate.args(source, target, config, "--batch=200", "--log-every=1"));
    return cmd;
  }

  @Test
  void killedMigrationResumesWithoutLosingOrDuplicatingRows() throws Exception {
    long seed = Long.getLong("cloak.crash.seed", System.nanoTime());
    System.out.println("MigrateCrashTest seed = " + seed + " (rerun with -Dcloak.crash.seed=)");
    Random random = new Random(seed);
    Path log = dir.resolve("child.log");
    int kills = 0;
    int midCopyKills = 0;
    int runs = 0;
    while (midCopyKills < KILLS && runs < 40) {
      runs++;
      Path runLog = dir.resolve("child-" + runs + ".log");
      boolean duringStartup = random.nextInt(5) == 0;
      long delay = duringStartup ? random.nextInt(1500) : random.nextInt(1200);
      Process p =
          new ProcessBuilder(command())
              .redirectErrorStream(true)
              .redirectOutput(runLog.toFile())
              .start();
      if (!duringStartup) {
        // wait until this run has committed its first batch, then kill at a random moment
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.isAlive()
            && System.nanoTime() < until
            && !Files.readString(runLog).contains(" rows/s, ETA")) {
          Thread.sleep(5);
        }
      }
      boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
      if (exited) {
        appendLog(log, runLog);
        assertEquals(0, p.exitValue(), "child failed; log:\n" + tail(log));
        checkCheckpointsMatchRows("run " + runs + " finished", log);
        // finished before enough kills: start over on an empty target to kill more
        resetTarget();
        continue;
      }
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      appendLog(log, runLog);
      kills++;
      if (!duringStartup) {
        midCopyKills++;
      }
      Files.writeString(
          log,
          "\n=== killed " + delay + " ms after " + (duringStartup ? "start" : "first batch") + "\n",
          java.nio.file.StandardOpenOption.APPEND);
      checkCheckpointsMatchRows(
          "after kill "
              + kills
              + " ("
              + delay
              + " ms after "
              + (duringStartup ? "start" : "first batch")
              + ")",
          log);
    }
    System.out.println(
        "MigrateCrashTest: "
            + kills
            + " kills ("
            + midCopyKills
            + " mid-copy) in "
            + runs
            + " runs");
    assertTrue(
        midCopyKills >= KILLS, "migration finished before " + KILLS + " kills; log:\n" + tail(log));
    {
      Process p =
          new ProcessBuilder(command())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "final run did not finish");
      assertEquals(0, p.exitValue(), "final run failed; log:\n" + tail(log));
    }
    checkCheckpointsMatchRows("at the end", log);
    try (Connection raw = target.plain()) {
      assertEquals(A_ROWS, Migrate.count(raw, "big_a"));
      assertEquals(B_ROWS, Migrate.count(raw, "big_b"));
      assertEquals(LOOSE_ROWS, Migrate.count(raw, "aa_loose"));
    }
    List<String> args = new ArrayList<>(List.of("verify"));
    args.addAll(Migrate.args(source, target, config));
    Migrate.Result r = Migrate.run(args.toArray(new String[0]));
    System.out.println(r);
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("all 3 tables match"), r.out());
  }

  /** The rows in each target table equal the rows its committed checkpoint counts. */
  private void checkCheckpointsMatchRows(String when, Path log) throws Exception {
    try (Connection raw = target.plain()) {
      Map<String, Copier.Progress> progress =
          Copier.readProgress(
              raw, target.engine == TestDatabase.Engine.POSTGRESQL ? Engine.POSTGRESQL : Engine.H2);
      StringBuilder summary = new StringBuilder(when + ":");
      for (Map.Entry<String, Copier.Progress> e : progress.entrySet()) {
        summary
            .append(' ')
            .append(e.getKey())
            .append('=')
            .append(e.getValue().rowsCopied())
            .append(e.getValue().done() ? " (done)" : "");
        long rows;
        try (Statement st = raw.createStatement();
            ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + e.getKey())) {
          rs.next();
          rows = rs.getLong(1);
        }
        assertEquals(
            e.getValue().rowsCopied(),
            rows,
            when + ": table " + e.getKey() + " rows vs checkpoint; log:\n" + tail(log));
      }
      System.out.println(summary);
    }
  }

  private void resetTarget() throws Exception {
    System.out.println("migration finished; dropping the target tables to continue killing");
    try (Connection raw = target.plain();
        Statement st = raw.createStatement()) {
      for (String t : List.of("big_a", "big_b", "aa_loose", Copier.PROGRESS_TABLE)) {
        st.execute("DROP TABLE " + t);
      }
    }
  }

  private static void appendLog(Path log, Path runLog) throws Exception {
    if (Files.exists(runLog)) {
      Files.writeString(
          log,
          Files.readString(runLog),
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      Files.delete(runLog);
    }
  }

  private static String tail(Path log) throws Exception {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join(
        File.separator.equals("/") ? "\n" : "\r\n",
        lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
