package io.cloak.agent.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import org.example.cloakfiles.FileHooksApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link FileHooksApp} in a child JVM whose class path is the shaded {@code cloak-agent.jar}
 * plus the test classes, with a manifest-only {@code -javaagent} jar whose premain ({@link
 * FileHooksTestAgent}) runs {@link FileFeature} with {@link TestVolumeHandler}. The JDK classes of
 * that JVM are retransformed; the surefire JVM is not touched.
 */
class FileHooksAgentIT {
  @TempDir static Path dir;

  static String stdout;
  static String stderr;

  @BeforeAll
  static void runChild() throws Exception {
    Path agentJar =
        Path.of(System.getProperty("cloak.agent.jar", "target/cloak-agent.jar")).toAbsolutePath();
    if (!Files.isRegularFile(agentJar)) {
      fail(agentJar + " does not exist: the agent tests run after 'package'");
    }
    Path testClasses =
        Path.of(FileHooksApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path premainJar = dir.resolve("file-test-agent.jar");
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Premain-Class", FileHooksTestAgent.class.getName());
    main.putValue("Can-Retransform-Classes", "true");
    main.putValue("Can-Redefine-Classes", "true");
    try (OutputStream out = Files.newOutputStream(premainJar);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      // manifest only: the classes come from the class path
    }
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.add("-javaagent:" + premainJar + "=" + volume);
    command.add("-cp");
    command.add(agentJar + File.pathSeparator + testClasses);
    command.add(FileHooksApp.class.getName());
    command.add(volume.toString());
    command.add(outside.toString());
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("child JVM did not finish in 180 s");
    }
    stdout = Files.readString(out, StandardCharsets.UTF_8);
    stderr = Files.readString(err, StandardCharsets.UTF_8);
    System.out.println("--- child stdout\n" + stdout + "\n--- child stderr\n" + stderr);
    assertEquals(0, p.exitValue(), () -> "child failed:\n" + stdout + "\n" + stderr);
  }

  @Test
  void everyCheckOfTheChildPassed() {
    assertFalse(stdout.contains("FAIL"), stdout);
    assertTrue(stdout.contains("ALL-OK"), stdout);
    assertFalse(stderr.contains("Exception"), stderr);
    assertTrue(
        stderr.contains(
            "test-agent: files (FileInputStream, FileOutputStream, RandomAccessFile, File,"
                + " UnixFileSystemProvider, UnixFileAttributeViews$Basic,"
                + " UnixFileAttributeViews$Posix)"),
        stderr);
  }

  @Test
  void everyHookReachedTheHandler() {
    String calls = stdout.lines().filter(l -> l.startsWith("CALLS=")).findFirst().orElseThrow();
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
          calls.matches(".*[{ ]" + java.util.regex.Pattern.quote(name) + "=[1-9].*"),
          () -> name + " never reached the handler: " + calls);
    }
  }

  @Test
  void onlyCallSitesOfRandomAccessFileLengthAreRewritten() {
    String rewritten =
        stdout.lines().filter(l -> l.startsWith("REWRITTEN=")).findFirst().orElseThrow();
    assertTrue(rewritten.contains("org/example/cloakfiles/RafUser=true"), rewritten);
    assertTrue(rewritten.contains("org/example/cloakfiles/NoRaf=false"), rewritten);
    assertTrue(rewritten.contains("org/example/cloakfiles/FileHooksApp=false"), rewritten);
  }
}
