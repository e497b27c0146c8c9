package io.cloak.agent.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cloak.agent.AgentStartup;
import io.cloak.agent.StartupTestAgent;
import io.cloak.agent.sample.HelloApp;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.example.cloakfiles.FileHooksApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link FileHooksApp} in child JVMs whose class path is the shaded {@code cloak-agent.jar}
 * plus the test classes, with a manifest-only {@code -javaagent} jar whose premain runs {@link
 * FileFeature} with {@link TestVolumeHandler}: directly ({@link FileHooksTestAgent}) and through
 * {@code AgentStartup} ({@link StartupTestAgent}). The JDK classes of those JVMs are retransformed;
 * the failsafe JVM is not touched.
 */
class FileHooksAgentIT {
  private static final String HOOKED =
      "FileInputStream, FileOutputStream, RandomAccessFile, File, UnixFileSystemProvider,"
          + " UnixFileAttributeViews$Basic, UnixFileAttributeViews$Posix";

  @TempDir static Path dir;

  static Result direct;

  record Result(int exitCode, String stdout, String stderr) {
    String line(String prefix) {
      return stdout.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(none)");
    }

    String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  static Path agentJar() {
    Path jar =
        Path.of(System.getProperty("cloak.agent.jar", "target/cloak-agent.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      fail(jar + " does not exist: the agent tests run after 'package'");
    }
    return jar;
  }

  /** A jar holding only a manifest naming {@code premain}'s class. */
  static Path premainJar(Class<?> premain) throws Exception {
    Path jar = dir.resolve(premain.getSimpleName() + ".jar");
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Premain-Class", premain.getName());
    main.putValue("Can-Retransform-Classes", "true");
    main.putValue("Can-Redefine-Classes", "true");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // manifest only: the classes come from the class path
    }
    return jar;
  }

  /** Runs FileHooksApp on fresh folders {@code name/volume} and {@code name/outside}. */
  static Result run(String name, List<String> jvmOptions, String agent, String agentArgs)
      throws Exception {
    return run(name, jvmOptions, agent, agentArgs, FileHooksApp.class);
  }

