package io.cloak.agent.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a sample application in a child JVM, optionally with {@code -javaagent:cloak-agent.jar}. The
 * child's class path holds only the samples and the libraries they use (H2, HikariCP, SLF4J,
 * PostgreSQL): no Cloak classes, which come from the agent jar only.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** What a child JVM did. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Lines {@code KEY=value} of standard output with this key, values only. */
    public List<String> values(String key) {
      return stdout
          .lines()
          .filter(l -> l.startsWith(key + "="))
          .map(l -> l.substring(key.length() + 1))
          .collect(Collectors.toList());
    }

    public String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** The shaded agent jar built by {@code package}; failsafe passes its path. */
  public static Path agentJar() {
    Path jar = Path.of(System.getProperty("cloak.agent.jar", "target/cloak-agent.jar"));
    if (!Files.isRegularFile(jar)) {
      fail(
          "\n!!! "
              + jar.toAbsolutePath()
              + " does not exist: the agent tests run after 'package' (mvn -pl agent verify)");
    }
    return jar.toAbsolutePath();
  }

  static String classPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (String type :
        List.of(
            "io.cloak.agent.sample.HelloApp",
            "org.h2.Driver",
            "com.zaxxer.hikari.HikariConfig",
            "org.slf4j.LoggerFactory",
            "org.postgresql.Driver",
            "org.mariadb.jdbc.Driver")) {
      try {
        Class<?> k = Class.forName(type, false, ChildJvm.class.getClassLoader());
        entries.add(
            Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (ClassNotFoundException | URISyntaxException e) {
        throw new IllegalStateException("test class path lacks " + type, e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Runs {@code mainClass} with the agent and {@code agentArgs} (null: no agent). */
  public static Result run(
      String agentArgs, List<String> jvmOptions, Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.addAll(jvmOptions);
    if (agentArgs != null) {
      // the JVM does not verify JDK classes by default: make it check the hooked ones
      command.add("-XX:+UnlockDiagnosticVMOptions");
      command.add("-XX:+BytecodeVerificationLocal");
      command.add("-javaagent:" + agentJar() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
    }
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("cloak-child", ".out");
    Path err = Files.createTempFile("cloak-child", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().remove("CLOAK_CONFIG");
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      boolean done = p.waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
        fail("child JVM did not finish in 180 s: " + command);
      }
      Result r =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      // visible in the failsafe report when an assertion fails
      System.out.println("child " + mainClass.getSimpleName() + ": " + r.describe());
      return r;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  public static void assertExitedNormally(Result r) {
    assertTrue(r.exitCode() == 0, () -> "child failed: " + r.describe());
  }

  /** Writes a local-KMS cloak.yaml (root key file, keystore folder) with the given body. */
  public static Path writeConfig(Path dir, String body) throws IOException {
    byte[] root = new byte[32];
    new java.security.SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path config = dir.resolve("cloak.yaml");
    Files.writeString(
        config, "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n" + body);
    return config;
  }

  public static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
