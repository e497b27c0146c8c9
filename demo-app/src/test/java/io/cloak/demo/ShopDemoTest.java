package io.cloak.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShopDemoTest {
  @TempDir Path dir;

  @Test
  void demoFindsCustomersByEncryptedEmailAndStoresOnlyCiphertext() throws Exception {
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    Files.write(dir.resolve("root.key"), root);
    String yaml = Files.readString(Path.of("cloak.yaml"));
    Files.writeString(
        dir.resolve("cloak.yaml"),
        yaml.replace(
            "keystore: ./demo-data/cloak-keystore", "keystore: ./ks\n  root-key-file: ./root.key"));
    System.setProperty("cloak.config", dir.resolve("cloak.yaml").toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ShopDemo.run(
          "jdbc:cloak:h2:file:" + dir.resolve("shop").toAbsolutePath(),
          new PrintStream(bytes, true, StandardCharsets.UTF_8));
    } finally {
      System.clearProperty("cloak.config");
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("#3 Grace Hopper  ssn=457-55-5462"), out);
    assertTrue(out.contains("order 101  Alan Turing   alan@example.com"), out);
    String stored = out.substring(out.indexOf("What the database really stores"));
    assertTrue(stored.contains("email=$ck1$"), stored);
    assertFalse(stored.contains("@example.com"), stored);
    assertFalse(stored.contains("457-55"), stored);
  }
}
