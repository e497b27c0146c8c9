package io.cloak.cli;

import io.cloak.kms.audit.AuditVerification;
import io.cloak.kms.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cloak kms audit}: the hash-chained audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Work with the KMS audit log.",
    subcommands = {AuditCommands.Verify.class})
final class AuditCommands {

  /** {@code cloak kms audit verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check the audit log's hash chain. Exits 0 when intact; otherwise 1, naming the first"
            + " line that was edited, deleted, reordered or malformed.",
        "Needs no root key."
      })
  static final class Verify extends KmsSubcommand {
    @Option(
        names = "--log",
        paramLabel = "PATH",
        description = "The audit log (default: KEYSTORE.audit.log).")
    Path log;

    @Override
    void execute() throws IOException {
      Path file = log != null ? log : defaultLog(keystore());
      if (!Files.exists(file)) {
        throw new CliException(
            "no audit log at " + file + (log == null ? " (is --keystore right?)" : ""));
      }
      AuditVerification v = AuditVerifier.verify(file);
      if (!v.intact()) {
        throw new CliException("audit log " + file + " is not intact: " + v.problem());
      }
      out()
          .println(
              "Audit log "
                  + file
                  + " is intact ("
                  + v.linesChecked()
                  + (v.linesChecked() == 1 ? " entry)" : " entries)"));
    }

    static Path defaultLog(Path keystore) {
      Path absolute = keystore.toAbsolutePath();
      return absolute.resolveSibling(absolute.getFileName() + ".audit.log");
    }
  }
}
