package io.cloak.kms.local;

import io.cloak.crypto.AesGcm;
import io.cloak.crypto.Hkdf;
import io.cloak.internal.DurableFiles;
import io.cloak.kms.KeystoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The keystore file: a small header, then the keystore payload encrypted with AES-256-GCM under a
 * key derived from the root key. Layout (all integers big-endian):
 *
 * <pre>
 * magic "CLOAKKS" (7) | format 0x01 | kdf (1: 1 = scrypt passphrase, 2 = raw root key)
 * | scrypt log2(N) (1) | scrypt r (1) | scrypt p (1) | salt (16) | key check (16)
 * | nonce (12) | ciphertext | tag (16)
 * </pre>
 *
 * The header up to the key check is the GCM associated data. The key check (HKDF of the root key)
 * tells a wrong passphrase apart from a corrupt file. Writes go to a temporary file in the same
 * folder, are fsynced, then renamed over the keystore, and the folder is fsynced, so a crash leaves
 * either the old or the new file. Not thread-safe: callers hold the keystore lock.
 */
final class KeystoreFile {
  static final byte[] MAGIC = "CLOAKKS".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;
  static final int KDF_SCRYPT = 1;
  static final int KDF_RAW = 2;
  static final int DEFAULT_SCRYPT_LOG_N = 15;
  private static final int SALT_LENGTH = 16;
  private static final int CHECK_LENGTH = 16;
  static final int HEADER_LENGTH = MAGIC.length + 1 + 1 + 3 + SALT_LENGTH;
  private static final int MIN_LENGTH =
      HEADER_LENGTH + CHECK_LENGTH + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH;
  private static final byte[] ENCRYPTION_INFO =
      "cloak keystore encryption v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHECK_INFO =
      "cloak keystore key check v1".getBytes(StandardCharsets.US_ASCII);

  private final Path path;
  private final byte[] header;
  private final AesGcm cipher;
  private final byte[] keyCheck;

  private KeystoreFile(Path path, byte[] header, byte[] derivedRoot) {
    this.path = path;
    this.header = header;
    byte[] salt = Arrays.copyOfRange(header, HEADER_LENGTH - SALT_LENGTH, HEADER_LENGTH);
    try {
      byte[] encryptionKey = Hkdf.sha256(derivedRoot, salt, ENCRYPTION_INFO, 32);
      this.cipher = new AesGcm(encryptionKey);
      Arrays.fill(encryptionKey, (byte) 0);
      this.keyCheck = Hkdf.sha256(derivedRoot, salt, CHECK_INFO, CHECK_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new KeystoreException("cannot derive keystore keys: " + e.getMessage(), e);
    } finally {
      Arrays.fill(derivedRoot, (byte) 0);
    }
  }

  /** Prepares a new keystore file's header and keys; nothing is written until {@link #write}. */
  static KeystoreFile create(Path path, RootKey rootKey, int scryptLogN, SecureRandom random) {
    if (scryptLogN < 10 || scryptLogN > 22) {
      throw new KeystoreException("scrypt cost log2(N) must be between 10 and 22");
    }
    byte[] salt = new byte[SALT_LENGTH];
    random.nextBytes(salt);
    ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
    h.put(MAGIC).put((byte) FORMAT_VERSION);
    if (rootKey.isPassphrase()) {
      h.put((byte) KDF_SCRYPT).put((byte) scryptLogN).put((byte) 8).put((byte) 1);
    } else {
      h.put((byte) KDF_RAW).put((byte) 0).put((byte) 0).put((byte) 0);
    }
    h.put(salt);
    byte[] header = h.array();
    return new KeystoreFile(path, header, deriveRoot(header, rootKey));
  }

  /**
   * Opens an existing keystore file and checks the root key against it.
   *
   * @throws KeystoreException if the file is missing, not a keystore, truncated, or the root key is
   *     wrong
   */
  static KeystoreFile open(Path path, RootKey rootKey) {
    byte[] bytes = readAll(path);
    byte[] header = parseHeader(path, bytes);
    KeystoreFile file = new KeystoreFile(path, header, deriveRoot(header, rootKey));
    file.checkKey(bytes);
    return file;
  }

  /** Reads and decrypts the payload. */
  byte[] read() {
    byte[] bytes = readAll(path);
    byte[] fileHeader = parseHeader(path, bytes);
    if (!Arrays.equals(fileHeader, header)) {
      throw new KeystoreException(
          "keystore " + path + " was replaced by another keystore while open; reopen it");
    }
    checkKey(bytes);
    byte[] sealed = Arrays.copyOfRange(bytes, HEADER_LENGTH + CHECK_LENGTH, bytes.length);
    try {
      return cipher.decrypt(sealed, header);
    } catch (GeneralSecurityException e) {
      throw new KeystoreException(
          "keystore "
              + path
              + " is corrupt or truncated (the root key is right, but the contents fail"
              + " authentication); restore it from a backup",
          e);
    }
  }

  /** Encrypts {@code payload} and atomically replaces the keystore file with it. */
  void write(byte[] payload) {
    byte[] sealed;
    try {
      sealed = cipher.encrypt(payload, header);
    } catch (GeneralSecurityException e) {
      throw new KeystoreException("cannot encrypt keystore: " + e.getMessage(), e);
    }
    ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + CHECK_LENGTH + sealed.length);
    out.put(header).put(keyCheck).put(sealed);
    writeAtomically(path, out.array());
  }

