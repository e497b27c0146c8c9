package io.cloak.cli.migrate;

import io.cloak.config.CloakConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cloak migrate}: encrypts an existing database by copying a plaintext snapshot of it into a
 * new database through Cloak. See {@code docs/migrate.md}.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt an existing database by copying it into a new one through Cloak.",
      "",
      "The source is read plainly; the target (same engine, must exist) receives the tables and"
          + " the rows with the columns of the config encrypted. Interrupted runs resume."
    },
    subcommands = {
      MigrateCommand.Db.class,
      MigrateCommand.Verify.class,
      io.cloak.cli.volume.MigrateVolumeCommand.class
    })
public final class MigrateCommand {

  /** Options shared by {@code migrate db} and {@code migrate verify}. */
  static final class Options {
    @Option(
        names = "--source",
        required = true,
        paramLabel = "<jdbc-url>",
        description = "Plaintext source database, e.g. jdbc:postgresql://host/app.")
    String source;

    @Option(
        names = "--target",
        required = true,
        paramLabel = "<jdbc-url>",
        description = "Existing target database of the same engine (without the cloak: prefix).")
    String target;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "<cloak.yaml>",
        description = "The Cloak config naming the columns to encrypt.")
    Path config;

    @Option(
        names = "--tables",
        split = ",",
        paramLabel = "<table>",
        description = "Only these tables (default: every table of the source schema).")
    List<String> tables;

    @Option(names = "--source-user", paramLabel = "<user>")
    String sourceUser;

    @Option(
        names = "--source-password",
        paramLabel = "<password>",
        defaultValue = "${env:CLOAK_SOURCE_PASSWORD}",
        description = "Default: the environment variable CLOAK_SOURCE_PASSWORD.")
    String sourcePassword;

    @Option(names = "--target-user", paramLabel = "<user>")
    String targetUser;

    @Option(
        names = "--target-password",
        paramLabel = "<password>",
        defaultValue = "${env:CLOAK_TARGET_PASSWORD}",
        description = "Default: the environment variable CLOAK_TARGET_PASSWORD.")
    String targetPassword;

    @Option(
        names = "--batch",
        defaultValue = "5000",
        paramLabel = "<rows>",
        description =
            "Rows per insert batch and checkpoint (default ${DEFAULT-VALUE}); a batch is also"
                + " cut at about 16 MiB of values.")
    int batch;

    Engine engine() {
      Engine s = Engine.of(source);
      Engine t = Engine.of(target);
      if (s != t) {
        throw new MigrationException(
            "source and target must be the same engine (source "
                + s.name().toLowerCase(Locale.ROOT)
                + ", target "
                + t.name().toLowerCase(Locale.ROOT)
                + ")");
      }
      if (batch < 1) {
        throw new MigrationException("--batch must be at least 1");
      }
      return s;
    }

    Connection source() throws SQLException {
      return DriverManager.getConnection(source, props(sourceUser, sourcePassword));
    }

    Connection targetPlain() throws SQLException {
      return DriverManager.getConnection(target, props(targetUser, targetPassword));
    }

    Connection targetCloak() throws SQLException {
      try {
        Class.forName("io.cloak.jdbc.CloakDriver");
      } catch (ClassNotFoundException e) {
        throw new MigrationException("the Cloak JDBC driver is not on the classpath", e);
      }
      Properties p = props(targetUser, targetPassword);
      p.setProperty(CloakConfig.FILE_PROPERTY, config.toAbsolutePath().toString());
      return DriverManager.getConnection("jdbc:cloak:" + target.substring("jdbc:".length()), p);
    }

    private static Properties props(String user, String password) {
      Properties p = new Properties();
      if (user != null) {
        p.setProperty("user", user);
      }
      if (password != null) {
        p.setProperty("password", password);
      }
      return p;
    }

    /** The source views to recreate: all of them, or none when {@code --tables} is given. */
    List<Views.View> views(Engine engine, Connection source) throws SQLException {
      return tables == null || tables.isEmpty() ? Views.read(source, engine) : List.of();
    }

