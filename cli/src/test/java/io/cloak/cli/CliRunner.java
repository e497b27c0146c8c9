package io.cloak.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code cloak} in-process with a fake environment and captured streams. */
final class CliRunner {
  final Map<String, String> env = new HashMap<>();
  Integer scryptCost;

  /** What one run produced. */
  record Result(int exitCode, String out, byte[] binary, String err) {
    String binaryText() {
      return new String(binary, StandardCharsets.UTF_8);
    }
  }

  Result run(String... args) {
    return run(new byte[0], args);
  }

  Result runWithInput(String stdin, String... args) {
    return run(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  Result run(byte[] stdin, String... args) {
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    CloakCommand command = new CloakCommand(env, new ByteArrayInputStream(stdin), binary);
    command.scryptCostForTests = scryptCost;
    CommandLine cl = CloakCommand.newCommandLine(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), binary.toByteArray(), err.toString());
  }
}
