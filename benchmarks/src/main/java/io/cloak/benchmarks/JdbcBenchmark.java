package io.cloak.benchmarks;

import io.cloak.config.EncryptionMode;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * Column-encryption overhead: a table of 10 columns, 3 of them encrypted (one deterministic), 100k
 * batched inserts then 100k point selects by the deterministic column, through the plain driver and
 * through {@code jdbc:cloak:} in the same run, on H2 in memory and on PostgreSQL. Each round runs
 * plain and Cloak back to back, alternating which goes first; the summary prints medians over the
 * rounds and the ratio of Cloak's time to plain time. One unmeasured warm-up pass of each side runs
 * first.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.cloak.benchmarks.JdbcBenchmark
 * [rows=100000] [rounds=3] [engines=h2,postgresql] [emails=random|sequential] [storage=text|binary]
 * [warmupRounds=0] [keys=before|first-use]}: {@code warmupRounds} adds full-size unmeasured rounds
 * after the short warm-up; {@code emails=random} (the default) inserts and looks up the emails in
 * scrambled order, as real addresses come; {@code emails=sequential} uses {@code user0@...}, {@code
 * user1@...} in order, which keeps the plain side's index accesses close together (deterministic
 * ciphertext is in random order whatever the plaintext order, so only the plain side gains from
 * it); {@code storage=binary} gives the encrypted columns a binary type ({@code BYTEA}, {@code
 * VARBINARY}) on the Cloak side, so Cloak stores raw ciphertext instead of base64 text. PostgreSQL
 * is reached at {@code 127.0.0.1:5432} as {@code postgres} (override with {@code pg=host:port}).
 * Every side starts on a fresh database; on the Cloak side its three data keys are created before
 * the timed inserts ({@code CloakConnection.rotateDataKey}, timed and printed on its own), as they
 * exist in any database that has held encrypted values; {@code keys=first-use} leaves their
 * creation to the first inserted row, inside the timed inserts.
 */