  static Result run(
      String name, List<String> jvmOptions, String agent, String agentArgs, Class<?> main)
      throws Exception {
    Path base = Files.createDirectories(dir.resolve(name));
    Path volume = Files.createDirectories(base.resolve("volume"));
    Path outside = Files.createDirectories(base.resolve("outside"));
    Path testClasses =
        Path.of(FileHooksApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.addAll(jvmOptions);
    // the JVM does not verify JDK classes by default: make it check the hooked ones
    command.add("-XX:+UnlockDiagnosticVMOptions");
    command.add("-XX:+BytecodeVerificationLocal");
    command.add("-javaagent:" + agent + "=" + agentArgs.replace("VOLUME", volume.toString()));
    command.add("-cp");
    command.add(agentJar() + File.pathSeparator + testClasses);
    command.add(main.getName());
    command.add(volume.toString());
    command.add(outside.toString());
    Path out = base.resolve("child.out");
    Path err = base.resolve("child.err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile());
    pb.environment().remove("CLOAK_CONFIG");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("child JVM did not finish in 180 s");
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    System.out.println("child " + name + ": " + r.describe());
    return r;
  }

  static Path volumeConfig(String name) throws Exception {
    Path base = Files.createDirectories(dir.resolve(name));
    Path config = base.resolve("cloak.yaml");
    byte[] rootKey = new byte[32];
    new java.security.SecureRandom().nextBytes(rootKey);
    Files.write(base.resolve("root.key"), rootKey);
    Files.writeString(
        config,
        "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n"
            + "volumes:\n  - path: ./volume\n");
    return config;
  }

  @BeforeAll
  static void runDirect() throws Exception {
    direct = run("direct", List.of(), premainJar(FileHooksTestAgent.class).toString(), "VOLUME");
  }

  static void assertAllChecksPassed(Result r) {
    assertEquals(0, r.exitCode(), r::describe);
    assertFalse(r.stdout().contains("FAIL"), r::describe);
    assertTrue(r.stdout().contains("ALL-OK"), r::describe);
    assertFalse(r.stderr().contains("Exception"), r::describe);
    // FileHooks is defined in the boot loader, not appended to its path (which disables CDS)
    assertFalse(r.stderr().contains("bootstrap classpath has been appended"), r::describe);
  }

  @Test
  void everyCheckOfTheChildPassed() {
    assertAllChecksPassed(direct);
    assertTrue(direct.stderr().contains("test-agent: files (" + HOOKED + ")"), direct::describe);
  }

  @Test
  void everyHookReachedTheHandler() {
    String calls = direct.line("CALLS=");
    for (String name :
        List.of(
            "afterOpen",
            "afterOpen.kind0",
            "afterOpen.kind1",
            "afterOpen.kind2",
            "afterOpen.kind3",
            "nativeAppend",
            "read()",
            "read(b,off,len)",
            "readAllBytes",
            "readNBytes",
            "skip",
            "skipBytes",
            "available",
            "write(int)",
            "write(b,off,len)",
            "size",
            "setLength",
            "channel",
            "closed",
            "length",
            "renameAllowed",
            "beforeChannelOpen",
            "beforeChannelOpen.internal",
            "nativeOptions",
            "afterChannelOpen",
            "attributes",
            "copy",
            "move")) {
      assertTrue(
          calls.matches(".*[{ ]" + Pattern.quote(name) + "=[1-9].*"),
          () -> name + " never reached the handler: " + calls);
    }
  }

  @Test
  void onlyCallSitesOfRandomAccessFileLengthAreRewritten() {
    String rewritten = direct.line("REWRITTEN=");
    assertTrue(rewritten.contains("org/example/cloakfiles/RafUser=true"), rewritten);
    assertTrue(rewritten.contains("org/example/cloakfiles/NoRaf=false"), rewritten);
    assertTrue(rewritten.contains("org/example/cloakfiles/FileHooksApp=false"), rewritten);
  }

  @Test
  void agentStartupInstallsTheFileFeatureAndNamesVolumesAndHooks() throws Exception {
    Path config = volumeConfig("startup");
    Result r =
        run(
            "startup",
            List.of(),
            premainJar(StartupTestAgent.class).toString(),
            "config=" + config);
    assertAllChecksPassed(r);
    Path volume = config.getParent().resolve("volume").toAbsolutePath().normalize();
    assertTrue(
        r.stderr()
            .contains(
                "cloak-agent: config "
                    + config
                    + ": databases all; 0 encrypted column(s); 1 volume(s): "
                    + volume
                    + "; hooks: files ("
                    + HOOKED
                    + ") (started in "),
        r::describe);
  }

  @Test
  void fileHooksLoadedTooEarlyStopTheApplication() throws Exception {
    Path config = volumeConfig("early");
    Result r =
        run(
            "early",
            List.of("-Dtest.preloadFileHooks=true"),
            premainJar(StartupTestAgent.class).toString(),
            "config=" + config);
    assertEquals(AgentStartup.EXIT_BAD_CONFIG, r.exitCode(), r::describe);
    assertFalse(r.stdout().contains("OK"), r::describe);
    assertTrue(r.stderr().contains("before the agent could put it on the bootstrap"), r::describe);
  }

  @Test
  void theRealAgentStartsAnApplicationWithAVolumeAndNamesItsHooks() throws Exception {
    Path config = volumeConfig("real");
    Result r = run("real", List.of(), agentJar().toString(), "config=" + config, HelloApp.class);
    assertEquals(0, r.exitCode(), r::describe);
    assertEquals("HELLO", r.stdout().strip(), "nothing but the application's output on stdout");
    assertTrue(r.stderr().contains("; hooks: files (FileInputStream, "), r::describe);
    assertFalse(r.stderr().contains("not active"), r::describe);
  }
}
