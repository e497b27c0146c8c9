package io.cloak.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeIntegrityException;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RecoverVolumeFileCommandTest {
  @TempDir Path dir;

  @Test
  void tornFileOpensAgainWithItsAuthenticPrefixAndAnIntactFileIsLeftAlone() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path config = dir.resolve("cloak.yaml");
    Files.writeString(config, "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n");
    CloakConfig cfg = CloakConfig.load(config);
    Principal principal = ConfiguredKms.principal(cfg);
    Path volume = dir.resolve("vol");
    Path torn = volume.resolve("app.log");
    Path intact = volume.resolve("other.log");
    byte[] content = new byte[3 * EncryptedFile.DEFAULT_CHUNK_SIZE + 500];
    new SecureRandom().nextBytes(content);
    VolumeKey key;
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      key = VolumeDescriptor.create(volume, kms, principal, null).unlock(kms, principal);
    }
    for (Path p : new Path[] {torn, intact}) {
      try (EncryptedFile f = EncryptedFile.openOrCreate(p, key)) {
        f.write(ByteBuffer.wrap(content), 0);
      }
    }
    // tear the last chunk of one file, as a kill -9 in the middle of rewriting it can
    long lastChunk =
        EncryptedFile.HEADER_LENGTH
            + 3L * (EncryptedFile.DEFAULT_CHUNK_SIZE + EncryptedFile.CHUNK_OVERHEAD);
    try (FileChannel ch = FileChannel.open(torn, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[64]), lastChunk + 100);
    }
    assertThrows(VolumeIntegrityException.class, () -> EncryptedFile.open(torn, key).close());

    StringWriter out = new StringWriter();
    CommandLine cl = CloakCommand.newCommandLine(new CloakCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int code =
        cl.execute(
            "recover-volume-file",
            "--config",
            config.toString(),
            "--volume",
            volume.toString(),
            torn.toString(),
            intact.toString());
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains(torn + ": recovered: cut back to 98304"), out.toString());
    assertTrue(out.toString().contains(intact + ": intact"), out.toString());
    try (EncryptedFile f = EncryptedFile.open(torn, key)) {
      ByteBuffer b = ByteBuffer.allocate((int) f.size());
      f.read(b, 0);
      assertArrayEquals(Arrays.copyOf(content, 3 * EncryptedFile.DEFAULT_CHUNK_SIZE), b.array());
    }
    try (EncryptedFile f = EncryptedFile.open(intact, key)) {
      assertEquals(content.length, f.size());
    }
  }
}
