package io.cloak.config;

import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KeystoreException;
import io.cloak.kms.Principal;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.nio.file.Path;
import java.util.Map;

/** Opens the KMS a config names. Stateless and thread-safe. */
public final class ConfiguredKms {
  private ConfiguredKms() {}

  /**
   * Opens the KMS of {@code config}. For {@code type: local}: the keystore at {@code kms.keystore},
   * created when absent, protected by {@code kms.root-key-file} if set, else by the root key the
   * environment names ({@value RootKey#ROOT_KEY_FILE_ENV} or {@value RootKey#PASSPHRASE_ENV}). The
   * caller owns and must close the result.
   *
   * @throws ConfigException for {@code type: remote} (not available yet), when no root key is
   *     configured, or when the keystore cannot be opened or created (the {@link KeystoreException}
   *     is the cause and its message is kept, prefixed with the config source)
   */
  public static KeyManagementService open(CloakConfig config) {
    return open(config, System.getenv());
  }

  static KeyManagementService open(CloakConfig config, Map<String, String> env) {
    KmsSettings kms = config.kms();
    if (!kms.isLocal()) {
      throw new ConfigException(
          config.source(),
          kms.line(),
          "kms type " + kms.type() + " is not available yet; use type: local");
    }
    RootKey rootKey = null;
    try {
      rootKey = rootKey(config, env);
      return LocalKms.builder().keystore(kms.keystore()).rootKey(rootKey).openOrCreate();
    } catch (KeystoreException e) {
      throw new ConfigException(
          config.source(),
          kms.line(),
          "cannot open keystore " + kms.keystore() + ": " + e.getMessage(),
          e);
    } finally {
      if (rootKey != null) {
        rootKey.destroy(); // the keystore has derived what it needs
      }
    }
  }

  /**
   * The principal Cloak acts as toward the KMS ({@code kms.principal}, default {@value
   * KmsSettings#DEFAULT_PRINCIPAL}).
   *
   * @throws io.cloak.kms.KmsValidationException if the name is not a valid principal (never for a
   *     parsed config, which checks it)
   */
  public static Principal principal(CloakConfig config) {
    return Principal.of(config.kms().principal());
  }

  /** Mirrors {@link RootKey#fromEnvironment()} but over {@code env}, so tests need no real env. */
  private static RootKey rootKey(CloakConfig config, Map<String, String> env) {
    KmsSettings kms = config.kms();
    if (kms.rootKeyFile() != null) {
      return RootKey.fromFile(kms.rootKeyFile());
    }
    String file = env.get(RootKey.ROOT_KEY_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return RootKey.fromFile(Path.of(file));
    }
    String passphrase = env.get(RootKey.PASSPHRASE_ENV);
    if (passphrase != null && !passphrase.isEmpty()) {
      return RootKey.fromPassphrase(passphrase.toCharArray());
    }
    throw new ConfigException(
        config.source(),
        kms.line(),
        "no root key for keystore "
            + kms.keystore()
            + ": set kms.root-key-file to a file of 32 random bytes, or set the environment"
            + " variable "
            + RootKey.PASSPHRASE_ENV
            + " to the keystore passphrase or "
            + RootKey.ROOT_KEY_FILE_ENV
            + " to a root-key file");
  }
}
