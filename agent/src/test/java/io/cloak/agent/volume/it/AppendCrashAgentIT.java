package io.cloak.agent.volume.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.jdbc.ChildJvm;
import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeIntegrityException;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.example.volumeapps.AppendApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application appending to a file in a volume, killed with SIGKILL again and again at random
 * moments, then restarted to append more. After every kill the file holds exactly the records
 * written, in order, every acknowledged one included; or, when the kill tore the chunk being
 * rewritten, {@code EncryptedFile.recover} brings it back to its authentic prefix, which loses at
 * most that one chunk. Never a wrong byte.
 */
class AppendCrashAgentIT {
  static final int KILLS = 10;
  static Path dir;
  static Path config;
  static Path volume;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("cloak-append-crash-it");
    volume = dir.resolve("logs");
    config = ChildJvm.writeConfig(dir, "volumes:\n  - path: ./logs\n");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    DiskScan.deleteTree(dir);
  }

  @Test
  void killedAppenderLeavesEveryAcknowledgedRecordOrAtMostOneTornChunk() throws Exception {
    Path file = volume.resolve("app.log");
    Random random = new Random(20261127);
    int torn = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      long acked = runAndKill(file, 200 + random.nextInt(3000));
      VolumeKey key = volumeKey();
      long records;
      try {
        records = checkRecords(file, key);
      } catch (VolumeIntegrityException e) {
        torn++;
        EncryptedFile.Recovery r;
        try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          r = EncryptedFile.recover(ch, key, file.toString());
        }
        assertTrue(r.changed(), "a file that failed to open is cut back");
        records = checkRecords(file, key);
        long lostBytes = (acked + 1) * AppendApp.RECORD - records * AppendApp.RECORD;
        assertTrue(
            lostBytes <= EncryptedFile.DEFAULT_CHUNK_SIZE,
            "recovery lost " + lostBytes + " bytes, more than the torn chunk");
        continue;
      } finally {
        key.destroy();
      }
      assertTrue(
          records >= acked + 1, "acknowledged record " + acked + " missing; file has " + records);
    }
    System.out.println("AppendCrashAgentIT: " + KILLS + " kills, " + torn + " torn last chunk(s)");
    assertEquals(List.of(), DiskScan.filesContaining(volume, "CONFIDENTIAL-APPEND-RECORD"));
  }

  /** Starts the appender under the agent, waits for {@code acks} ACK lines, then SIGKILLs it. */
  static long runAndKill(Path file, int acks) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-javaagent:" + ChildJvm.agentJar() + "=config=" + config);
    command.add("-cp");
    command.add(
        Path.of(AppendApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString());
    command.add(AppendApp.class.getName());
    command.add(file.toString());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("CLOAK_CONFIG");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    long last = -1;
    int seen = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ACK ")) {
          last = Long.parseLong(line.substring(4));
          if (++seen >= acks) {
            p.destroyForcibly(); // SIGKILL
            break;
          }
        }
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertTrue(seen >= acks, "the appender stopped after " + seen + " records");
    return last;
  }

  /** Opens the file, checks every record against what the appender writes; returns the count. */
  static long checkRecords(Path file, VolumeKey key) throws Exception {
    try (EncryptedFile f = EncryptedFile.open(file, key)) {
      long size = f.size();
      assertEquals(0, size % AppendApp.RECORD, "the file holds whole records only");
      ByteBuffer all = ByteBuffer.allocate((int) size);
      while (all.hasRemaining() && f.read(all, all.position()) > 0) {}
      byte[] b = all.array();
      for (long i = 0; i < size / AppendApp.RECORD; i++) {
        int at = (int) (i * AppendApp.RECORD);
        assertArrayEquals(
            AppendApp.record(i), Arrays.copyOfRange(b, at, at + AppendApp.RECORD), "record " + i);
      }
      return size / AppendApp.RECORD;
    }
  }

  static VolumeKey volumeKey() throws Exception {
    CloakConfig cfg = CloakConfig.load(config);
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      return VolumeDescriptor.load(volume).unlock(kms, ConfiguredKms.principal(cfg));
    }
  }
}
