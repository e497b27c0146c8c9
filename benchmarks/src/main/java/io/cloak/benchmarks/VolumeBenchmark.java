package io.cloak.benchmarks;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent's file benchmarks, in child JVMs started with {@code -javaagent:cloak-agent.jar}:
 *
 * <ul>
 *   <li><b>start-up</b>: wall time of a hello-world JVM without the agent, with the agent and a
 *       volume, and with the agent and a config that enables nothing; median of {@code startRuns};
 *   <li><b>sequential</b>: write {@code mib} MiB with {@code FileOutputStream} in {@code bufferKib}
 *       KiB writes, then read it back with {@code FileInputStream}, inside a volume and outside it
 *       in the same agent JVM; MB/s and the ratio;
 *   <li><b>random reads</b>: 4 KiB reads at random aligned positions through {@code FileChannel},
 *       inside and outside; reads/s and the ratio.
 * </ul>
 *
 * <p>Rounds alternate the order of inside and outside. Usage: {@code java -cp benchmarks.jar
 * io.cloak.benchmarks.VolumeBenchmark [agent=agent/target/cloak-agent.jar] [dir=target/volbench]
 * [mib=1024] [bufferKib=1024] [rounds=3] [randomReads=200000] [startRuns=9] [durable=false]}. With
 * {@code durable=true} the write includes {@code fsync} and the page cache is dropped before the
 * read (needs root), so both sides run at the disk's speed rather than the memory's.
 */
public final class VolumeBenchmark {
  private VolumeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    Path agent =
        Path.of(opts.getOrDefault("agent", "agent/target/cloak-agent.jar")).toAbsolutePath();
    if (!Files.isRegularFile(agent)) {
      throw new IllegalArgumentException(agent + " not found: build it with mvn -pl agent package");
    }
    Path dir = Path.of(opts.getOrDefault("dir", "target/volbench")).toAbsolutePath();
    int mib = Integer.parseInt(opts.getOrDefault("mib", "1024"));
    int bufferKib = Integer.parseInt(opts.getOrDefault("bufferKib", "1024"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    int randomReads = Integer.parseInt(opts.getOrDefault("randomReads", "200000"));
    int startRuns = Integer.parseInt(opts.getOrDefault("startRuns", "9"));
    boolean durable = Boolean.parseBoolean(opts.getOrDefault("durable", "false"));

    deleteTree(dir);
    Files.createDirectories(dir.resolve("outside"));
    Path classes = Files.createDirectories(dir.resolve("worker-classes"));
    copyWorkerClass(classes);
    Path config = BenchmarkConfigs.write(dir, "cloak.yaml", "volumes:\n  - path: ./vol\n");
    Path emptyConfig = BenchmarkConfigs.write(dir.resolve("empty"), "cloak.yaml", "");
    String javaagent = "-javaagent:" + agent + "=config=";

    System.out.println("== Agent start-up: hello-world, median of " + startRuns + " runs ==");
    long plainStart = medianStart(classes, null, startRuns);
    long volumeStart = medianStart(classes, javaagent + config, startRuns);
    long emptyStart = medianStart(classes, javaagent + emptyConfig, startRuns);
    System.out.printf("no agent                 %5d ms%n", plainStart);
    System.out.printf(
        "agent, 1 volume          %5d ms  (+%d ms)%n", volumeStart, volumeStart - plainStart);
    System.out.printf(
        "agent, config enables nothing %5d ms  (+%d ms)%n", emptyStart, emptyStart - plainStart);

    System.out.printf(
        "%n== Files: %d MiB sequential in %d KiB writes/reads, %d random 4 KiB reads, %d rounds,"
            + " %s ==%n",
        mib,
        bufferKib,
        randomReads,
        rounds,
        durable
            ? "durable (write includes fsync; page cache dropped before the read)"
            : "page cache (no fsync; the read hits the cache)");
    List<double[]> inside = new ArrayList<>();
    List<double[]> outside = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      boolean insideFirst = round % 2 == 0;
      for (int i = 0; i < 2; i++) {
        boolean in = (i == 0) == insideFirst;
        Path file = in ? dir.resolve("vol").resolve("big.bin") : dir.resolve("outside/big.bin");
        double[] r =
            runWorker(
                classes, javaagent + config, "files", file, mib, bufferKib, randomReads, durable);
        (in ? inside : outside).add(r);
        System.out.printf(
            "round %d %-8s write %7.0f MB/s  read %7.0f MB/s  random %8.0f reads/s%n",
            round + 1, in ? "volume" : "outside", r[0], r[1], r[2]);
        Files.deleteIfExists(file);
      }
    }
    double[] mi = medians(inside);
    double[] mo = medians(outside);
    System.out.printf("%n%-28s %12s %12s %8s%n", "median", "volume", "outside", "ratio");
    String[] names = {"sequential write MB/s", "sequential read MB/s", "random 4 KiB reads/s"};
    for (int k = 0; k < 3; k++) {
      System.out.printf("%-28s %12.0f %12.0f %8.2f%n", names[k], mi[k], mo[k], mi[k] / mo[k]);
    }
    System.out.printf(
        "goal sequential >= half of plain: write %s, read %s; start-up +%d ms %s (goal <= 500)%n",
        mi[0] >= mo[0] / 2 ? "PASS" : "BELOW",
        mi[1] >= mo[1] / 2 ? "PASS" : "BELOW",
        volumeStart - plainStart,
        volumeStart - plainStart <= 500 ? "PASS" : "BELOW");
    deleteTree(dir);
  }