  static void writeAtomically(Path target, byte[] content) {
    try {
      DurableFiles.replace(target, content);
    } catch (AtomicMoveNotSupportedException e) {
      throw new KeystoreException(
          "the file system of "
              + target.toAbsolutePath().getParent()
              + " cannot rename atomically; keep the keystore elsewhere",
          e);
    } catch (IOException e) {
      throw new KeystoreException("cannot write keystore " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes temporary files a crashed writer left beside the keystore. Caller holds the lock. */
  static void removeLeftoverTemporaryFiles(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    String prefix = DurableFiles.temporaryPrefix(target);
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // harmless: leftovers take space but are never read
    }
  }

  private void checkKey(byte[] bytes) {
    byte[] stored = Arrays.copyOfRange(bytes, HEADER_LENGTH, HEADER_LENGTH + CHECK_LENGTH);
    if (!MessageDigest.isEqual(stored, keyCheck)) {
      throw new KeystoreException(
          "wrong "
              + (header[MAGIC.length + 1] == KDF_SCRYPT ? "passphrase" : "root key")
              + " for keystore "
              + path
              + " (check "
              + RootKey.PASSPHRASE_ENV
              + " or "
              + RootKey.ROOT_KEY_FILE_ENV
              + ")");
    }
  }

  private static byte[] readAll(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new KeystoreException(
          "no keystore at " + path + "; create one with `cloak kms init --keystore " + path + "`",
          e);
    } catch (IOException e) {
      throw new KeystoreException("cannot read keystore " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] parseHeader(Path path, byte[] bytes) {
    if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new KeystoreException(
          path + " is not a Cloak keystore (its first bytes are not the keystore magic)");
    }
    if (bytes.length < MIN_LENGTH) {
      throw new KeystoreException(
          "keystore "
              + path
              + " is truncated ("
              + bytes.length
              + " bytes, at least "
              + MIN_LENGTH
              + " expected); restore it from a backup");
    }
    int format = bytes[MAGIC.length] & 0xff;
    if (format != FORMAT_VERSION) {
      throw new KeystoreException(
          "keystore " + path + " has format version " + format + "; this Cloak reads version 1");
    }
    int kdf = bytes[MAGIC.length + 1];
    if (kdf != KDF_SCRYPT && kdf != KDF_RAW) {
      throw new KeystoreException("keystore " + path + " names an unknown key derivation " + kdf);
    }
    return Arrays.copyOf(bytes, HEADER_LENGTH);
  }

  private static byte[] deriveRoot(byte[] header, RootKey rootKey) {
    int kdf = header[MAGIC.length + 1];
    byte[] salt = Arrays.copyOfRange(header, HEADER_LENGTH - SALT_LENGTH, HEADER_LENGTH);
    if (kdf == KDF_SCRYPT) {
      if (!rootKey.isPassphrase()) {
        throw new KeystoreException(
            "this keystore is protected by a passphrase (" + RootKey.PASSPHRASE_ENV + ")");
      }
      int logN = header[MAGIC.length + 2] & 0xff;
      int r = header[MAGIC.length + 3] & 0xff;
      int p = header[MAGIC.length + 4] & 0xff;
      if (logN < 10 || logN > 22 || r < 1 || p < 1) {
        throw new KeystoreException("keystore header holds invalid scrypt parameters");
      }
      byte[] pass = new String(rootKey.passphrase()).getBytes(StandardCharsets.UTF_8);
      try {
        return SCrypt.generate(pass, salt, 1 << logN, r, p, 32);
      } finally {
        Arrays.fill(pass, (byte) 0);
      }
    }
    if (rootKey.isPassphrase()) {
      throw new KeystoreException(
          "this keystore is protected by a root-key file (" + RootKey.ROOT_KEY_FILE_ENV + ")");
    }
    return rootKey.rawKey().clone();
  }
}