public final class JdbcBenchmark {
  private JdbcBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = 100_000;
    int rounds = 3;
    String engines = "h2,postgresql";
    String pg = "127.0.0.1:5432";
    // Real email addresses arrive in no particular order; "sequential" (user0, user1, ...) hands
    // the plain side's index a locality that no real email column, and no encrypted one, has.
    boolean randomEmails = true;
    boolean keysOnFirstUse = false;
    int warmupRounds = 0;
    boolean binaryStorage = false;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "rows" -> rows = Integer.parseInt(kv[1]);
        case "rounds" -> rounds = Integer.parseInt(kv[1]);
        case "warmupRounds" -> warmupRounds = Integer.parseInt(kv[1]);
        case "engines" -> engines = kv[1];
        case "pg" -> pg = kv[1];
        case "storage" ->
            binaryStorage =
                switch (kv[1]) {
                  case "binary" -> true;
                  case "text" -> false;
                  default -> throw new IllegalArgumentException("storage must be text or binary");
                };
        case "keys" ->
            keysOnFirstUse =
                switch (kv[1]) {
                  case "first-use" -> true;
                  case "before" -> false;
                  default -> throw new IllegalArgumentException("keys=first-use|before");
                };
        case "emails" ->
            randomEmails =
                switch (kv[1]) {
                  case "random" -> true;
                  case "sequential" -> false;
                  default ->
                      throw new IllegalArgumentException("emails must be random or sequential");
                };
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    Path dir = Files.createTempDirectory("cloak-jdbc-bench");
    Path config = BenchmarkConfigs.write(dir, "cloak.yaml", BenchmarkConfigs.BENCH_COLUMNS);
    StringBuilder summary = new StringBuilder();
    StringBuilder cpu = new StringBuilder();
    StringBuilder breakdown = new StringBuilder();
    cpu.append(
        String.format(
            Locale.ROOT,
            "%-11s %10s %10s %10s   per round (cloak - plain)%n",
            "engine",
            "plain",
            "cloak",
            "difference"));
    summary.append(
        String.format(
            Locale.ROOT,
            "%-11s %-8s %14s %14s %8s   per round%n",
            "engine",
            "op",
            "plain ops/s",
            "cloak ops/s",
            "ratio"));
    for (String engine : engines.split(",")) {
      Target target = Target.of(engine.trim(), pg);
      // Unmeasured warm-up of every path, so the JIT has compiled them before round 1.
      for (Variant v : Variant.values()) {
        runOnce(
            target, v, config, Math.min(rows, 20_000), randomEmails, binaryStorage, keysOnFirstUse);
      }
      // Optional full-size unmeasured rounds: on H2 in memory a round lasts a second or two, and
      // the first rounds still run partly interpreted code and grow the heap.
      for (int w = 0; w < warmupRounds; w++) {
        for (Variant v : Variant.values()) {
          runOnce(target, v, config, rows, randomEmails, binaryStorage, keysOnFirstUse);
        }
      }
      List<double[]> perRound = new ArrayList<>();
      List<double[]> sizedRounds = new ArrayList<>();
      List<double[]> cpuRounds = new ArrayList<>();
      List<double[]> breakdownRounds = new ArrayList<>();
      List<Double> keyMillis = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        double[][] result = new double[Variant.values().length][];
        for (int k = 0; k < Variant.values().length; k++) {
          Variant v = Variant.values()[(k + r) % Variant.values().length];
          result[v.ordinal()] =
              runOnce(target, v, config, rows, randomEmails, binaryStorage, keysOnFirstUse);
        }
        double[] plain = result[Variant.PLAIN.ordinal()];
        double[] sized = result[Variant.PLAIN_SAME_SIZE.ordinal()];
        double[] cloak = result[Variant.CLOAK.ordinal()];
        perRound.add(new double[] {plain[0], cloak[0], plain[1], cloak[1]});
        cpuRounds.add(new double[] {plain[2], cloak[2]});
        breakdownRounds.add(
            new double[] {
              plain[5], sized[5], cloak[5], plain[6], sized[6], cloak[6], plain[3], sized[3],
              cloak[3], plain[4], sized[4], cloak[4]
            });
        sizedRounds.add(new double[] {sized[0], cloak[0], sized[1], cloak[1]});
        keyMillis.add(cloak[7]);
        System.out.printf(
            Locale.ROOT,
            "%s round %d: insert plain %.0f/s same-size %.0f/s cloak %.0f/s;"
                + " select plain %.0f/s same-size %.0f/s cloak %.0f/s;"
                + " insert client CPU plain %.2f same-size %.2f cloak %.2f us/row%n",
            engine,
            r + 1,
            plain[0],
            sized[0],
            cloak[0],
            plain[1],
            sized[1],
            cloak[1],
            plain[2],
            sized[2],
            cloak[2]);
      }
      appendRow(summary, engine, "insert", perRound, 0);
      appendRow(summary, engine, "select", perRound, 2);
      appendRow(summary, engine, "insert*", sizedRounds, 0);
      appendRow(summary, engine, "select*", sizedRounds, 2);
      appendCpuRow(cpu, engine, cpuRounds);
      appendBreakdown(breakdown, engine, breakdownRounds);
      if (!keysOnFirstUse) {
        breakdown.append(
            String.format(
                Locale.ROOT,
                "%-11s creating the 3 data keys of a fresh database, before the inserts: %.1f ms"
                    + " (median)%n",
                engine,
                median(keyMillis)));
      }
      target.dropAll();
    }
    System.out.println();
    System.out.println(
        "== Summary: median over rounds; ratio = plain ops/s / cloak ops/s (time ratio) ==");
    System.out.printf(
        Locale.ROOT,
        "rows=%d rounds=%d warmupRounds=%d emails=%s storage=%s keys=%s%n",
        rows,
        rounds,
        warmupRounds,
        randomEmails ? "random" : "sequential",
        binaryStorage ? "binary" : "text",
        keysOnFirstUse ? "first-use" : "before");
    System.out.print(summary);
    System.out.println();
    System.out.println(
        "Client CPU of the insert loop (benchmark thread: value generation, driver, wire"
            + " encoding), median us per row; difference = cloak - plain:");
    System.out.print(cpu);
    System.out.println();
    System.out.println(
        "Where an inserted row's time goes, median us per row (plain / same-size / cloak /"
            + " cloak - same-size): wall time; the part of it spent in executeBatch (sending, and"
            + " waiting for the database); CPU of the whole client JVM (all threads); CPU of the"
            + " PostgreSQL backend:");
    System.out.print(breakdown);
    System.out.println(
        "insert*/select*: the baseline is the plain driver writing the three secret values padded"
            + " to the length Cloak stores (text or binary form), so the ratio is Cloak's own cost"
            + " without the larger data");
    System.out.println("goals: ratio <= 1.15 on PostgreSQL, <= 2.0 on H2 in memory");
  }

  private static void appendRow(
      StringBuilder out, String engine, String op, List<double[]> rounds, int at) {
    List<Double> plain = new ArrayList<>();
    List<Double> cloak = new ArrayList<>();
    StringBuilder per = new StringBuilder();
    for (double[] r : rounds) {
      plain.add(r[at]);
      cloak.add(r[at + 1]);
      per.append(String.format(Locale.ROOT, " %.2f", r[at] / r[at + 1]));
    }
    double p = median(plain);
    double c = median(cloak);
    out.append(
        String.format(
            Locale.ROOT, "%-11s %-8s %14.0f %14.0f %8.2f  %s%n", engine, op, p, c, p / c, per));
  }

  private static void appendCpuRow(StringBuilder out, String engine, List<double[]> rounds) {
    List<Double> plain = new ArrayList<>();
    List<Double> cloak = new ArrayList<>();
    StringBuilder per = new StringBuilder();
    for (double[] r : rounds) {
      plain.add(r[0]);
      cloak.add(r[1]);
      per.append(String.format(Locale.ROOT, " %.2f", r[1] - r[0]));
    }
    double p = median(plain);
    double c = median(cloak);
    out.append(
        String.format(Locale.ROOT, "%-11s %10.2f %10.2f %10.2f  %s%n", engine, p, c, c - p, per));
  }

  private static void appendBreakdown(StringBuilder out, String engine, List<double[]> rounds) {
    String[] names = {"wall", "in executeBatch", "client JVM CPU", "server CPU"};
    for (int k = 0; k < names.length; k++) {
      List<Double> plain = new ArrayList<>();
      List<Double> sized = new ArrayList<>();
      List<Double> cloak = new ArrayList<>();
      for (double[] r : rounds) {
        plain.add(r[3 * k]);
        sized.add(r[3 * k + 1]);
        cloak.add(r[3 * k + 2]);
      }
      double p = median(plain);
      double s = median(sized);
      double c = median(cloak);
      out.append(
          String.format(
              Locale.ROOT,
              "%-11s %-16s %8.2f %8.2f %8.2f %8.2f%n",
              engine,
              names[k],
              p,
              s,
              c,
              c - s));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** What a run writes: plain values, plain values as long as their ciphertext, or Cloak. */
  private enum Variant {
    PLAIN,
    PLAIN_SAME_SIZE,
    CLOAK
  }

  /**
   * The email of row {@code i}: {@code user<i>@example.com}, so that rows inserted in order have
   * nearly sorted emails, or with {@code random}, {@code i} scrambled by a bijection of the 32-bit
   * integers, so that emails arrive in no particular order, as real sign-ups do.
   */
  private static String email(int i, boolean random) {
    return "user"
        + (random ? Integer.toUnsignedString(i * 0x9E3779B1) : Integer.toString(i))
        + "@example.com";
  }

  /**
   * {@code value} padded to the length Cloak stores for it: the text form's characters, or with
   * {@code binary} storage the binary form's bytes (the values are ASCII, so one byte each).
   */
  private static String sameSize(String value, EncryptionMode mode, boolean binary) {
    int plain = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    int length =
        binary ? ColumnCipher.binaryLength(mode, plain) : ColumnCipher.textLength(mode, plain);
    return value + "#".repeat(Math.max(0, length - value.length()));
  }

  /**
   * Creates a fresh table, inserts {@code rows} rows, selects each by email; returns insert ops/s,
   * select ops/s and the benchmark thread's CPU time per inserted row in microseconds.
   */
  private static double[] runOnce(
      Target target,
      Variant variant,
      Path config,
      int rows,
      boolean randomEmails,
      boolean binaryStorage,
      boolean keysOnFirstUse)
      throws SQLException {
    boolean cloak = variant == Variant.CLOAK;
    boolean sized = variant == Variant.PLAIN_SAME_SIZE;
    String db = target.freshDatabase();
    // The encrypted columns' type: text, or, with storage=binary, binary on the Cloak side only
    // (the plain runs store the strings themselves).
    String secret =
        cloak && binaryStorage ? (target.postgres ? "BYTEA" : "VARBINARY(400)") : "VARCHAR(400)";
    try (Connection c = target.connect(db, cloak ? config : null);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE bench (id INT PRIMARY KEY, email "
              + secret
              + ", ssn "
              + secret
              + ", note "
              + secret
              + ", name VARCHAR(100), city VARCHAR(100), age INT,"
              + " score DOUBLE PRECISION, created TIMESTAMP, active BOOLEAN)");
      st.execute("CREATE INDEX bench_email ON bench (email)");
      // A fresh database has no data keys yet: the first encrypted value of each column creates
      // one (a KMS call, an audited and synced key-store write and a row in cloak_data_keys), once
      // in the database's life. Unless keys=first-use, that happens here, timed on its own, so
      // the rates are those of an application whose columns already have their keys.
      double keyMillis = Double.NaN;
      if (cloak && !keysOnFirstUse) {
        long k0 = System.nanoTime();
        CloakConnection cc = c.unwrap(CloakConnection.class);
        for (String column : List.of("email", "ssn", "note")) {
          cc.rotateDataKey("bench", column);
        }
        keyMillis = (System.nanoTime() - k0) / 1e6;
      }
      if (target.postgres) {
        // Start every measured side right after a checkpoint, so that the full-page images
        // PostgreSQL writes after one do not fall on whichever side happens to run next.
        st.execute("CHECKPOINT");
      }
      c.setAutoCommit(false);
      java.lang.management.ThreadMXBean threads =
          java.lang.management.ManagementFactory.getThreadMXBean();
      long backend0 = target.postgres ? backendCpuNanos(st) : 0;
      long process0 = processCpuNanos();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long batchNanos = 0;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO bench (id, email, ssn, note, name, city, age, score, created, active)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
        for (int i = 0; i < rows; i++) {
          ps.setInt(1, i);
          String email = email(i, randomEmails);
          String ssn = String.format(Locale.ROOT, "%03d-%02d-%04d", i % 1000, i % 100, i % 10000);
          String note = "note for customer " + i;
          if (sized) {
            email = sameSize(email, EncryptionMode.DETERMINISTIC, binaryStorage);
            ssn = sameSize(ssn, EncryptionMode.RANDOMIZED, binaryStorage);
            note = sameSize(note, EncryptionMode.RANDOMIZED, binaryStorage);
          }
          ps.setString(2, email);
          ps.setString(3, ssn);
          ps.setString(4, note);
          ps.setString(5, "Name " + i);
          ps.setString(6, "City " + (i % 500));
          ps.setInt(7, 18 + i % 80);
          ps.setDouble(8, i * 0.5);
          ps.setTimestamp(9, now);
          ps.setBoolean(10, i % 2 == 0);
          ps.addBatch();
          if (i % 1000 == 999) {
            long b0 = System.nanoTime();
            ps.executeBatch();
            batchNanos += System.nanoTime() - b0;
          }
        }
        long b0 = System.nanoTime();
        ps.executeBatch();
        batchNanos += System.nanoTime() - b0;
      }
      c.commit();
      double insertSeconds = (System.nanoTime() - t0) / 1e9;
      double insertCpuMicrosPerRow = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / rows;
      double processCpuMicrosPerRow = (processCpuNanos() - process0) / 1e3 / rows;
      double backendCpuMicrosPerRow =
          target.postgres ? (backendCpuNanos(st) - backend0) / 1e3 / rows : Double.NaN;
      c.setAutoCommit(true);
      if (target.postgres) {
        st.execute("ANALYZE bench");
      }
      long t1 = System.nanoTime();
      long found = 0;
      try (PreparedStatement ps =
          c.prepareStatement("SELECT id, ssn, name FROM bench WHERE email = ?")) {
        for (int i = 0; i < rows; i++) {
          String email = email(i, randomEmails);
          ps.setString(
              1, sized ? sameSize(email, EncryptionMode.DETERMINISTIC, binaryStorage) : email);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              found += rs.getString(2).length() > 0 ? 1 : 0;
            }
          }
        }
      }
      double selectSeconds = (System.nanoTime() - t1) / 1e9;
      if (found != rows) {
        throw new IllegalStateException("expected " + rows + " rows, found " + found);
      }
      return new double[] {
        rows / insertSeconds,
        rows / selectSeconds,
        insertCpuMicrosPerRow,
        processCpuMicrosPerRow,
        backendCpuMicrosPerRow,
        insertSeconds * 1e6 / rows,
        batchNanos / 1e3 / rows,
        keyMillis
      };
    } finally {
      target.drop(db);
    }
  }

  /** CPU time of this whole JVM (every thread: the benchmark, GC, JIT), in nanoseconds. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time (user + system) of the PostgreSQL backend serving {@code st}'s connection, read from
   * {@code /proc/PID/stat} (the server runs on this machine), in nanoseconds; clock-tick
   * resolution.
   */
  private static long backendCpuNanos(Statement st) throws SQLException {
    int pid;
    try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (java.io.IOException | RuntimeException e) {
      return 0; // not on this machine: reported as 0
    }
  }

  /** Where the benchmark runs. */
  private record Target(String engine, boolean postgres, String host, List<String> created) {
    static Target of(String engine, String pgHost) {
      return switch (engine) {
        case "h2" -> new Target(engine, false, null, new ArrayList<>());
        case "postgresql" -> new Target(engine, true, pgHost, new ArrayList<>());
        default -> throw new IllegalArgumentException("engine must be h2 or postgresql: " + engine);
      };
    }

    String freshDatabase() throws SQLException {
      String name = "cloak_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      if (postgres) {
        try (Connection c =
                DriverManager.getConnection("jdbc:postgresql://" + host + "/postgres", props());
            Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE " + name);
        }
      }
      created.add(name);
      return name;
    }

    Connection connect(String db, Path config) throws SQLException {
      String real =
          postgres ? "postgresql://" + host + "/" + db : "h2:mem:" + db + ";DB_CLOSE_DELAY=-1";
      Properties p = props();
      if (config != null) {
        p.setProperty("cloak.config", config.toString());
        return DriverManager.getConnection("jdbc:cloak:" + real, p);
      }
      return DriverManager.getConnection("jdbc:" + real, p);
    }

    void drop(String db) throws SQLException {
      if (postgres) {
        try (Connection c =
                DriverManager.getConnection("jdbc:postgresql://" + host + "/postgres", props());
            Statement st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
      } else {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + db);
            Statement st = c.createStatement()) {
          st.execute("DROP ALL OBJECTS");
          st.execute("SHUTDOWN");
        }
      }
    }

    void dropAll() {}

    private Properties props() {
      Properties p = new Properties();
      if (postgres) {
        p.setProperty("user", "postgres");
      }
      return p;
    }
  }
}