  private static double[] medians(List<double[]> runs) {
    double[] m = new double[3];
    for (int k = 0; k < 3; k++) {
      final int kk = k;
      double[] v = runs.stream().mapToDouble(r -> r[kk]).sorted().toArray();
      m[k] = v[v.length / 2];
    }
    return m;
  }

  private static long medianStart(Path classes, String agentOption, int runs) throws Exception {
    long[] times = new long[runs];
    for (int i = 0; i < runs; i++) {
      List<String> cmd = new ArrayList<>(List.of(java(), "-Xshare:auto"));
      if (agentOption != null) {
        cmd.add(agentOption);
      }
      cmd.addAll(List.of("-cp", classes.toString(), Worker.class.getName(), "hello"));
      long start = System.nanoTime();
      run(cmd);
      times[i] = (System.nanoTime() - start) / 1_000_000;
    }
    Arrays.sort(times);
    return times[runs / 2];
  }

  private static double[] runWorker(
      Path classes,
      String agentOption,
      String mode,
      Path file,
      int mib,
      int bufferKib,
      int reads,
      boolean durable)
      throws Exception {
    List<String> cmd =
        List.of(
            java(),
            agentOption,
            "-cp",
            classes.toString(),
            Worker.class.getName(),
            mode,
            file.toString(),
            Integer.toString(mib),
            Integer.toString(bufferKib),
            Integer.toString(reads),
            durable ? "durable" : "cached");
    String out = run(cmd);
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT=")) {
        String[] p = line.substring(7).split(",");
        return new double[] {
          Double.parseDouble(p[0]), Double.parseDouble(p[1]), Double.parseDouble(p[2])
        };
      }
    }
    throw new IllegalStateException("worker printed no result:\n" + out);
  }

  private static String run(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CLOAK_CONFIG");
    Process p = pb.start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("child failed: " + cmd + "\n" + new String(out));
    }
    return new String(out);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The worker runs on a class path of its own class only, so the agent's classes are alone. */
  private static void copyWorkerClass(Path classes) throws IOException {
    String resource = Worker.class.getName().replace('.', '/') + ".class";
    Path target = classes.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = VolumeBenchmark.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, target);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Runs in the child JVM; uses only the JDK. */
  public static final class Worker {
    static final long WARM_UP_BYTES = 256L << 20;

    private Worker() {}

    static void writeFile(Path file, long bytes, byte[] data, boolean durable) throws IOException {
      try (FileOutputStream out = new FileOutputStream(file.toFile())) {
        for (long done = 0; done < bytes; done += data.length) {
          out.write(data, 0, (int) Math.min(data.length, bytes - done));
        }
        if (durable) {
          out.getFD().sync();
        }
      }
    }

    /** Empties the kernel's page cache, so the next read comes from the disk (root only). */
    static boolean dropPageCache() {
      try (FileOutputStream out = new FileOutputStream("/proc/sys/vm/drop_caches")) {
        out.write('3');
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    static long readFile(Path file, byte[] data) throws IOException {
      long total = 0;
      try (FileInputStream in = new FileInputStream(file.toFile())) {
        for (int n; (n = in.read(data)) > 0; ) {
          total += n;
        }
      }
      return total;
    }

    public static void main(String[] args) throws IOException {
      if (args[0].equals("hello")) {
        System.out.println("HELLO");
        return;
      }
      Path file = Path.of(args[1]);
      Files.createDirectories(file.getParent());
      long bytes = Long.parseLong(args[2]) << 20;
      int buffer = Integer.parseInt(args[3]) << 10;
      int reads = Integer.parseInt(args[4]);
      boolean durable = args.length > 5 && args[5].equals("durable");
      byte[] data = new byte[buffer];
      new SplittableRandom(42).nextBytes(data);
      // Warm-up: the JDK's AES-GCM runs at tens of MB/s until the JIT has compiled it (its
      // intrinsics only exist in compiled code), which takes the first 100-200 MB. Both sides get
      // the same warm-up, in a file beside the measured one.
      Path warm = file.resolveSibling("warm-up.bin");
      writeFile(warm, WARM_UP_BYTES, data, false);
      readFile(warm, data);
      Files.delete(warm);

      long t0 = System.nanoTime();
      writeFile(file, bytes, data, durable);
      long t1 = System.nanoTime();
      if (durable && !dropPageCache()) {
        throw new IllegalStateException("durable mode needs root to drop the page cache");
      }
      long t1b = System.nanoTime();
      long total = readFile(file, data);
      long t2 = System.nanoTime();
      if (total != bytes) {
        throw new IllegalStateException("read " + total + " of " + bytes + " bytes");
      }
      SplittableRandom random = new SplittableRandom(7);
      ByteBuffer page = ByteBuffer.allocate(4096);
      long blocks = bytes / 4096;
      long t3;
      long t4;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        for (int i = 0; i < Math.min(reads / 10, 10_000); i++) { // warm-up
          page.clear();
          ch.read(page, random.nextLong(blocks) * 4096);
        }
        t3 = System.nanoTime();
        for (int i = 0; i < reads; i++) {
          page.clear();
          if (ch.read(page, random.nextLong(blocks) * 4096) != 4096) {
            throw new IllegalStateException("short read");
          }
        }
        t4 = System.nanoTime();
      }
      double mb = bytes / 1e6;
      System.out.printf(
          "RESULT=%.1f,%.1f,%.1f%n",
          mb / ((t1 - t0) / 1e9), mb / ((t2 - t1b) / 1e9), reads / ((t4 - t3) / 1e9));
    }
  }
}
