package io.cloak.cli.columns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.cli.CloakCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The column commands are subcommands of {@code cloak}, with its error handling. */
class ColumnCommandsRegistrationTest {
  private static CommandLine cloak(StringWriter out, StringWriter err) {
    CommandLine cl = CloakCommand.newCommandLine(new CloakCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl;
  }

  @Test
  void everyColumnCommandHasHelp() {
    for (String name : new String[] {"verify", "encrypt", "reencrypt", "rotate"}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertEquals(0, cloak(out, err).execute(name, "--help"), name + ": " + err);
      assertTrue(out.toString().contains("--config"), out.toString());
      assertTrue(out.toString().contains("--url"), out.toString());
    }
  }

  @Test
  void missingOptionsAreAOneLineUsageError() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = cloak(out, err).execute("encrypt", "--config", "x.yaml");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("cloak: Missing required options"), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }

  @Test
  void aMissingConfigFileIsAOneLineFailure() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        cloak(out, err)
            .execute("verify", "--config", "/nonexistent/cloak.yaml", "--url", "jdbc:h2:mem:x");
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("cloak: "), err.toString());
    assertTrue(err.toString().contains("does not exist"), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }
}
