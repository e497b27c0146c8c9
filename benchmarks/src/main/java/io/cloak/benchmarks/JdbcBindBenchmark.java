package io.cloak.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The client's share of {@link JdbcBenchmark}'s inserts: the same ten setters and {@code addBatch}
 * per row, 1,000 rows, then {@code clearBatch} instead of {@code executeBatch}, so nothing is sent
 * and only the driver's own work is timed. Values are prepared up front. Plain pgjdbc and {@code
 * jdbc:cloak:postgresql:} alternate, {@code seconds} each, {@code reps} times; it prints the
 * thread's CPU time per row ({@code ThreadMXBean}), which is far less sensitive to other jobs on
 * the machine than wall-clock time. Repetition 0 includes JIT warm-up. A good loop to run under
 * JFR.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.cloak.benchmarks.JdbcBindBenchmark
 * [seconds=5] [reps=4] [pg=127.0.0.1:5432]}.
 */
public final class JdbcBindBenchmark {
  private JdbcBindBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = 5;
    int reps = 4;
    String pg = "127.0.0.1:5432";
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "seconds" -> seconds = Integer.parseInt(kv[1]);
        case "reps" -> reps = Integer.parseInt(kv[1]);
        case "pg" -> pg = kv[1];
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    Path dir = Files.createTempDirectory("cloak-bind-bench");
    Path config = BenchmarkConfigs.write(dir, "cloak.yaml", BenchmarkConfigs.BENCH_COLUMNS);
    String db = "cloak_bind_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    String server = "jdbc:postgresql://" + pg + "/";
    try (Connection c = DriverManager.getConnection(server + "postgres", p);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    try {
      try (Connection c = DriverManager.getConnection(server + db, p);
          Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE bench (id INT PRIMARY KEY, email VARCHAR(400), ssn VARCHAR(400),"
                + " note VARCHAR(400), name VARCHAR(100), city VARCHAR(100), age INT,"
                + " score DOUBLE PRECISION, created TIMESTAMP, active BOOLEAN)");
      }
      Properties cp = new Properties();
      cp.putAll(p);
      cp.setProperty("cloak.config", config.toString());
      try (Connection plain = DriverManager.getConnection(server + db, p);
          Connection cloak =
              DriverManager.getConnection("jdbc:cloak:postgresql://" + pg + "/" + db, cp)) {
        run(plain, cloak, seconds, reps);
      }
    } finally {
      try (Connection c = DriverManager.getConnection(server + "postgres", p);
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  private static void run(Connection plain, Connection cloak, int seconds, int reps)
      throws SQLException {
    int n = 1000;
    String[] emails = new String[n];
    String[] ssns = new String[n];
    String[] notes = new String[n];
    String[] names = new String[n];
    String[] cities = new String[n];
    for (int i = 0; i < n; i++) {
      emails[i] = "user" + i + "@example.com";
      ssns[i] = String.format(Locale.ROOT, "%03d-%02d-%04d", i % 1000, i % 100, i % 10000);
      notes[i] = "note for customer " + i;
      names[i] = "Name " + i;
      cities[i] = "City " + (i % 500);
    }
    Timestamp now = new Timestamp(System.currentTimeMillis());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String sql =
        "INSERT INTO bench (id, email, ssn, note, name, city, age, score, created, active)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (int r = 0; r < reps; r++) {
      for (int side = 0; side < 2; side++) {
        boolean isCloak = (side + r) % 2 == 1;
        try (PreparedStatement ps = (isCloak ? cloak : plain).prepareStatement(sql)) {
          long rows = 0;
          long cpu0 = threads.getCurrentThreadCpuTime();
          long end = System.nanoTime() + seconds * 1_000_000_000L;
          while (System.nanoTime() < end) {
            for (int i = 0; i < n; i++) {
              ps.setInt(1, i);
              ps.setString(2, emails[i]);
              ps.setString(3, ssns[i]);
              ps.setString(4, notes[i]);
              ps.setString(5, names[i]);
              ps.setString(6, cities[i]);
              ps.setInt(7, 18 + i % 80);
              ps.setDouble(8, i * 0.5);
              ps.setTimestamp(9, now);
              ps.setBoolean(10, i % 2 == 0);
              ps.addBatch();
            }
            ps.clearBatch();
            rows += n;
          }
          double micros = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / rows;
          System.out.printf(
              Locale.ROOT,
              "rep %d %-5s %.3f us CPU per row%n",
              r,
              isCloak ? "cloak" : "plain",
              micros);
        }
      }
    }
  }
}
