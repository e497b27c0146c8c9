package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.jdbc.CloakConnection;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cloak reencrypt}: moves every value of a column to its newest data-key version, online, in
 * resumable batches.
 */
@Command(
    name = "reencrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Re-encrypt every value of a configured column under its newest data-key version",
      "(add one first with --rotate-key), online, in resumable batches by primary key.",
      "Reports the values per data-key version before and after."
    })
public final class ReencryptCommand extends RewriteCommand {
  @Option(
      names = "--rotate-key",
      description = "Add a new data-key version first (CloakConnection.rotateDataKey).")
  boolean rotateKey;

  @Option(
      names = "--accept-equality-gap",
      description = {
        "With --rotate-key on a deterministic column: rotate although, until this run ends,",
        "equality, joins, GROUP BY, DISTINCT and unique indexes miss or split values that are",
        "still under the old version. Stop the applications that search the column first."
      })
  boolean acceptEqualityGap;

  private long plaintextSeen;

  @Override
  String operation() {
    return "reencrypt";
  }

  @Override
  void prepare(CloakConfig config, TargetColumn target, DataKeys keys, PrintWriter out)
      throws SQLException {
    if (!rotateKey) {
      return;
    }
    try (Connection cloak = db.cloak(config)) {
      CloakConnection cc = cloak.unwrap(CloakConnection.class);
      int version =
          acceptEqualityGap
              ? cc.rotateDataKeyWithEqualityGap(target.ruleTable(), target.rule.column())
              : cc.rotateDataKey(target.ruleTable(), target.rule.column());
      out.println("created data key version " + version + " for " + target.binding);
    }
    if (!keys.isEmpty()) {
      out.println(
          "note: other running applications switch to the new version when their data-key cache"
              + " max-age passes; values they write before that use the old version (run"
              + " reencrypt again afterwards)");
    }
  }

  @Override
  Object rewrite(ColumnCipher cipher, TargetColumn target, int newest, Object raw)
      throws SQLException {
    if (raw == null) {
      return null;
    }
    if (!StoredValues.isCiphertext(raw)) {
      plaintextSeen++;
      return null;
    }
    if (StoredValues.version(raw) == newest) {
      return null;
    }
    if (raw instanceof byte[] b) {
      return cipher.encrypt(cipher.decrypt(b));
    }
    return cipher.encryptToText(cipher.decryptText((String) raw));
  }

  @Override
  boolean clean(ColumnStats stats, int newest) {
    return stats.notAtVersion(newest) == 0;
  }

  @Override
  String doneMessage(TargetColumn target, ColumnStats after, int newest) {
    String message =
        "every encrypted value of " + target.label() + " uses data-key version " + newest;
    if (after.plaintext > 0 || plaintextSeen > 0) {
      message +=
          "; "
              + after.plaintext
              + " plaintext value(s) left as they are: run cloak encrypt for them";
    }
    return message;
  }
}
