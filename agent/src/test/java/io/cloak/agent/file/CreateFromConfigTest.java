package io.cloak.agent.file;

import static io.cloak.agent.file.FileTestSupport.assertCiphertextOnDisk;
import static io.cloak.agent.file.FileTestSupport.markerContent;
import static io.cloak.agent.file.FileTestSupport.readThrough;
import static io.cloak.agent.file.FileTestSupport.writeThrough;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.config.CloakConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CreateFromConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void rootKey() throws IOException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.write(dir.resolve("root.key"), key);
  }

  private CloakConfig config(String volumePath) {
    String yaml =
        "kms:\n"
            + "  keystore: ./ks\n"
            + "  root-key-file: ./root.key\n"
            + "volumes:\n"
            + "  - path: "
            + volumePath
            + "\n";
    return CloakConfig.parse(yaml, dir.resolve("cloak.yaml").toString(), dir);
  }

  @Test
  void createsTheVolumeOnFirstStartAndReopensItWithTheSameKey() throws IOException {
    Path volume = dir.resolve("data/uploads");
    VolumeFileHandler first = VolumeFileHandler.create(config(volume.toString()));
    assertTrue(VolumeDescriptor.exists(volume), "folder and descriptor created");
    Path file = volume.resolve("a.bin");
    byte[] content = markerContent(50_000);
    writeThrough(first, file, content);
    assertCiphertextOnDisk(file);

    VolumeFileHandler second = VolumeFileHandler.create(config(volume.toString()));
    assertArrayEquals(content, readThrough(second, file), "the same volume key after a restart");
    assertFalse(second.toString().contains("key="), second.toString());
  }

  @Test
  void aVolumePathThatIsAFileFailsNamingTheConfigLine() throws IOException {
    Path notAFolder = Files.write(dir.resolve("file.txt"), new byte[] {1});
    IOException e =
        assertThrows(
            IOException.class, () -> VolumeFileHandler.create(config(notAFolder.toString())));
    assertTrue(e.getMessage().contains("cloak.yaml:5:"), e.getMessage());
    assertTrue(e.getMessage().contains(notAFolder.toString()), e.getMessage());
  }
}
