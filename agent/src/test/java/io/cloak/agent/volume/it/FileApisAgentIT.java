package io.cloak.agent.volume.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.jdbc.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.example.volumeapps.FileApiApp;
import org.example.volumeapps.ReadFileApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FileApiApp}, which knows nothing of Cloak, run in a child JVM with the agent and a folder
 * configured as a volume: every covered file API reads back exactly what it wrote, with plaintext
 * sizes, while the disk holds only ciphertext.
 */
class FileApisAgentIT {
  static Path dir;
  static Path volume;
  static Path outside;
  static Path config;
  static ChildJvm.Result child;

  @BeforeAll
  static void runProgramWithAgent() throws Exception {
    dir = Files.createTempDirectory("cloak-volume-it");
    volume = dir.resolve("vol");
    outside = Files.createDirectories(dir.resolve("outside"));
    config = ChildJvm.writeConfig(dir, "volumes:\n  - path: ./vol\n");
    child =
        ChildJvm.run(
            "config=" + config, List.of(), FileApiApp.class, volume.toString(), outside.toString());
  }

  @AfterAll
  static void cleanUp() throws Exception {
    DiskScan.deleteTree(dir);
  }

  @Test
  void everyCoveredApiReadsBackExactlyWhatItWroteWithPlaintextSizes() {
    List<String> checks = child.values("CHECK");
    List<String> failed = checks.stream().filter(c -> !c.endsWith("|ok")).toList();
    assertEquals(List.of(), failed, child::describe);
    assertTrue(
        checks.size() >= 50, () -> "only " + checks.size() + " checks ran\n" + child.describe());
    ChildJvm.assertExitedNormally(child);
  }

  @Test
  void diskHoldsNoPlaintextInsideTheVolume() throws Exception {
    List<Path> files = DiskScan.regularFiles(volume);
    assertTrue(files.size() >= 15, () -> "files: " + files);
    assertEquals(List.of(), DiskScan.filesContaining(volume, FileApiApp.MARKER), child::describe);
    for (Path p : files) {
      if (!p.getFileName().toString().equals(".cloak-volume")) {
        assertTrue(DiskScan.startsWithCloakHeader(p), () -> p + " is not a Cloak file");
      }
    }
  }

  @Test
  void filesCopiedOrMovedOutOfTheVolumeArePlaintext() throws Exception {
    for (String name : List.of("copied-out.bin", "moved-out.bin")) {
      Path p = outside.resolve(name);
      assertTrue(
          DiskScan.indexOf(
                  Files.readAllBytes(p), FileApiApp.MARKER.getBytes(StandardCharsets.US_ASCII))
              >= 0,
          () -> p + " should hold plaintext");
      assertFalse(DiskScan.startsWithCloakHeader(p), p::toString);
    }
  }

  @Test
  void memoryMappingAnEncryptedFileFailsWithAReason() {
    String message = child.values("MAP_ERROR").get(0);
    assertTrue(message.contains("encrypted"), message);
  }

  @Test
  void startupLineNamesTheVolume() {
    assertTrue(child.stderr().contains("1 volume(s)"), child::describe);
    assertTrue(child.stderr().contains("files"), child::describe);
  }

  @Test
  void scanFindsPlaintextWhenTheSameProgramRunsWithoutTheAgent() throws Exception {
    // negative control: proves the disk scan above can fail
    Path plainDir = Files.createDirectories(dir.resolve("plain-run"));
    Path plainOutside = Files.createDirectories(dir.resolve("plain-outside"));
    ChildJvm.Result r =
        ChildJvm.run(
            null, List.of(), FileApiApp.class, plainDir.toString(), plainOutside.toString());
    assertFalse(DiskScan.filesContaining(plainDir, FileApiApp.MARKER).isEmpty(), r::describe);
    // without the agent, map() and streams over descriptors work, so their refusals fail (and
    // the descriptor's write changes the file), and "rws" writes are synced by the JDK's O_SYNC
    // rather than forced; every other check passes: the program is sound
    List<String> agentOnly =
        List.of(
            "raf.rws.forced",
            "fc.map.refused",
            "fd.input.refused",
            "fd.output.refused",
            "fd.stream.refused",
            "fd.raf.still.works",
            "fd.file.unchanged");
    List<String> failed =
        r.values("CHECK").stream()
            .filter(c -> !c.endsWith("|ok"))
            .map(c -> c.substring(0, c.indexOf('|')))
            .toList();
    assertTrue(agentOnly.containsAll(failed), () -> failed + "\n" + r.describe());
    assertTrue(failed.contains("fd.input.refused"), r::describe);
    assertTrue(failed.contains("raf.rws.forced"), r::describe);
  }

  @Test
  void plaintextFileFromBeforeTheVolumeStaysReadableAndUntouched() throws Exception {
    Path legacyDir = Files.createDirectories(dir.resolve("legacy"));
    Path legacy = legacyDir.resolve("old-report.txt");
    String text = "LEGACY-PLAINTEXT line\n".repeat(5000);
    Files.writeString(legacy, text);
    byte[] before = Files.readAllBytes(legacy);
    Path legacyConfig = dir.resolve("legacy.yaml");
    Files.writeString(legacyConfig, Files.readString(config).replace("./vol", "./legacy"));
    ChildJvm.Result r =
        ChildJvm.run(
            "config=" + legacyConfig, List.of(), ReadFileApp.class, "read", legacy.toString());
    ChildJvm.assertExitedNormally(r);
    String sha = ReadFileApp.sha(before);
    assertEquals(
        List.of(
            "FileInputStream|ok|" + sha,
            "Files.readAllBytes|ok|" + sha,
            "RandomAccessFile|ok|" + sha,
            "FileChannel|ok|" + sha,
            "AsynchronousFileChannel|ok|" + sha),
        r.values("READ"),
        r::describe);
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(legacy)), "file changed");
  }

  @Test
  void oneChangedByteOnDiskMakesEveryReaderGetAnIOException() throws Exception {
    Path file = volume.resolve("tamper.txt");
    ChildJvm.Result w =
        ChildJvm.run(
            "config=" + config,
            List.of(),
            ReadFileApp.class,
            "write",
            file.toString(),
            "SECRET-TAMPER ",
            "9000");
    ChildJvm.assertExitedNormally(w);
    assertTrue(DiskScan.startsWithCloakHeader(file));
    for (long offset : List.of(10L, 70L, 50_000L, Files.size(file) - 1)) {
      byte[] raw = Files.readAllBytes(file);
      raw[(int) offset] ^= 0x01;
      Files.write(file, raw);
      ChildJvm.Result r =
          ChildJvm.run("config=" + config, List.of(), ReadFileApp.class, "read", file.toString());
      List<String> reads = r.values("READ");
      assertEquals(5, reads.size(), r::describe);
      for (String line : reads) {
        assertTrue(line.contains("|error|"), () -> "offset " + offset + ": " + line);
        assertFalse(line.contains("SECRET-TAMPER"), line);
      }
      raw[(int) offset] ^= 0x01; // restore for the next offset
      Files.write(file, raw);
    }
    ChildJvm.Result ok =
        ChildJvm.run("config=" + config, List.of(), ReadFileApp.class, "read", file.toString());
    assertTrue(ok.values("READ").stream().allMatch(l -> l.contains("|ok|")), ok::describe);
  }
}