    /** Reads the source schema (inside the snapshot) and plans the target. */
    Plan plan(Engine engine, Connection source, CloakConfig config, boolean binaryStorage)
        throws SQLException {
      List<String> all = Schema.tableNames(source, engine);
      List<String> chosen = new ArrayList<>();
      if (tables == null || tables.isEmpty()) {
        chosen.addAll(all);
      } else {
        for (String wanted : tables) {
          String match =
              all.stream()
                  .filter(n -> n.equalsIgnoreCase(wanted.trim()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new MigrationException(
                              "source has no table " + wanted.trim() + "; it has " + all));
          chosen.add(match);
        }
      }
      if (chosen.isEmpty()) {
        throw new MigrationException("the source schema has no tables");
      }
      List<Schema.Table> defs = new ArrayList<>();
      for (String name : chosen) {
        defs.add(Schema.read(source, engine, name));
      }
      Plan plan = Plan.build(engine, defs, config, binaryStorage);
      for (Plan.TablePlan tp : plan.tables) {
        try (Statement st = source.createStatement();
            ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + plan.q(tp.table.name()))) {
          rs.next();
          tp.sourceRows = rs.getLong(1);
        }
      }
      return plan;
    }
  }

  /** Runs a body, printing a failure as one {@code cloak: ...} line with exit code 1. */
  static int guarded(CommandSpec spec, Callable<Integer> body) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.call();
    } catch (Exception e) {
      spec.commandLine().getOut().flush();
      if ("1".equals(System.getenv("CLOAK_DEBUG"))) {
        e.printStackTrace(err);
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!(e instanceof MigrationException) && !(e instanceof io.cloak.config.ConfigException)) {
        message = e.getClass().getSimpleName() + ": " + message;
      }
      err.println("cloak: " + message.strip().replaceAll("\\s*\\R\\s*", " "));
      err.flush();
      return 1;
    }
  }

  /** How new target tables store encrypted columns. */
  enum Storage {
    TEXT,
    BINARY
  }

  /** Parses {@code text} or {@code binary}, in any case. */
  static final class StorageConverter implements picocli.CommandLine.ITypeConverter<Storage> {
    @Override
    public Storage convert(String value) {
      for (Storage s : Storage.values()) {
        if (s.name().equalsIgnoreCase(value.trim())) {
          return s;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "expected text or binary, got '" + value + "'");
    }
  }

  /** {@code cloak migrate db}. */
  @Command(
      name = "db",
      mixinStandardHelpOptions = true,
      description = {
        "Copy a plaintext database into an encrypted one. Re-run the same command after an"
            + " interruption to continue where it stopped."
      })
  static final class Db implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin Options options;

    @Option(names = "--dry-run", description = "Print the plan and the target DDL; write nothing.")
    boolean dryRun;

    @Option(names = "--verify", description = "Run 'migrate verify' after copying.")
    boolean verify;

    @Option(
        names = "--encrypted-storage",
        defaultValue = "text",
        paramLabel = "text|binary",
        converter = StorageConverter.class,
        description = {
          "Column type of encrypted columns in new target tables: text (the default: TEXT,",
          "VARCHAR; ciphertext in its $ck1$ text form) or binary (BYTEA, VARBINARY, BLOB;",
          "about a quarter smaller, and faster to write on PostgreSQL)."
        })
    Storage storage;

    @Option(
        names = "--log-every",
        defaultValue = "10",
        paramLabel = "<batches>",
        description = "Print a progress line every this many batches (default ${DEFAULT-VALUE}).")
    int logEvery;

    @Override
    public Integer call() {
      return guarded(spec, this::run);
    }

    private int run() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Engine engine = options.engine();
      CloakConfig config = CloakConfig.load(options.config);
      try (Connection source = options.source();
          Connection targetPlain = options.targetPlain()) {
        engine.beginSnapshot(source);
        Plan plan = options.plan(engine, source, config, storage == Storage.BINARY);
        Map<String, Copier.Progress> progress = Copier.readProgress(targetPlain, engine);
        if (dryRun) {
          printPlan(out, plan, progress, targetPlain);
          List<Views.View> views = options.views(engine, source);
          if (options.tables != null && !options.tables.isEmpty()) {
            out.println();
            out.println("views: not recreated when --tables is given");
          }
          for (Views.View v : views) {
            out.println();
            out.println("view " + v.name() + ": created after the data, AS " + v.query());
          }
          out.flush();
          source.rollback();
          return 0;
        }
        List<Views.View> views = options.views(engine, source);
        Copier copier = new Copier(plan, out, options.batch, logEvery);
        copier.prepareTargetTables(targetPlain);
        try (Connection targetCloak = options.targetCloak()) {
          copier.copyAll(source, targetCloak);
          copier.addForeignKeys(targetPlain);
          copier.resetSequences(targetPlain);
          // through Cloak: DDL there makes its catalog read the new views
          Map<String, String> notCreated = Views.create(targetCloak, engine, views, out);
          out.println(
              "migration complete: "
                  + plan.tables.size()
                  + " tables"
                  + (views.isEmpty() ? "" : ", " + (views.size() - notCreated.size()) + " views"));
          out.flush();
          if (verify) {
            verifyAll(plan, out, engine.fetchSize(options.batch), source, targetCloak);
          }
          if (!notCreated.isEmpty()) {
            throw new MigrationException(
                "the data is copied, but these views could not be created in the target: "
                    + notCreated
                    + "; create them by hand, then re-run to check");
          }
        } finally {
          source.rollback();
        }
      }
      return 0;
    }

    private void printPlan(
        PrintWriter out, Plan plan, Map<String, Copier.Progress> progress, Connection targetPlain)
        throws SQLException {
      out.println("dry run: nothing is written");
      out.println(
          "plan: "
              + plan.tables.size()
              + " tables, in dependency order, batch "
              + options.batch
              + ", encrypted columns in new tables stored as "
              + (plan.binaryStorage ? "binary" : "text"));
      for (Plan.TablePlan tp : plan.tables) {
        String name = tp.table.name();
        Copier.Progress p = progress.get(name);
        String state;
        if (p != null && p.done()) {
          state = "already copied, will be skipped";
        } else if (p != null) {
          state = "will resume after " + p.rowsCopied() + " rows";
        } else if (Copier.tableExists(targetPlain, plan.engine, name)) {
          state = "ERROR: exists in the target and was not created by cloak migrate";
        } else {
          state = "will be created";
        }
        out.println();
        out.println(
            "table "
                + name
                + ": "
                + tp.sourceRows
                + " rows, "
                + (tp.hasKey()
                    ? "copied in key order (" + String.join(", ", tp.table.primaryKey()) + ")"
                    : "no primary key: copied in one transaction")
                + "; "
                + state);
        if (tp.encrypted.isEmpty()) {
          out.println("  encrypted columns: none");
        }
        tp.encrypted.forEach(
            (col, rule) ->
                out.println(
                    "  encrypted: "
                        + col
                        + " "
                        + rule.mode().name().toLowerCase(Locale.ROOT)
                        + (rule.joinGroup() != null ? " join-group " + rule.joinGroup() : "")
                        + (rule.key() != null ? " key " + rule.key() : "")));
        out.println("  " + tp.createTable + ";");
        tp.indexes.values().forEach(ddl -> out.println("  " + ddl + ";"));
        tp.foreignKeys.values().forEach(ddl -> out.println("  " + ddl + "; -- after the data"));
        tp.notes.forEach(note -> out.println("  note: " + note));
      }
      out.flush();
    }
  }

  /** {@code cloak migrate verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Compare row counts and an order-independent digest of every row of each table, reading"
            + " the target through Cloak. Exit 1 when a table differs."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin Options options;

    @Override
    public Integer call() {
      return guarded(spec, this::run);
    }

    private int run() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Engine engine = options.engine();
      CloakConfig config = CloakConfig.load(options.config);
      try (Connection source = options.source();
          Connection targetCloak = options.targetCloak()) {
        engine.beginSnapshot(source);
        try {
          // verify reads through the driver, which takes either storage as it finds it
          Plan plan = options.plan(engine, source, config, false);
          verifyAll(plan, out, engine.fetchSize(options.batch), source, targetCloak);
          out.println("verify: all " + plan.tables.size() + " tables match");
        } finally {
          source.rollback();
        }
      }
      return 0;
    }
  }

  /** Runs {@code migrate} on its own (until it is registered in {@code cloak}). */
  public static void main(String[] args) {
    int code = new CommandLine(new MigrateCommand()).execute(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the verifier over every table of the plan; fails naming the tables that differ. */
  static void verifyAll(
      Plan plan, PrintWriter out, int fetchSize, Connection source, Connection targetCloak)
      throws SQLException {
    List<String> failed = new Verifier(plan, out, fetchSize).verify(source, targetCloak);
    if (!failed.isEmpty()) {
      throw new MigrationException("verification failed for tables " + failed);
    }
  }
}
