package io.cloak.kms.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeystoreFileTest {
  static final Principal ADMIN = Principal.of("user:admin");

  @TempDir Path dir;

  Path createWithPassphrase(String passphrase) {
    Path ks = dir.resolve("ks");
    try (LocalKms kms =
        LocalKms.builder()
            .keystore(ks)
            .rootKey(RootKey.fromPassphrase(passphrase.toCharArray()))
            .scryptCost(10)
            .create()) {
      kms.createKey(ADMIN, CreateKeyRequest.generated("k"));
    }
    return ks;
  }

  LocalKms open(Path ks, String passphrase) {
    return LocalKms.builder()
        .keystore(ks)
        .rootKey(RootKey.fromPassphrase(passphrase.toCharArray()))
        .open();
  }

  @Test
  void rightPassphraseOpensTheKeystore() {
    Path ks = createWithPassphrase("correct horse");
    try (LocalKms kms = open(ks, "correct horse")) {
      assertEquals(1, kms.listKeys(ADMIN).size());
    }
  }

  @Test
  void wrongPassphraseIsAClearError() {
    Path ks = createWithPassphrase("correct horse");
    KeystoreException e = assertThrows(KeystoreException.class, () -> open(ks, "battery staple"));
    assertTrue(e.getMessage().startsWith("wrong passphrase for keystore"), e.getMessage());
    assertTrue(e.getMessage().contains(RootKey.PASSPHRASE_ENV));
  }

  @Test
  void truncatedKeystoreIsAClearErrorAndNotOverwritten() throws Exception {
    Path ks = createWithPassphrase("pw");
    byte[] full = Files.readAllBytes(ks);
    Files.write(ks, Arrays.copyOf(full, 30));
    KeystoreException e = assertThrows(KeystoreException.class, () -> open(ks, "pw"));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    Files.write(ks, Arrays.copyOf(full, full.length - 10));
    KeystoreException e2 = assertThrows(KeystoreException.class, () -> open(ks, "pw"));
    assertTrue(e2.getMessage().contains("corrupt or truncated"), e2.getMessage());
    assertEquals(full.length - 10, Files.size(ks), "a failed open never rewrites the file");
  }

  @Test
  void corruptKeystoreIsAClearError() throws Exception {
    Path ks = createWithPassphrase("pw");
    byte[] bytes = Files.readAllBytes(ks);
    bytes[bytes.length - 40] ^= 0x10;
    Files.write(ks, bytes);
    KeystoreException e = assertThrows(KeystoreException.class, () -> open(ks, "pw"));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }

  @Test
  void fileThatIsNotAKeystoreIsNamed() throws Exception {
    Path ks = dir.resolve("notes.txt");
    Files.writeString(ks, "hello, this is not a keystore at all, just some text");
    KeystoreException e = assertThrows(KeystoreException.class, () -> open(ks, "pw"));
    assertTrue(e.getMessage().contains("is not a Cloak keystore"), e.getMessage());
  }

  @Test
  void missingKeystoreSaysHowToCreateOne() {
    KeystoreException e =
        assertThrows(KeystoreException.class, () -> open(dir.resolve("absent"), "pw"));
    assertTrue(e.getMessage().contains("cloak kms init"), e.getMessage());
  }

  @Test
  void passphraseKeystoreRejectsRootKeyFileAndViceVersa() throws Exception {
    Path ks = createWithPassphrase("pw");
    assertThrows(
        KeystoreException.class,
        () -> LocalKms.builder().keystore(ks).rootKey(RootKey.fromBytes(new byte[32])).open());
  }

  @Test
  void rootKeyFileMustHoldExactly32Bytes() throws Exception {
    Path f = dir.resolve("root.key");
    Files.write(f, new byte[31]);
    KeystoreException e = assertThrows(KeystoreException.class, () -> RootKey.fromFile(f));
    assertTrue(e.getMessage().contains("31 bytes"));
  }

  @Test
  void rootKeyFromEnvironmentPrefersFileThenPassphraseAndExplainsWhenNeither() throws Exception {
    Path f = dir.resolve("root.key");
    Files.write(f, new byte[32]);
    assertTrue(
        RootKey.fromVariables(
                Map.of(RootKey.ROOT_KEY_FILE_ENV, f.toString(), RootKey.PASSPHRASE_ENV, "x"))
            .toString()
            .contains("root-key file"));
    assertEquals(
        "RootKey[passphrase]",
        RootKey.fromVariables(Map.of(RootKey.PASSPHRASE_ENV, "x")).toString());
    KeystoreException e =
        assertThrows(KeystoreException.class, () -> RootKey.fromVariables(Map.of()));
    assertTrue(e.getMessage().contains(RootKey.PASSPHRASE_ENV));
  }

  @Test
  void leftoverTemporaryFilesFromACrashAreRemovedOnOpen() throws Exception {
    Path ks = createWithPassphrase("pw");
    Path leftover = dir.resolve("ks.tmp-deadbeef");
    Files.write(leftover, new byte[] {1, 2, 3});
    try (LocalKms kms = open(ks, "pw")) {
      assertEquals(1, kms.listKeys(ADMIN).size());
    }
    assertTrue(Files.notExists(leftover));
  }
}
