package io.cloak.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cloak migrate db} throughput, PostgreSQL to PostgreSQL: a source table of 10 columns
 * ({@code rows} rows, filled with one {@code INSERT ... SELECT FROM generate_series}) is copied
 * three ways per round, each into a fresh target database:
 *
 * <ul>
 *   <li><b>plain-CLI</b>: {@code java -jar cloak.jar migrate db} with a config that encrypts
 *       nothing ({@code columns: []});
 *   <li><b>enc-CLI</b>: the same with {@code email} deterministic and {@code ssn}, {@code note}
 *       randomized;
 *   <li><b>pg_dump</b>: {@code pg_dump -t bench src | psql target} (COPY based).
 * </ul>
 *
 * <p>Each run is a subprocess timed as a whole (wall clock from start to exit), so the CLI figures
 * include JVM start-up, connecting, planning and creating the table. The CLI's own copy rate (its
 * {@code done, ... rows/s} line, copying only) is parsed and printed too. The order of the three
 * rotates from round to round. Row counts are checked in each target, the targets are dropped after
 * each run and the source at the end.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.cloak.benchmarks.MigrateBenchmark
 * [rows=1000000] [rounds=3] [batch=1000] [pg=127.0.0.1:5432] [cli=cli/target/cloak.jar]}.
 * PostgreSQL is reached as {@code postgres} without a password; {@code pg_dump} and {@code psql}
 * must be on the PATH.
 */
public final class MigrateBenchmark {
  private static final String[] KINDS = {"plain-CLI", "enc-CLI", "pg_dump"};
  private static final Pattern DONE =
      Pattern.compile("bench: done, (\\d+) rows \\((\\d+) this run, (\\d+) rows/s\\)");

