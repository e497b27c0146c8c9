package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Command;

/**
 * {@code cloak encrypt}: encrypts the plaintext values of a configured column in place, online, in
 * resumable batches.
 */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt the existing plaintext values of a configured column in place, while the",
      "application keeps running with allow-plaintext-reads: true.",
      "",
      "Works in batches by primary key, one transaction each, locking only the batch's rows;",
      "progress is checkpointed in cloak_column_progress so an interrupted run resumes.",
      "Ends with a scan of the column; exit 0 when no plaintext is left."
    })
public final class EncryptCommand extends RewriteCommand {
  @Override
  String operation() {
    return "encrypt";
  }

  @Override
  void prepare(CloakConfig config, TargetColumn target, DataKeys keys, PrintWriter out)
      throws SQLException {
    if (!keys.isEmpty()) {
      return;
    }
    // Let the driver create version 1 exactly as the application would.
    try (Connection cloak = db.cloak(config)) {
      int version =
          cloak
              .unwrap(CloakConnection.class)
              .rotateDataKey(target.ruleTable(), target.rule.column());
      out.println("created data key version " + version + " for " + target.binding);
    }
  }

  @Override
  Object rewrite(ColumnCipher cipher, TargetColumn target, int newest, Object raw)
      throws SQLException {
    if (raw == null || StoredValues.isCiphertext(raw)) {
      return null;
    }
    // The driver returns plaintext as String (text columns) or byte[] (binary columns) when
    // allow-plaintext-reads is on, so encrypting that same object keeps what the app reads.
    return raw instanceof byte[] b ? cipher.encrypt(b) : cipher.encryptToText(raw);
  }

  @Override
  boolean clean(ColumnStats stats, int newest) {
    return stats.plaintext == 0;
  }

  @Override
  String doneMessage(TargetColumn target, ColumnStats after, int newest) {
    return "no plaintext left in "
        + target.label()
        + " ("
        + after.encrypted
        + " encrypted, "
        + after.nulls
        + " NULL)";
  }
}
