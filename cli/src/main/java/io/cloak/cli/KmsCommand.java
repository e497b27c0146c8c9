package io.cloak.cli;

import picocli.CommandLine.Command;

/** {@code cloak kms}: the local key management service and its keystore. */
@Command(
    name = "kms",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the local KMS: a keystore of master keys, their aliases, policies and audit log.",
      "",
      "The keystore is protected by CLOAK_KEYSTORE_PASSPHRASE, or by CLOAK_ROOT_KEY_FILE naming a"
          + " file of 32 random bytes."
    },
    subcommands = {
      KeyCommands.Init.class,
      KeyCommands.CreateKey.class,
      KeyCommands.ListKeys.class,
      KeyCommands.DescribeKey.class,
      AliasCommands.CreateAlias.class,
      AliasCommands.UpdateAlias.class,
      AliasCommands.DeleteAlias.class,
      KeyCommands.Enable.class,
      KeyCommands.Disable.class,
      KeyCommands.ScheduleDeletion.class,
      KeyCommands.CancelDeletion.class,
      RotationCommands.EnableRotation.class,
      RotationCommands.DisableRotation.class,
      RotationCommands.Rotate.class,
      RotationCommands.ListRotations.class,
      CryptoCommands.Encrypt.class,
      CryptoCommands.Decrypt.class,
      CryptoCommands.GenerateDataKey.class,
      PolicyCommands.PutPolicy.class,
      PolicyCommands.GetPolicy.class,
      AuditCommands.class
    })
public final class KmsCommand {}
