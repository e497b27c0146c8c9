package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import io.cloak.config.ConfiguredKms;
import io.cloak.jdbc.internal.codec.ColumnCipher;
import io.cloak.kms.KeyManagementService;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import picocli.CommandLine.Option;

/**
 * Shared run of {@code encrypt} and {@code reencrypt}: resolve the column, load its data keys, then
 * rewrite it in checkpointed batches ({@link ColumnRewriter}) until a final scan finds nothing left
 * to do.
 */
abstract class RewriteCommand extends ColumnCommand {
  private static final int MAX_PASSES = 3;

  @Option(names = "--table", required = true, paramLabel = "TABLE", description = "The table.")
  String table;

  @Option(
      names = "--column",
      required = true,
      paramLabel = "COLUMN",
      description = "The encrypted column (as named in the config).")
  String column;

  @Option(
      names = "--batch",
      defaultValue = "500",
      paramLabel = "ROWS",
      description = "Rows per batch, each one transaction (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--max-batches",
      paramLabel = "N",
      description =
          "Stop after N batches, leaving the checkpoint so that a later run resumes (for"
              + " spreading the work over maintenance windows).")
  Long maxBatches;

  /** The {@code operation} recorded in the progress table. */
  abstract String operation();

  /** Work before the scan, e.g. creating or rotating the data key; keys are reloaded after. */
  abstract void prepare(CloakConfig config, TargetColumn target, DataKeys keys, PrintWriter out)
      throws SQLException;

  /** The new raw value of a row, or null to keep it. */
  abstract Object rewrite(ColumnCipher cipher, TargetColumn target, int newest, Object raw)
      throws SQLException;

  /** Whether nothing is left to do. */
  abstract boolean clean(ColumnStats stats, int newest);

  /** The closing line of a successful run. */
  abstract String doneMessage(TargetColumn target, ColumnStats after, int newest);

  @Override
  final int run(PrintWriter out) throws SQLException {
    if (batch < 1) {
      throw new ColumnOpException("--batch must be at least 1");
    }
    if (maxBatches != null && maxBatches < 1) {
      throw new ColumnOpException("--max-batches must be at least 1");
    }
    CloakConfig config = db.loadConfig();
    ColumnRule rule = rule(config, table, column);
    try (KeyManagementService kms = ConfiguredKms.open(config);
        Connection plain = db.plain()) {
      TargetColumn target = TargetColumn.resolve(plain, rule);
      if (target == null) {
        throw new ColumnOpException("table " + rule.table() + " does not exist");
      }
      target.requirePrimaryKey();
      DataKeys keys = new DataKeys(kms, ConfiguredKms.principal(config), target.binding);
      keys.load(plain);
      prepare(config, target, keys, out);
      keys.load(plain);
      int newest = keys.newest();
      ColumnCipher cipher =
          new ColumnCipher(target.ruleTable(), rule.column(), target.binding, rule.mode(), keys);

      ColumnStats before = ColumnStats.scan(plain, target);
      out.println(target.label() + " before: " + before);
      ProgressTable.ensure(plain);
      ProgressTable progress = new ProgressTable(target, operation());
      ProgressTable.Progress checkpoint = progress.read(plain);
      if (clean(before, newest)) {
        progress.save(plain, checkpoint == null ? null : checkpoint.lastKey(), true);
        out.println("nothing to do: " + doneMessage(target, before, newest));
        return 0;
      }
      String start = checkpoint == null || checkpoint.done() ? null : checkpoint.lastKey();
      if (start != null) {
        out.println("resuming after " + target.pkColumn + " = " + start);
      }
      ColumnRewriter rewriter = new ColumnRewriter(plain, target, progress, batch);
      long budget = maxBatches == null ? Long.MAX_VALUE : maxBatches;
      ColumnStats after = before;
      for (int pass = 1; pass <= MAX_PASSES; pass++) {
        ColumnRewriter.Outcome outcome =
            rewriter.pass(start, budget, raw -> rewrite(cipher, target, newest, raw));
        budget -= outcome.batches();
        out.println(
            "pass "
                + pass
                + ": "
                + outcome.rows()
                + " rows in "
                + outcome.batches()
                + " batches, "
                + outcome.rewritten()
                + " rewritten");
        if (!outcome.finished()) {
          out.println(
              "stopped after --max-batches at "
                  + target.pkColumn
                  + " = "
                  + outcome.lastKey()
                  + "; run the same command again to resume");
          return 0;
        }
        after = ColumnStats.scan(plain, target);
        if (clean(after, newest)) {
          break;
        }
        // rows before the checkpoint changed behind us (e.g. written by a path without Cloak)
        start = null;
      }
      out.println(target.label() + " after: " + after);
      if (!clean(after, newest)) {
        throw new ColumnOpException(
            target.label()
                + " still needs work after "
                + MAX_PASSES
                + " passes (something keeps writing values Cloak did not encrypt); run again");
      }
      progress.save(plain, null, true);
      out.println(doneMessage(target, after, newest));
      return 0;
    }
  }
}
