package io.cloak.cli;

import io.cloak.kms.local.LocalKms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Alias commands: friendly names ({@code alias/NAME}) for keys. */
final class AliasCommands {
  private static final String ALIAS_DESCRIPTION = "Alias name, alias/NAME.";

  private AliasCommands() {}

  /** {@code cloak kms create-alias}. */
  @Command(
      name = "create-alias",
      mixinStandardHelpOptions = true,
      description = "Create an alias pointing at a key.")
  static final class CreateAlias extends KmsSubcommand {
    @Parameters(index = "0", paramLabel = "ALIAS", description = ALIAS_DESCRIPTION)
    String alias;

    @Parameters(index = "1", paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        kms.createAlias(principal(), alias, key);
        out().println("Created alias " + alias + " for key " + key);
      }
    }
  }

  /** {@code cloak kms update-alias}. */
  @Command(
      name = "update-alias",
      mixinStandardHelpOptions = true,
      description = {
        "Point an existing alias at another key.",
        "Ciphertexts made through the alias still decrypt: they name the key itself."
      })
  static final class UpdateAlias extends KmsSubcommand {
    @Parameters(index = "0", paramLabel = "ALIAS", description = ALIAS_DESCRIPTION)
    String alias;

    @Parameters(index = "1", paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        kms.updateAlias(principal(), alias, key);
        out().println("Alias " + alias + " now points at key " + key);
      }
    }
  }

  /** {@code cloak kms delete-alias}. */
  @Command(
      name = "delete-alias",
      mixinStandardHelpOptions = true,
      description = "Delete an alias; the key it pointed at is unaffected.")
  static final class DeleteAlias extends KmsSubcommand {
    @Parameters(paramLabel = "ALIAS", description = ALIAS_DESCRIPTION)
    String alias;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        kms.deleteAlias(principal(), alias);
        out().println("Deleted alias " + alias);
      }
    }
  }
}