  private MigrateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = 1_000_000;
    int rounds = 3;
    int batch = 1000;
    String pg = "127.0.0.1:5432";
    String cli = "cli/target/cloak.jar";
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "rows" -> rows = Integer.parseInt(kv[1]);
        case "rounds" -> rounds = Integer.parseInt(kv[1]);
        case "batch" -> batch = Integer.parseInt(kv[1]);
        case "pg" -> pg = kv[1];
        case "cli" -> cli = kv[1];
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    Path cliJar = Path.of(cli).toAbsolutePath();
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalArgumentException("no CLI jar at " + cliJar + " (build the cli module)");
    }
    Pg server = new Pg(pg);
    Path dir = Files.createTempDirectory("cloak-migrate-bench");
    Path plainConfig = BenchmarkConfigs.write(dir, "plain.yaml", "columns: []\n");
    Path encConfig = BenchmarkConfigs.write(dir, "cloak.yaml", BenchmarkConfigs.BENCH_COLUMNS);

    String src = "cloak_mbench_src_" + random();
    System.out.printf(
        Locale.ROOT,
        "migrate benchmark: %d rows, %d rounds, batch %d, PostgreSQL %s, cli %s%n",
        rows,
        rounds,
        batch,
        pg,
        cliJar);
    // seconds[kind][round], cliRate[kind][round] (the CLI's own rows/s, copy phase only)
    double[][] seconds = new double[3][rounds];
    double[][] cliRate = new double[3][rounds];
    try {
      server.createDatabase(src);
      long f0 = System.nanoTime();
      fill(server, src, rows);
      System.out.printf(
          Locale.ROOT,
          "source %s filled with %d rows in %.1f s%n",
          src,
          rows,
          (System.nanoTime() - f0) / 1e9);
      for (int r = 0; r < rounds; r++) {
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < 3; k++) {
          int kind = (k + r) % 3;
          String target = "cloak_mbench_tgt_" + random();
          server.createDatabase(target);
          try {
            Path log = dir.resolve("round" + (r + 1) + "-" + KINDS[kind] + ".log");
            List<String> command =
                switch (kind) {
                  case 0 -> cliCommand(cliJar, server, src, target, plainConfig, batch);
                  case 1 -> cliCommand(cliJar, server, src, target, encConfig, batch);
                  default -> dumpCommand(server, src, target);
                };
            long t0 = System.nanoTime();
            int exit = run(command, log);
            double secs = (System.nanoTime() - t0) / 1e9;
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (exit != 0) {
              throw new IllegalStateException(
                  KINDS[kind] + " exited with " + exit + "; output:\n" + output);
            }
            long count = server.count(target);
            if (count != rows) {
              throw new IllegalStateException(
                  KINDS[kind] + ": target has " + count + " rows, expected " + rows);
            }
            seconds[kind][r] = secs;
            Matcher m = DONE.matcher(output);
            cliRate[kind][r] = m.find() ? Double.parseDouble(m.group(3)) : Double.NaN;
            line.append(
                String.format(
                    Locale.ROOT,
                    "  %s %.1f s %.0f rows/s%s",
                    KINDS[kind],
                    secs,
                    rows / secs,
                    Double.isNaN(cliRate[kind][r])
                        ? ""
                        : String.format(Locale.ROOT, " (copy %.0f/s)", cliRate[kind][r])));
          } finally {
            server.dropDatabase(target);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "round %d:%s; enc/plain-CLI %.2f, enc/pg_dump %.2f%n",
            r + 1,
            line,
            seconds[1][r] / seconds[0][r],
            seconds[1][r] / seconds[2][r]);
      }
    } finally {
      server.dropDatabase(src);
    }
    summary(rows, rounds, batch, seconds, cliRate);
  }

  private static void summary(
      int rows, int rounds, int batch, double[][] seconds, double[][] cliRate) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "== Summary: %d rows x 10 columns (3 encrypted), batch %d, median of %d rounds;"
            + " wall time of the whole process (JVM start-up included) ==%n",
        rows,
        batch,
        rounds);
    System.out.printf(
        Locale.ROOT,
        "%-10s %10s %12s %16s   per round (rows/s)%n",
        "copy",
        "seconds",
        "rows/s",
        "CLI copy rows/s");
    double[] med = new double[3];
    for (int k = 0; k < 3; k++) {
      med[k] = median(seconds[k]);
      StringBuilder per = new StringBuilder();
      for (double s : seconds[k]) {
        per.append(String.format(Locale.ROOT, " %.0f", rows / s));
      }
      double rate = median(cliRate[k]);
      System.out.printf(
          Locale.ROOT,
          "%-10s %10.1f %12.0f %16s  %s%n",
          KINDS[k],
          med[k],
          rows / med[k],
          Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.0f", rate),
          per);
    }
    double[] vsPlain = new double[rounds];
    double[] vsDump = new double[rounds];
    StringBuilder perPlain = new StringBuilder();
    StringBuilder perDump = new StringBuilder();
    for (int r = 0; r < rounds; r++) {
      vsPlain[r] = seconds[1][r] / seconds[0][r];
      vsDump[r] = seconds[1][r] / seconds[2][r];
      perPlain.append(String.format(Locale.ROOT, " %.2f", vsPlain[r]));
      perDump.append(String.format(Locale.ROOT, " %.2f", vsDump[r]));
    }
    double encRate = rows / med[1];
    double rPlain = median(vsPlain);
    double rDump = median(vsDump);
    System.out.printf(
        Locale.ROOT, "ratio enc-CLI/plain-CLI time %.2f (per round%s)%n", rPlain, perPlain);
    System.out.printf(
        Locale.ROOT, "ratio enc-CLI/pg_dump time   %.2f (per round%s)%n", rDump, perDump);
    System.out.printf(
        Locale.ROOT,
        "goal enc-CLI >= 50000 rows/s: %.0f %s%n",
        encRate,
        encRate >= 50_000 ? "PASS" : "BELOW");
    System.out.printf(
        Locale.ROOT,
        "goal ratio <= 2: vs plain-CLI %.2f %s, vs pg_dump|psql %.2f %s%n",
        rPlain,
        rPlain <= 2 ? "PASS" : "BELOW",
        rDump,
        rDump <= 2 ? "PASS" : "BELOW");
  }

  private static List<String> cliCommand(
      Path cliJar, Pg server, String src, String target, Path config, int batch) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-jar",
        cliJar.toString(),
        "migrate",
        "db",
        "--source",
        server.url(src),
        "--target",
        server.url(target),
        "--config",
        config.toString(),
        "--batch",
        Integer.toString(batch),
        "--log-every",
        "1000000",
        "--source-user",
        "postgres",
        "--target-user",
        "postgres");
  }

  private static List<String> dumpCommand(Pg server, String src, String target) {
    String conn = "-h " + server.host + " -p " + server.port + " -U postgres";
    return List.of(
        "bash",
        "-c",
        "set -o pipefail; pg_dump "
            + conn
            + " -t bench "
            + src
            + " | psql -q -v ON_ERROR_STOP=1 "
            + conn
            + " "
            + target);
  }

  private static int run(List<String> command, Path log) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return p.waitFor();
  }

  private static void fill(Pg server, String db, int rows) throws SQLException {
    try (Connection c = server.connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE bench (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT, note TEXT,"
              + " name TEXT, city TEXT, age INT, score DOUBLE PRECISION, created TIMESTAMP,"
              + " active BOOLEAN)");
      st.execute(
          "INSERT INTO bench SELECT g, 'user' || g || '@example.com',"
              + " lpad((g % 1000)::text, 3, '0') || '-' || lpad((g % 100)::text, 2, '0') || '-'"
              + " || lpad((g % 10000)::text, 4, '0'), 'note for customer ' || g, 'Name ' || g,"
              + " 'City ' || (g % 500), 18 + (g % 80)::int, g * 0.5,"
              + " timestamp '2026-01-01 00:00:00' + g * interval '1 second', g % 2 = 0"
              + " FROM generate_series(1, "
              + rows
              + ") AS g");
      st.execute("VACUUM ANALYZE bench");
    }
  }

  private static String random() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  private static double median(double[] values) {
    List<Double> sorted = new ArrayList<>();
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sorted.add(v);
      }
    }
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The PostgreSQL server, reached as {@code postgres}. */
  private static final class Pg {
    final String host;
    final String port;

    Pg(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      this.host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      this.port = colon < 0 ? "5432" : hostPort.substring(colon + 1);
    }

    String url(String db) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    Connection connect(String db) throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      return DriverManager.getConnection(url(db), p);
    }

    void createDatabase(String name) throws SQLException {
      try (Connection c = connect("postgres");
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + name);
      }
    }

    void dropDatabase(String name) throws SQLException {
      try (Connection c = connect("postgres");
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    }

    long count(String db) throws SQLException {
      try (Connection c = connect(db);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM bench")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
