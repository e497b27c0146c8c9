package io.cloak.kms.local;

import io.cloak.kms.KeystoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.security.auth.Destroyable;

/**
 * The secret that protects a keystore: a passphrase (stretched with scrypt) or 32 random bytes read
 * from a root-key file. {@link #toString()} never shows it. Not thread-safe with {@link
 * #destroy()}.
 */
public final class RootKey implements Destroyable {
  /** Environment variable holding the keystore passphrase. */
  public static final String PASSPHRASE_ENV = "CLOAK_KEYSTORE_PASSPHRASE";

  /** Environment variable naming a file of exactly 32 random bytes used as the root key. */
  public static final String ROOT_KEY_FILE_ENV = "CLOAK_ROOT_KEY_FILE";

  private final char[] passphrase;
  private final byte[] rawKey;
  private final String origin;

  private RootKey(char[] passphrase, byte[] rawKey, String origin) {
    this.passphrase = passphrase;
    this.rawKey = rawKey;
    this.origin = origin;
  }

  /**
   * A root key stretched from a passphrase with scrypt.
   *
   * @throws KeystoreException if the passphrase is empty
   */
  public static RootKey fromPassphrase(char[] passphrase) {
    if (passphrase == null || passphrase.length == 0) {
      throw new KeystoreException("the keystore passphrase is empty; set " + PASSPHRASE_ENV);
    }
    return new RootKey(passphrase.clone(), null, "passphrase");
  }

  /**
   * A root key read from a file that holds exactly 32 bytes.
   *
   * @throws KeystoreException if the file cannot be read or has another length
   */
  public static RootKey fromFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeystoreException("cannot read root-key file " + file + ": " + e.getMessage(), e);
    }
    if (bytes.length != 32) {
      Arrays.fill(bytes, (byte) 0);
      throw new KeystoreException(
          "root-key file "
              + file
              + " holds "
              + bytes.length
              + " bytes; it must hold exactly 32 random bytes (e.g. head -c 32 /dev/urandom)");
    }
    return new RootKey(null, bytes, "root-key file " + file);
  }

  /** A root key from raw bytes (embedding and tests). */
  public static RootKey fromBytes(byte[] key) {
    if (key == null || key.length != 32) {
      throw new KeystoreException("a raw root key must be exactly 32 bytes");
    }
    return new RootKey(null, key.clone(), "raw key");
  }

  /**
   * The root key named by the environment: {@value #ROOT_KEY_FILE_ENV} if set, else {@value
   * #PASSPHRASE_ENV}.
   *
   * @throws KeystoreException if neither is set
   */
  public static RootKey fromEnvironment() {
    return fromVariables(System.getenv());
  }

  static RootKey fromVariables(Map<String, String> env) {
    String file = env.get(ROOT_KEY_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file));
    }
    String passphrase = env.get(PASSPHRASE_ENV);
    if (passphrase != null && !passphrase.isEmpty()) {
      return fromPassphrase(passphrase.toCharArray());
    }
    throw new KeystoreException(
        "no root key for the keystore: set "
            + PASSPHRASE_ENV
            + " to its passphrase or "
            + ROOT_KEY_FILE_ENV
            + " to a file of 32 random bytes");
  }

  boolean isPassphrase() {
    return passphrase != null;
  }

  char[] passphrase() {
    return passphrase;
  }

  byte[] rawKey() {
    return rawKey;
  }

  @Override
  public void destroy() {
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
    }
    if (rawKey != null) {
      Arrays.fill(rawKey, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "RootKey[" + origin + "]";
  }
}
