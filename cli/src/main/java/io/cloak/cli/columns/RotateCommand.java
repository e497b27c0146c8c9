package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cloak rotate}: rewraps the stored data keys under the newest version of their master key,
 * or under another master key, without touching column data.
 */
@Command(
    name = "rotate",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrap every data key in cloak_data_keys under the newest version of its master key",
      "(KMS ReEncrypt: the data key never leaves the KMS in plaintext), or under another master",
      "key with --to-key. Column values are not touched. One transaction per key row; the KMS",
      "audits each ReEncrypt."
    })
public final class RotateCommand extends ColumnCommand {
  @Option(
      names = "--to-key",
      paramLabel = "KEY",
      description = "Move the data keys to this master key (key id or alias/...).")
  String toKey;

  @Option(
      names = "--binding",
      paramLabel = "BINDING",
      description = "Only these bindings (table.column or group:NAME); repeatable.")
  List<String> bindings;

  private record Row(String binding, int version, String masterKey, String wrapped) {}

  @Override
  int run(PrintWriter out) throws SQLException {
    CloakConfig config = db.loadConfig();
    Principal principal = ConfiguredKms.principal(config);
    try (KeyManagementService kms = ConfiguredKms.open(config);
        Connection plain = db.plain()) {
      if (!DataKeys.tableExists(plain)) {
        throw new ColumnOpException(
            "no " + DataKeys.TABLE + " table in this database: there are no data keys to rotate");
      }
      if (toKey != null) {
        kms.describeKey(principal, toKey); // fails early, naming the key, if it is unusable
      }
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement ps =
              plain.prepareStatement(
                  "SELECT binding, version, master_key, wrapped_key FROM "
                      + DataKeys.TABLE
                      + " ORDER BY binding, version");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4)));
        }
      }
      int rewrapped = 0;
      int skipped = 0;
      Set<String> touched = new TreeSet<>();
      for (Row row : rows) {
        if (bindings != null && !bindings.contains(row.binding())) {
          continue;
        }
        String destination = toKey != null ? toKey : row.masterKey();
        byte[] blob = Base64.getDecoder().decode(row.wrapped());
        var context = DataKeys.context(row.binding(), row.version());
        byte[] rewrappedBlob = kms.reEncrypt(principal, blob, context, destination, context);
        try (PreparedStatement ps =
            plain.prepareStatement(
                "UPDATE "
                    + DataKeys.TABLE
                    + " SET wrapped_key = ?, master_key = ?"
                    + " WHERE binding = ? AND version = ? AND wrapped_key = ?")) {
          ps.setString(1, Base64.getEncoder().encodeToString(rewrappedBlob));
          ps.setString(2, destination);
          ps.setString(3, row.binding());
          ps.setInt(4, row.version());
          ps.setString(5, row.wrapped());
          if (ps.executeUpdate() == 1) {
            rewrapped++;
            touched.add(row.binding());
            out.println(row.binding() + " v" + row.version() + ": rewrapped under " + destination);
          } else {
            skipped++;
            out.println(row.binding() + " v" + row.version() + ": changed concurrently, skipped");
          }
        }
      }
      out.println(
          "rewrapped "
              + rewrapped
              + " data key(s)"
              + (skipped > 0 ? ", " + skipped + " skipped (changed concurrently; run again)" : ""));
      if (toKey != null && rewrapped > 0) {
        out.println(
            "now set 'key: "
                + toKey
                + "' for the columns of "
                + String.join(", ", touched)
                + " in "
                + config.source()
                + ": until then the driver creates new data-key versions under the old key");
      }
      return skipped > 0 ? 1 : 0;
    }
  }
}
