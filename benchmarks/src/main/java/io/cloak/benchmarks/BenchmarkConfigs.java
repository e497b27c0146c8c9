package io.cloak.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/** The cloak.yaml files the benchmarks write: a local KMS on a random root-key file. */
final class BenchmarkConfigs {
  /** The encrypted columns of the benchmarks' {@code bench} table: one deterministic, two not. */
  static final String BENCH_COLUMNS =
      "columns:\n"
          + "  - {table: bench, column: email, mode: deterministic}\n"
          + "  - {table: bench, column: ssn}\n"
          + "  - {table: bench, column: note}\n";

  private BenchmarkConfigs() {}

  /**
   * Writes {@code dir/name}: a local KMS (keystore {@code ./keystore}, root key {@code ./root.key},
   * created with 32 random bytes unless it exists) followed by {@code body}.
   */
  static Path write(Path dir, String name, String body) throws IOException {
    Files.createDirectories(dir);
    Path rootKey = dir.resolve("root.key");
    if (!Files.exists(rootKey)) {
      byte[] root = new byte[32];
      new SecureRandom().nextBytes(root);
      Files.write(rootKey, root);
    }
    Path config = dir.resolve(name);
    Files.writeString(
        config, "kms: {type: local, keystore: ./keystore, root-key-file: ./root.key}\n" + body);
    return config;
  }
}
