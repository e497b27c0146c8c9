package io.cloak.agent.volume.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.jdbc.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.example.volumeapps.VolumeH2App;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An embedded H2 database whose files lie in a volume: 100,000 rows written by one JVM, read by
 * another, while the {@code .mv.db} file on disk holds no plaintext.
 */
class H2VolumeAgentIT {
  static Path dir;

  @AfterAll
  static void cleanUp() throws Exception {
    DiskScan.deleteTree(dir);
  }

  @Test
  void databaseInAVolumeSurvivesARestartAndHoldsNoPlaintextOnDisk() throws Exception {
    dir = Files.createTempDirectory("cloak-h2-volume-it");
    Path volume = dir.resolve("data");
    Path config = ChildJvm.writeConfig(dir, "volumes:\n  - path: ./data\n");
    ChildJvm.Result write =
        ChildJvm.run(
            "config=" + config, List.of(), VolumeH2App.class, "write", volume.toString(), "100000");
    ChildJvm.assertExitedNormally(write);
    ChildJvm.Result read =
        ChildJvm.run("config=" + config, List.of(), VolumeH2App.class, "read", volume.toString());
    ChildJvm.assertExitedNormally(read);
    for (ChildJvm.Result r : List.of(write, read)) {
      assertEquals(List.of("100000"), r.values("COUNT"), r::describe);
      assertEquals(List.of("50000500.00"), r.values("SUM"), r::describe);
      assertEquals(
          List.of("CONFIDENTIAL-ROW-54321 shipping to 221B Baker Street"),
          r.values("ROW"),
          r::describe);
      assertEquals(List.of("100"), r.values("BY_CUSTOMER"), r::describe);
    }
    Path mv = volume.resolve("shop.mv.db");
    assertTrue(Files.size(mv) > 1_000_000, () -> "mv.db is only " + mv.toFile().length());
    assertTrue(DiskScan.startsWithCloakHeader(mv));
    assertEquals(List.of(), DiskScan.filesContaining(volume, "CONFIDENTIAL-ROW"));
    assertEquals(List.of(), DiskScan.filesContaining(volume, "Baker Street"));
    assertEquals(List.of(), DiskScan.filesContaining(volume, "customer-7@example.com"));
  }

  @Test
  void databaseOnH2sAsyncFileSystemIsEncryptedToo() throws Exception {
    // H2's "async:" file system does its I/O through AsynchronousFileChannel
    Path base = Files.createTempDirectory("cloak-h2-async-it");
    try {
      Path volume = base.resolve("data");
      Path config = ChildJvm.writeConfig(base, "volumes:\n  - path: ./data\n");
      ChildJvm.Result write =
          ChildJvm.run(
              "config=" + config,
              List.of(),
              VolumeH2App.class,
              "write",
              volume.toString(),
              "60000",
              "async");
      ChildJvm.assertExitedNormally(write);
      ChildJvm.Result read =
          ChildJvm.run(
              "config=" + config,
              List.of(),
              VolumeH2App.class,
              "read",
              volume.toString(),
              "0",
              "async");
      ChildJvm.assertExitedNormally(read);
      for (ChildJvm.Result r : List.of(write, read)) {
        assertEquals(List.of("60000"), r.values("COUNT"), r::describe);
        assertEquals(
            List.of("CONFIDENTIAL-ROW-54321 shipping to 221B Baker Street"),
            r.values("ROW"),
            r::describe);
      }
      Path mv = volume.resolve("shop.mv.db");
      assertTrue(DiskScan.startsWithCloakHeader(mv));
      assertEquals(List.of(), DiskScan.filesContaining(volume, "CONFIDENTIAL-ROW"));
      assertEquals(List.of(), DiskScan.filesContaining(volume, "Baker Street"));
    } finally {
      DiskScan.deleteTree(base);
    }
  }

  @Test
  void sameDatabaseWithoutTheAgentHasPlaintextOnDisk() throws Exception {
    // negative control for the scan above
    Path plain = Files.createTempDirectory("cloak-h2-plain-it");
    try {
      ChildJvm.Result r =
          ChildJvm.run(null, List.of(), VolumeH2App.class, "write", plain.toString(), "2000");
      ChildJvm.assertExitedNormally(r);
      assertFalse(DiskScan.filesContaining(plain, "Baker Street").isEmpty(), r::describe);
    } finally {
      DiskScan.deleteTree(plain);
    }
  }
}
