package io.cloak.cli;

import io.cloak.cli.columns.EncryptCommand;
import io.cloak.cli.columns.ReencryptCommand;
import io.cloak.cli.columns.RotateCommand;
import io.cloak.cli.columns.VerifyCommand;
import io.cloak.cli.migrate.MigrateCommand;
import io.cloak.kms.KmsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code cloak} command line. Run {@link #main} or, to embed or test it, execute a {@link
 * #newCommandLine(CloakCommand) configured CommandLine}.
 *
 * <p>Exit codes: 0 on success, 1 when the KMS, the keystore or a file refuses the command, 2 for
 * usage errors. A failure prints exactly one line {@code cloak: <message>} to standard error (plus
 * a stack trace when {@code CLOAK_DEBUG=1}).
 *
 * <p>The environment, standard input and the binary standard output are fields, so that tests can
 * supply them without touching the process's own.
 */
@Command(
    name = "cloak",
    mixinStandardHelpOptions = true,
    versionProvider = CloakCommand.Version.class,
    description = "Cloak: transparent encryption at rest.",
    subcommands = {
      KmsCommand.class,
      MigrateCommand.class,
      VerifyCommand.class,
      EncryptCommand.class,
      ReencryptCommand.class,
      RotateCommand.class,
      RotateVolumeCommand.class,
      RecoverVolumeFileCommand.class
    })
public final class CloakCommand {
  /** Environment variable that makes failures print a stack trace when set to {@code 1}. */
  public static final String DEBUG_ENV = "CLOAK_DEBUG";

  private final Map<String, String> env;
  private final InputStream stdin;
  private final OutputStream stdout;

  /** scrypt cost for keystores made by {@code kms init}; null for the default. Tests only. */
  Integer scryptCostForTests;

  /** A command reading the process's environment, standard input and standard output. */
  public CloakCommand() {
    this(System.getenv(), System.in, System.out);
  }

  /**
   * A command with an explicit environment, standard input and binary standard output (text output
   * goes to the {@link CommandLine#getOut() CommandLine's writer}).
   */
  public CloakCommand(Map<String, String> env, InputStream stdin, OutputStream stdout) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.stdin = Objects.requireNonNull(stdin, "stdin");
    this.stdout = Objects.requireNonNull(stdout, "stdout");
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    int code = newCommandLine(new CloakCommand()).execute(args);
    System.out.flush();
    System.exit(code);
  }

  /**
   * A {@link CommandLine} for {@code command} whose failures print one {@code cloak: ...} line and
   * exit 1 (KMS or I/O errors) or 2 (usage errors).
   */
  public static CommandLine newCommandLine(CloakCommand command) {
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler(command.executionExceptionHandler());
    cl.setParameterExceptionHandler(command.parameterExceptionHandler());
    return cl;
  }

  /** The environment variables this command sees. */
  Map<String, String> env() {
    return env;
  }

  /** Standard input. */
  InputStream stdin() {
    return stdin;
  }

  /** Standard output for binary data (ciphertexts, decrypted plaintext). */
  OutputStream stdout() {
    return stdout;
  }

  private boolean debug() {
    return "1".equals(env.get(DEBUG_ENV));
  }

  private IExecutionExceptionHandler executionExceptionHandler() {
    return (Exception ex, CommandLine cl, ParseResult parsed) -> {
      PrintWriter err = cl.getErr();
      cl.getOut().flush();
      if (debug()) {
        ex.printStackTrace(err);
      }
      err.println("cloak: " + oneLine(messageOf(ex)));
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    };
  }

  private IParameterExceptionHandler parameterExceptionHandler() {
    return (ParameterException ex, String[] args) -> {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      if (debug()) {
        ex.printStackTrace(err);
      }
      StringBuilder line = new StringBuilder("cloak: ").append(oneLine(ex.getMessage()));
      if (ex instanceof UnmatchedArgumentException unmatched) {
        List<String> suggestions = unmatched.getSuggestions();
        if (!suggestions.isEmpty()) {
          line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
        }
      }
      line.append(" (see '").append(cl.getCommandSpec().qualifiedName()).append(" --help')");
      err.println(line);
      err.flush();
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    };
  }

  private static String messageOf(Throwable ex) {
    if (ex instanceof KmsException || ex instanceof CliException) {
      return ex.getMessage();
    }
    if (ex instanceof UncheckedIOException u) {
      ex = u.getCause();
    }
    if (ex instanceof IOException) {
      return "I/O error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString());
    }
    return "unexpected error: " + ex + " (set " + DEBUG_ENV + "=1 for a stack trace)";
  }

  private static String oneLine(String message) {
    return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** Reports the version Maven recorded in the jar, if any. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = null;
      try (InputStream in =
          CloakCommand.class.getResourceAsStream("/META-INF/maven/io.cloak/cli/pom.properties")) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          v = p.getProperty("version");
        }
      } catch (IOException e) {
        // fall through to the development label
      }
      return new String[] {"cloak " + (v != null ? v : "(development build)")};
    }
  }
}
