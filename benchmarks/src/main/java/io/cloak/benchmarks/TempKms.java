package io.cloak.benchmarks;

import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.Principal;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A {@link LocalKms} on a fresh keystore and audit log in a temporary folder, with one generated
 * master key; {@link #close()} closes the KMS and deletes the folder. Shared by the KMS and cache
 * benchmarks.
 */
final class TempKms implements AutoCloseable {
  static final Principal PRINCIPAL = Principal.of("app:benchmark");

  final Path dir;
  final LocalKms kms;
  final String keyId;

  TempKms() throws IOException {
    dir = Files.createTempDirectory("cloak-bench-");
    byte[] root = new byte[32];
    new SecureRandom().nextBytes(root);
    kms =
        LocalKms.builder()
            .keystore(dir.resolve("keystore"))
            .rootKey(RootKey.fromBytes(root))
            .auditLog(dir.resolve("audit.log"))
            .create();
    keyId = kms.createKey(PRINCIPAL, CreateKeyRequest.generated("benchmark key")).keyId();
  }

  /** Size of the audit log so far, in bytes. */
  long auditLogBytes() throws IOException {
    return Files.size(kms.auditLogPath());
  }

  @Override
  public void close() throws IOException {
    try {
      kms.close();
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
