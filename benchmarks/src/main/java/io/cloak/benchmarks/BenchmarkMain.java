package io.cloak.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs Cloak's benchmarks with JMH and prints a summary: AES-256-GCM MB/s of a bare JDK cipher and
 * of Cloak's primitive with their ratio (goal: at least {@value #GCM_RATIO_GOAL}), local KMS
 * operations per second, and a cache-hit data-key lookup in ns next to a plain map lookup.
 *
 * <p>Every setting can be given as a {@code name=value} argument or a {@code -Dname=value} system
 * property (arguments win):
 *
 * <ul>
 *   <li>{@code quick=true}: a smoke run of about a minute (1 fork, 1 x 1 s warmup, 3 x 1 s
 *       measurement);
 *   <li>{@code forks} (default 3), {@code warmupIterations} (3), {@code warmupTime} (seconds, 1),
 *       {@code measurementIterations} (5), {@code measurementTime} (seconds, 1): override the
 *       defaults or the quick ones;
 *   <li>{@code include}: a regular expression that a benchmark's full name must contain (default:
 *       all).
 * </ul>
 *
 * <p>Baselines and Cloak are interleaved so that a noisy machine disturbs both alike: the forks of
 * a benchmark are spread over rounds, and each round runs one fork of every benchmark, the baseline
 * and Cloak methods next to each other, alternating which goes first.
 *
 * <p>JMH's score is the mean of the measurement iterations; the summary quotes the median of all
 * iterations of all forks (less sensitive to a disturbed iteration), the mean in brackets, and the
 * ratio of the medians.
 */
public final class BenchmarkMain {
  static final double GCM_RATIO_GOAL = 0.9;

  private static final String AEAD = AeadThroughputBenchmark.class.getName();
  private static final String KMS = KmsBenchmark.class.getName();
  private static final String CACHE = DataKeyCacheBenchmark.class.getName();

  /** Benchmark methods in groups (baseline, Cloak, ...); a group's methods run back to back. */
  private static final List<List<String>> PAIRS =
      List.of(
          List.of(
              AEAD + ".jdkIntoBuffer",
              AEAD + ".cloakIntoBuffer",
              AEAD + ".jdkAllocating",
              AEAD + ".cloakAllocating"),
          List.of(KMS + ".generateDataKey", KMS + ".decrypt"),
          List.of(CACHE + ".mapBaseline", CACHE + ".cacheHit"));

  private BenchmarkMain() {}

