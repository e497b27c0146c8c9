package io.cloak.cli;

import io.cloak.kms.KeyPolicy;
import io.cloak.kms.Operation;
import io.cloak.kms.Principal;
import io.cloak.kms.local.LocalKms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Key policy commands. */
final class PolicyCommands {
  private static final int MAX_POLICY_BYTES = 1024 * 1024;

  private PolicyCommands() {}

  /** {@code cloak kms put-policy}. */
  @Command(
      name = "put-policy",
      mixinStandardHelpOptions = true,
      description = {
        "Replace a key's policy with the JSON policy in a file, for example:",
        "  {\"statements\": [",
        "    {\"principals\": [\"user:alice\"], \"operations\": [\"kms:*\"]},",
        "    {\"principals\": [\"app:orders\"], \"operations\": [\"kms:Encrypt\"]}",
        "  ]}",
        "\"*\" as a principal matches everyone; \"kms:*\" matches every operation.",
        "Anything no statement allows is denied."
      })
  static final class PutPolicy extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Option(
        names = "--file",
        paramLabel = "FILE",
        required = true,
        description = "The policy JSON; - reads standard input.")
    String file;

    @Option(
        names = "--bypass-lockout-safety-check",
        description =
            "Apply a policy even if it would stop the calling principal from changing it again.")
    boolean bypassLockoutCheck;

    @Override
    void execute() throws IOException {
      String source = file.equals("-") ? "standard input" : file;
      KeyPolicy policy = PolicyJson.parse(Json.parse(read(), source), source);
      Principal caller = principal();
      if (!bypassLockoutCheck && !policy.allows(caller, Operation.PUT_KEY_POLICY)) {
        throw new CliException(
            "the policy in "
                + source
                + " does not allow "
                + caller
                + " "
                + Operation.PUT_KEY_POLICY.actionName()
                + ", so "
                + caller
                + " could never change it again; add a statement for it, or pass"
                + " --bypass-lockout-safety-check");
      }
      try (LocalKms kms = open()) {
        kms.putKeyPolicy(caller, key, policy);
        out().println("Updated the policy of key " + key);
      }
    }

    private byte[] read() throws IOException {
      if (file.equals("-")) {
        return readStdin(MAX_POLICY_BYTES, "a key policy is not that large");
      }
      Path path = Path.of(file);
      try {
        if (Files.size(path) > MAX_POLICY_BYTES) {
          throw new CliException(
              "policy file " + file + " is larger than " + MAX_POLICY_BYTES + " bytes");
        }
        return Files.readAllBytes(path);
      } catch (NoSuchFileException e) {
        throw new CliException("no policy file " + file, e);
      }
    }
  }

  /** {@code cloak kms get-policy}. */
  @Command(
      name = "get-policy",
      mixinStandardHelpOptions = true,
      description = "Print a key's policy as JSON, in the form put-policy reads.")
  static final class GetPolicy extends KmsSubcommand {
    @Parameters(paramLabel = "KEY", description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Override
    void execute() {
      try (LocalKms kms = open()) {
        out().println(Json.pretty(PolicyJson.toJson(kms.getKeyPolicy(principal(), key))));
      }
    }
  }
}
