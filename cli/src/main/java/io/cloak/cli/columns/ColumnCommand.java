package io.cloak.cli.columns;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import io.cloak.config.ConfigException;
import io.cloak.kms.KmsException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the column commands: connection options, and failures (SQL, KMS, config) reported as one
 * {@code cloak: <message>} line on standard error with exit code 1.
 */
abstract class ColumnCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConnectionOptions db;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      return run(out);
    } catch (SQLException
        | ColumnOpException
        | ConfigException
        | KmsException
        | IllegalStateException e) {
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      if ("1".equals(System.getenv("CLOAK_DEBUG"))) {
        e.printStackTrace(err);
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println("cloak: " + message.strip().replaceAll("\\s*\\R\\s*", " "));
      err.flush();
      return 1;
    } finally {
      out.flush();
    }
  }

  /** Runs the command; returns the exit code. */
  abstract int run(PrintWriter out) throws SQLException;

  /** The rule of {@code table.column} in {@code config}, or a failure naming the config. */
  static ColumnRule rule(CloakConfig config, String table, String column) {
    return config
        .column(null, table, column)
        .orElseThrow(
            () ->
                new ColumnOpException(
                    table
                        + "."
                        + column
                        + " is not an encrypted column in "
                        + config.source()
                        + "; add it under columns: first"));
  }
}
