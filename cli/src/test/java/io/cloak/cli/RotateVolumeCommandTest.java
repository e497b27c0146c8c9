package io.cloak.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.CreateKeyRequest;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RotateVolumeCommandTest {
  @TempDir Path dir;

  @Test
  void rotateVolumeRewrapsTheKeyUnderTheNewestVersionAndAnotherKeyWithoutRewritingFiles()
      throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path config = dir.resolve("cloak.yaml");
    Files.writeString(
        config,
        "kms: {type: local, keystore: ./ks, root-key-file: ./root.key, principal: user:ops}\n");
    CloakConfig cfg = CloakConfig.load(config);
    Principal ops = ConfiguredKms.principal(cfg);
    Path volume = dir.resolve("vol");
    Path file = volume.resolve("notes.txt");
    byte[] content = "rotate me, keep my bytes".getBytes(UTF_8);
    String first;
    String second;
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      first = kms.createKey(ops, CreateKeyRequest.generated("files")).keyId();
      second = kms.createKey(ops, CreateKeyRequest.generated("files 2")).keyId();
      VolumeKey key = VolumeDescriptor.create(volume, kms, ops, first).unlock(kms, ops);
      try (FileChannel ch =
              FileChannel.open(
                  file,
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          EncryptedFile ef = EncryptedFile.create(ch, key, file.toString())) {
        ef.write(ByteBuffer.wrap(content), 0);
      }
      kms.rotateKeyOnDemand(ops, first);
    }
    byte[] fileBefore = Files.readAllBytes(file);

    assertEquals(
        0, run("rotate-volume", "--config", config.toString(), "--volume", volume.toString()));
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      VolumeDescriptor d = VolumeDescriptor.load(volume);
      assertEquals(2, kms.decrypt(ops, d.wrappedKey(), d.encryptionContext()).keyVersion());
      assertEquals(content.length, read(d.unlock(kms, ops), file).length);
    }

    assertEquals(
        0,
        run(
            "rotate-volume",
            "--config",
            config.toString(),
            "--volume",
            volume.toString(),
            "--to-key",
            second));
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      VolumeDescriptor d = VolumeDescriptor.load(volume);
      assertEquals(second, kms.decrypt(ops, d.wrappedKey(), d.encryptionContext()).keyId());
      assertArrayEquals(content, read(d.unlock(kms, ops), file));
    }
    assertArrayEquals(fileBefore, Files.readAllBytes(file), "no file is rewritten");
  }

  @Test
  void aFolderWithoutAVolumeIsAOneLineError() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    Path config = dir.resolve("cloak.yaml");
    Files.writeString(config, "kms: {type: local, keystore: ./ks, root-key-file: ./root.key}\n");
    StringWriter err = new StringWriter();
    CommandLine cl = CloakCommand.newCommandLine(new CloakCommand());
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    int code =
        cl.execute(
            "rotate-volume",
            "--config",
            config.toString(),
            "--volume",
            dir.resolve("none").toString());
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("cloak: "), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }

  private static byte[] read(VolumeKey key, Path file) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        EncryptedFile ef = EncryptedFile.open(ch, key, file.toString())) {
      ByteBuffer buf = ByteBuffer.allocate((int) ef.size());
      ef.read(buf, 0);
      return buf.array();
    }
  }

  private static int run(String... args) {
    CommandLine cl = CloakCommand.newCommandLine(new CloakCommand());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int code = cl.execute(args);
    assertTrue(code == 0 || !out.toString().isEmpty(), out.toString());
    return code;
  }
}
