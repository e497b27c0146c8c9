package io.cloak.cli;

import io.cloak.kms.KeyMetadata;
import io.cloak.kms.RotationEntry;
import io.cloak.kms.local.LocalKms;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Key rotation commands. */
final class RotationCommands {
  private RotationCommands() {}

  /** {@code cloak kms enable-rotation}. */
  @Command(
      name = "enable-rotation",
      mixinStandardHelpOptions = true,
      description = "Rotate a key automatically every N days.")
  static final class EnableRotation extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Option(
        names = "--days",
        paramLabel = "N",
        required = true,
        description = "Rotation period, 90 to 2560 days.")
    int days;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.enableKeyRotation(principal(), key, days);
        out()
            .println(
                "Key "
                    + m.keyId()
                    + " rotates every "
                    + m.rotationPeriodDays()
                    + " days; next rotation at "
                    + Format.instant(m.nextRotationAt()));
      }
    }
  }

  /** {@code cloak kms disable-rotation}. */
  @Command(
      name = "disable-rotation",
      mixinStandardHelpOptions = true,
      description = "Turn off automatic rotation of a key.")
  static final class DisableRotation extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.disableKeyRotation(principal(), key);
        out().println("Automatic rotation of key " + m.keyId() + " is off");
      }
    }
  }

  /** {@code cloak kms rotate}. */
  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = "Add a new backing version to a key now; older versions keep decrypting.")
  static final class Rotate extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        KeyMetadata m = kms.rotateKeyOnDemand(principal(), key);
        out().println("Rotated key " + m.keyId() + "; current version " + m.currentVersion());
      }
    }
  }

  /** {@code cloak kms list-rotations}. */
  @Command(
      name = "list-rotations",
      mixinStandardHelpOptions = true,
      description = "List a key's rotations: the versions added after the first.")
  static final class ListRotations extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        List<RotationEntry> rotations = kms.listKeyRotations(principal(), key);
        if (rotations.isEmpty()) {
          out().println("Key " + key + " has not been rotated");
          return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (RotationEntry r : rotations) {
          rows.add(
              List.of(
                  r.keyId(),
                  String.valueOf(r.version()),
                  Format.instant(r.rotatedAt()),
                  r.kind().name()));
        }
        Format.table(out(), List.of("KEY ID", "VERSION", "ROTATED AT", "KIND"), rows);
      }
    }
  }
}
