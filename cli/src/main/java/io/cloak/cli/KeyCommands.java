package io.cloak.cli;

import io.cloak.kms.AliasEntry;
import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.KmsException;
import io.cloak.kms.Principal;
import io.cloak.kms.local.LocalKms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Keystore creation and master-key lifecycle commands. */
final class KeyCommands {
  static final String KEY_DESCRIPTION = "Key id, alias/NAME or provided:NAME.";

  private KeyCommands() {}

  /** {@code cloak kms init}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a new, empty keystore protected by the root key from the environment"
            + " (CLOAK_KEYSTORE_PASSPHRASE or CLOAK_ROOT_KEY_FILE).",
        "Refuses to overwrite an existing keystore."
      })
  static final class Init extends KmsSubcommand {
    @Override
    void execute() {
      try (LocalKms kms = create()) {
        out().println("Created keystore " + kms.keystorePath().toAbsolutePath());
        out().println("Audit log        " + kms.auditLogPath().toAbsolutePath());
      }
    }
  }

  /** {@code cloak kms create-key}. */
  @Command(
      name = "create-key",
      mixinStandardHelpOptions = true,
      description = "Create a master key (generated, or imported from a file of 32 raw bytes).")
  static final class CreateKey extends KmsSubcommand {
    @Option(names = "--description", paramLabel = "TEXT", description = "Free-text description.")
    String description;

    @Option(names = "--alias", paramLabel = "ALIAS", description = "Also create alias/NAME for it.")
    String alias;

    @Option(
        names = "--import",
        paramLabel = "FILE",
        description = "Import key material: FILE holds exactly 32 raw bytes (AES-256).")
    Path importFile;

    @Override
    void execute() throws IOException {
      CreateKeyRequest request;
      if (importFile != null) {
        byte[] material = readKeyMaterial(importFile);
        try {
          request = CreateKeyRequest.imported(description, material);
        } finally {
          Arrays.fill(material, (byte) 0);
        }
      } else {
        request = CreateKeyRequest.generated(description);
      }
      Principal caller = principal();
      try (LocalKms kms = open()) {
        if (alias != null) {
          for (AliasEntry a : kms.listAliases(caller)) {
            if (a.alias().equals(alias)) {
              throw new CliException(
                  alias
                      + " already points at key "
                      + a.keyId()
                      + "; choose another alias or repoint it with update-alias");
            }
          }
        }
        KeyMetadata key = kms.createKey(caller, request);
        List<String> aliases = List.of();
        if (alias != null) {
          try {
            kms.createAlias(caller, alias, key.keyId());
          } catch (KmsException e) {
            throw new CliException(
                "created key " + key.keyId() + " but not alias " + alias + ": " + e.getMessage(),
                e);
          }
          aliases = List.of(alias);
        }
        Format.describe(out(), key, aliases);
      }
    }

    private static byte[] readKeyMaterial(Path file) throws IOException {
      long size;
      try {
        size = Files.size(file);
      } catch (NoSuchFileException e) {
        throw new CliException("cannot read key material: no file " + file, e);
      }
      if (size != CreateKeyRequest.KEY_MATERIAL_LENGTH) {
        throw new CliException(
            "key material file "
                + file
                + " holds "
                + size
                + " bytes; it must hold exactly "
                + CreateKeyRequest.KEY_MATERIAL_LENGTH
                + " raw bytes (AES-256), not hex or base64");
      }
      return Files.readAllBytes(file);
    }
  }

  /** {@code cloak kms list-keys}. */
  @Command(
      name = "list-keys",
      mixinStandardHelpOptions = true,
      description = "List every key in the keystore with its state, rotation and aliases.")
  static final class ListKeys extends KmsSubcommand {
    @Override
    void execute() {
      Principal caller = principal();
      try (LocalKms kms = open()) {
        List<KeyMetadata> keys = new ArrayList<>(kms.listKeys(caller));
        if (keys.isEmpty()) {
          out().println("No keys in " + keystore() + "; create one with `cloak kms create-key`");
          return;
        }
        Map<String, List<String>> aliases = Format.aliasesByKey(kms.listAliases(caller));
        keys.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        List<List<String>> rows = new ArrayList<>();
        for (KeyMetadata k : keys) {
          rows.add(
              List.of(
                  k.keyId(),
                  k.state().name(),
                  k.origin().name(),
                  String.valueOf(k.currentVersion()),
                  Format.rotation(k),
                  String.join(",", aliases.getOrDefault(k.keyId(), List.of("-"))),
                  Format.text(k.description())));
        }
        Format.table(
            out(),
            List.of("KEY ID", "STATE", "ORIGIN", "VERSION", "ROTATION", "ALIASES", "DESCRIPTION"),
            rows);
      }
    }
  }

  /** {@code cloak kms describe-key}. */
  @Command(
      name = "describe-key",
      mixinStandardHelpOptions = true,
      description = "Show one key's metadata (never its material).")
  static final class DescribeKey extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      Principal caller = principal();
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.describeKey(caller, key);
        List<String> aliases =
            Format.aliasesByKey(kms.listAliases(caller)).getOrDefault(m.keyId(), List.of());
        Format.describe(out(), m, aliases);
      }
    }
  }

  /** {@code cloak kms enable}. */
  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled key.")
  static final class Enable extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        kms.enableKey(principal(), key);
        out().println("Enabled key " + key);
      }
    }
  }

  /** {@code cloak kms disable}. */
  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disable a key: it refuses encryption and decryption until enabled again.")
  static final class Disable extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        kms.disableKey(principal(), key);
        out().println("Disabled key " + key);
      }
    }
  }

  /** {@code cloak kms schedule-deletion}. */
  @Command(
      name = "schedule-deletion",
      mixinStandardHelpOptions = true,
      description =
          "Make a key refuse every use and destroy it after a waiting period, unless cancelled.")
  static final class ScheduleDeletion extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KEY_DESCRIPTION)
    String key;

    @Option(
        names = "--days",
        paramLabel = "N",
        defaultValue = "30",
        description = "Waiting period, 7 to 30 days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.scheduleKeyDeletion(principal(), key, days);
        out()
            .println(
                "Key "
                    + m.keyId()
                    + " is pending deletion and will be destroyed at "
                    + Format.instant(m.deletionDate()));
        out().println("Cancel with: cloak kms cancel-deletion " + m.keyId());
      }
    }
  }

  /** {@code cloak kms cancel-deletion}. */
  @Command(
      name = "cancel-deletion",
      mixinStandardHelpOptions = true,
      description = "Cancel a scheduled deletion; the key returns to its previous state.")
  static final class CancelDeletion extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.cancelKeyDeletion(principal(), key);
        out().println("Cancelled deletion of key " + m.keyId() + "; it is " + m.state());
      }
    }
  }
}
