package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cloak verify}: reports, per configured column, what the database really stores. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Scan every configured column with a plain connection and report its rows, encrypted",
      "values (per data-key version), NULLs and values that are not Cloak ciphertext.",
      "Exit 1 when any plaintext is found, else 0."
    })
public final class VerifyCommand extends ColumnCommand {
  @Option(names = "--table", paramLabel = "TABLE", description = "Only this table.")
  String table;

  @Option(names = "--column", paramLabel = "COLUMN", description = "Only this column.")
  String column;

  @Override
  int run(PrintWriter out) throws SQLException {
    CloakConfig config = db.loadConfig();
    long plaintextColumns = 0;
    int scanned = 0;
    try (Connection plain = db.plain()) {
      for (ColumnRule rule : config.columns()) {
        if (!matches(rule)) {
          continue;
        }
        TargetColumn target = TargetColumn.resolve(plain, rule);
        if (target == null) {
          out.println(rule.qualifiedName() + ": table does not exist (skipped)");
          continue;
        }
        ColumnStats stats = ColumnStats.scan(plain, target);
        scanned++;
        out.println(
            rule.qualifiedName()
                + ": "
                + stats
                + (stats.plaintext > 0 ? "  <-- PLAINTEXT (run cloak encrypt)" : ""));
        if (stats.plaintext > 0) {
          plaintextColumns++;
        }
      }
    }
    if (scanned == 0 && (table != null || column != null)) {
      throw new ColumnOpException("no configured column matches --table/--column");
    }
    if (plaintextColumns > 0) {
      out.println("plaintext found in " + plaintextColumns + " column(s)");
      return 1;
    }
    out.println("no plaintext in " + scanned + " column(s)");
    return 0;
  }

  private boolean matches(ColumnRule rule) {
    if (column != null && !rule.column().equalsIgnoreCase(column)) {
      return false;
    }
    if (table == null) {
      return true;
    }
    String qualified = rule.schema() == null ? rule.table() : rule.schema() + "." + rule.table();
    return rule.table().equalsIgnoreCase(table) || qualified.equalsIgnoreCase(table);
  }
}
