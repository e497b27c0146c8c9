package io.cloak.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfiguredKmsTest {
  static final byte[] SECRET = "123-45-6789".getBytes(UTF_8);
  static final EncryptionContext CTX = EncryptionContext.of("column", "customers.ssn");

  @TempDir Path dir;

  CloakConfig config(String yaml) throws Exception {
    return CloakConfig.load(Files.writeString(dir.resolve("cloak.yaml"), yaml));
  }

  void writeRootKey(String name) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.write(dir.resolve(name), key);
  }

  @Test
  void opensALocalKeystoreWithARootKeyFileAndRoundTrips() throws Exception {
    writeRootKey("root.key");
    CloakConfig config =
        config(
            "kms:\n  keystore: ./keys/ks\n  root-key-file: ./root.key\n  principal: app:orders\n");
    Principal principal = ConfiguredKms.principal(config);

    byte[] blob;
    try (KeyManagementService kms = ConfiguredKms.open(config, Map.of())) {
      blob = kms.encrypt(principal, null, SECRET, CTX);
      assertArrayEquals(SECRET, kms.decrypt(principal, blob, CTX).plaintext());
    }
    assertTrue(Files.isRegularFile(dir.resolve("keys/ks")));

    try (KeyManagementService reopened = ConfiguredKms.open(config, Map.of())) {
      assertArrayEquals(SECRET, reopened.decrypt(principal, blob, CTX).plaintext());
    }
  }

  @Test
  void takesTheRootKeyFileFromTheEnvironmentWhenTheConfigNamesNone() throws Exception {
    writeRootKey("env-root.key");
    CloakConfig config = config("");
    Map<String, String> env = Map.of("CLOAK_ROOT_KEY_FILE", dir.resolve("env-root.key").toString());

    try (KeyManagementService kms = ConfiguredKms.open(config, env)) {
      Principal principal = ConfiguredKms.principal(config);
      byte[] blob = kms.encrypt(principal, null, SECRET, CTX);
      assertArrayEquals(SECRET, kms.decrypt(principal, blob, CTX).plaintext());
    }
    assertTrue(Files.isRegularFile(dir.resolve("cloak-keystore")));
  }

  @Test
  void missingRootKeyNamesThePassphraseVariable() throws Exception {
    CloakConfig config = config("kms:\n  type: local\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfiguredKms.open(config, Map.of()));

    String source = dir.resolve("cloak.yaml").toString();
    assertEquals(
        source
            + ":2: no root key for keystore "
            + dir.resolve("cloak-keystore")
            + ": set kms.root-key-file to a file of 32 random bytes, or set the environment"
            + " variable CLOAK_KEYSTORE_PASSPHRASE to the keystore passphrase or"
            + " CLOAK_ROOT_KEY_FILE to a root-key file",
        e.getMessage());
    assertEquals(2, e.line());
  }

  @Test
  void keystoreErrorsAreWrappedWithTheConfigSource() throws Exception {
    Files.write(dir.resolve("short.key"), new byte[5]);
    CloakConfig config = config("kms:\n  root-key-file: short.key\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfiguredKms.open(config, Map.of()));

    String source = dir.resolve("cloak.yaml").toString();
    assertTrue(
        e.getMessage()
            .startsWith(
                source
                    + ":1: cannot open keystore "
                    + dir.resolve("cloak-keystore")
                    + ": root-key file "
                    + dir.resolve("short.key")
                    + " holds 5 bytes"),
        e.getMessage());
    assertInstanceOf(KeystoreException.class, e.getCause());
  }

  @Test
  void remoteKmsIsNotAvailableYet() throws Exception {
    CloakConfig config = config("kms:\n  type: remote\n  endpoint: https://kms.internal:8443\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfiguredKms.open(config, Map.of()));

    assertEquals(
        dir.resolve("cloak.yaml") + ":2: kms type remote is not available yet; use type: local",
        e.getMessage());
  }

  @Test
  void principalDefaultsToAppCloak() throws Exception {
    assertEquals(Principal.of("app:cloak"), ConfiguredKms.principal(config("")));
  }
}