  public static void main(String[] args) throws RunnerException {
    Map<String, String> settings = parseArgs(args);
    boolean quick = Boolean.parseBoolean(setting(settings, "quick", "false"));
    int forks = intSetting(settings, "forks", quick ? 1 : 3);
    int warmupIterations = intSetting(settings, "warmupIterations", quick ? 1 : 3);
    int warmupTime = intSetting(settings, "warmupTime", 1);
    int measurementIterations = intSetting(settings, "measurementIterations", quick ? 3 : 5);
    int measurementTime = intSetting(settings, "measurementTime", 1);
    Pattern include = Pattern.compile(setting(settings, "include", ".*"));

    System.out.printf(
        Locale.ROOT,
        "Cloak benchmarks: forks=%d (one per round), warmup=%dx%ds, measurement=%dx%ds,"
            + " include=%s%n",
        forks,
        warmupIterations,
        warmupTime,
        measurementIterations,
        measurementTime,
        include);

    Map<String, List<List<Double>>> scores = new LinkedHashMap<>(); // key -> per-fork iterations
    long start = System.nanoTime();
    for (int round = 0; round < forks; round++) {
      for (List<String> pair : PAIRS) {
        List<String> order = new ArrayList<>(pair);
        if (round % 2 == 1) {
          Collections.reverse(order);
        }
        for (String benchmark : order) {
          if (!include.matcher(benchmark).find()) {
            continue;
          }
          System.out.printf(Locale.ROOT, "%n>>> round %d/%d: %s%n", round + 1, forks, benchmark);
          OptionsBuilder options = new OptionsBuilder();
          options
              .include("^" + Pattern.quote(benchmark) + "$")
              .forks(1)
              .warmupIterations(warmupIterations)
              .warmupTime(TimeValue.seconds(warmupTime))
              .measurementIterations(measurementIterations)
              .measurementTime(TimeValue.seconds(measurementTime))
              .threads(1)
              .jvmArgsAppend("-Xms1g", "-Xmx1g")
              .shouldFailOnError(true);
          for (RunResult r : new Runner(options.build()).run()) {
            scores.computeIfAbsent(key(r), k -> new ArrayList<>()).addAll(forkScores(r));
          }
        }
      }
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

    System.out.println();
    System.out.print(summary(scores));
    System.out.printf(
        Locale.ROOT, "%nTotal benchmark time: %dm %02ds%n", seconds / 60, seconds % 60);
  }

  /** {@code benchmark} or {@code benchmark@bufferSize}. */
  private static String key(RunResult r) {
    String size = r.getParams().getParam("bufferSize");
    return r.getParams().getBenchmark() + (size == null ? "" : "@" + size);
  }

  /** The measurement-iteration scores of each fork of {@code r}. */
  private static List<List<Double>> forkScores(RunResult r) {
    List<List<Double>> forks = new ArrayList<>();
    for (BenchmarkResult b : r.getBenchmarkResults()) {
      List<Double> iterations = new ArrayList<>();
      for (IterationResult i : b.getIterationResults()) {
        iterations.add(i.getPrimaryResult().getScore());
      }
      forks.add(iterations);
    }
    return forks;
  }

  /** The plain-text summary table; {@code scores} maps a key to its forks' iteration scores. */
  static String summary(Map<String, List<List<Double>>> scores) {
    Map<String, Stats> stats = new LinkedHashMap<>();
    scores.forEach((k, v) -> stats.put(k, Stats.of(v)));

    StringBuilder out = new StringBuilder();
    out.append("== Summary: median of all measurement iterations [mean] ==\n");

    out.append("\nAES-256-GCM encrypt, MB/s (1 MB = 10^6 bytes); ratio = cloak / jdk\n");
    out.append(row("buffer", "jdk", "cloak", "ratio", "per round", "goal 0.9"));
    for (String[] pair :
        List.of(
            new String[] {"into a reused buffer", "jdkIntoBuffer", "cloakIntoBuffer"},
            new String[] {"new output array per message", "jdkAllocating", "cloakAllocating"})) {
      out.append("  ").append(pair[0]).append('\n');
      for (String size : List.of("4096", "32768")) {
        Stats jdk = stats.get(AEAD + "." + pair[1] + "@" + size);
        Stats cloak = stats.get(AEAD + "." + pair[2] + "@" + size);
        if (jdk == null || cloak == null) {
          continue;
        }
        double mb = Double.parseDouble(size) / 1e6;
        double ratio = cloak.median / jdk.median;
        out.append(
            row(
                Integer.parseInt(size) / 1024 + " KiB",
                medianAndMean(jdk, mb, "%.0f"),
                medianAndMean(cloak, mb, "%.0f"),
                String.format(Locale.ROOT, "%.3f [%.3f]", ratio, cloak.mean / jdk.mean),
                perForkRatios(cloak, jdk),
                ratio >= GCM_RATIO_GOAL ? "PASS" : "BELOW"));
      }
    }

    out.append("\nLocal KMS, ops/s (one thread; one fsynced audit record per operation)\n");
    for (String op : List.of("generateDataKey", "decrypt")) {
      Stats s = stats.get(KMS + "." + op);
      if (s != null) {
        out.append(row(op, medianAndMean(s, 1, "%.0f"), "", "", "", ""));
      }
    }

    out.append("\nData-key lookup, ns/op; ratio = cacheHit / mapBaseline\n");
    Stats map = stats.get(CACHE + ".mapBaseline");
    Stats hit = stats.get(CACHE + ".cacheHit");
    if (map != null) {
      out.append(row("mapBaseline", medianAndMean(map, 1, "%.1f"), "", "", "", ""));
    }
    if (hit != null) {
      out.append(row("cacheHit", medianAndMean(hit, 1, "%.1f"), "", "", "", ""));
    }
    if (map != null && hit != null) {
      out.append(
          row(
              "ratio",
              String.format(
                  Locale.ROOT, "%.2f [%.2f]", hit.median / map.median, hit.mean / map.mean),
              "",
              "",
              perForkRatios(hit, map),
              ""));
    }
    return out.toString();
  }

  private static String row(String... cells) {
    return String.format(Locale.ROOT, "%-16s %16s %16s %16s %-22s %s", (Object[]) cells)
            .stripTrailing()
        + "\n";
  }

  private static String medianAndMean(Stats s, double scale, String format) {
    return String.format(
        Locale.ROOT, format + " [" + format + "]", s.median * scale, s.mean * scale);
  }

  /** Ratio of the per-fork medians, fork by fork (forks of one round were run side by side). */
  private static String perForkRatios(Stats a, Stats b) {
    int n = Math.min(a.forkMedians.size(), b.forkMedians.size());
    if (n < 2) {
      return "";
    }
    List<String> ratios = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ratios.add(String.format(Locale.ROOT, "%.2f", a.forkMedians.get(i) / b.forkMedians.get(i)));
    }
    return ratios.stream().collect(Collectors.joining(" ", "(", ")"));
  }

  /** Median and mean of a benchmark's measurement iterations across forks, and fork medians. */
  private record Stats(double median, double mean, List<Double> forkMedians) {
    static Stats of(List<List<Double>> forks) {
      List<Double> all = new ArrayList<>();
      List<Double> forkMedians = new ArrayList<>();
      for (List<Double> fork : forks) {
        all.addAll(fork);
        forkMedians.add(medianOf(fork));
      }
      double mean = all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      return new Stats(medianOf(all), mean, forkMedians);
    }
  }

  static double medianOf(Collection<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String arg : args) {
      String a = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "expected name=value (e.g. quick=true, forks=1, include=Kms), got: " + arg);
      }
      settings.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return settings;
  }

  private static String setting(Map<String, String> args, String name, String fallback) {
    String v = args.get(name);
    return v != null ? v : System.getProperty(name, fallback);
  }

  private static int intSetting(Map<String, String> args, String name, int fallback) {
    String v = setting(args, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got: " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got: " + v, e);
    }
  }
}
