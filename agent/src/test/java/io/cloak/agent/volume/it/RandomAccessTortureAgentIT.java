package io.cloak.agent.volume.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.jdbc.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.example.volumeapps.RandomAccessTortureApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 10,000 random positional writes, reads, truncates, appends and size changes through {@code
 * RandomAccessFile} and {@code FileChannel}, on a file in a volume and on a plain reference file,
 * in a child JVM with the agent: identical results, sizes and content throughout.
 */
class RandomAccessTortureAgentIT {
  static Path dir;
  static Path config;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("cloak-torture-it");
    Files.createDirectories(dir.resolve("plain"));
    config = ChildJvm.writeConfig(dir, "volumes:\n  - path: ./vol\n");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    DiskScan.deleteTree(dir);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 20261127})
  void encryptedFileBehavesExactlyLikeAPlainOne(long seed) throws Exception {
    Path encrypted = dir.resolve("vol").resolve("torture-" + seed + ".bin");
    Files.createDirectories(encrypted.getParent());
    Path reference = dir.resolve("plain").resolve("torture-" + seed + ".bin");
    ChildJvm.Result r =
        ChildJvm.run(
            "config=" + config,
            List.of(),
            RandomAccessTortureApp.class,
            encrypted.toString(),
            reference.toString(),
            Long.toString(seed),
            "10000");
    ChildJvm.assertExitedNormally(r);
    List<String> result = r.values("TORTURE");
    assertEquals(1, result.size(), r::describe);
    assertTrue(result.get(0).startsWith(seed + "|10000|ok|"), r::describe);
    if (Files.size(reference) > 0) {
      assertTrue(DiskScan.startsWithCloakHeader(encrypted), "the volume file is encrypted");
    }
  }
}
