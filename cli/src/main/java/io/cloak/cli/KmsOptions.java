package io.cloak.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every {@code cloak kms} subcommand takes: which keystore, and who is calling. */
final class KmsOptions {
  static final String KEYSTORE_ENV = "CLOAK_KEYSTORE";
  static final String PRINCIPAL_ENV = "CLOAK_PRINCIPAL";
  static final String DEFAULT_KEYSTORE = "cloak-keystore";

  @Option(
      names = "--keystore",
      paramLabel = "PATH",
      description =
          "Keystore file (default: $CLOAK_KEYSTORE, else "
              + DEFAULT_KEYSTORE
              + " in the working directory).")
  Path keystore;

  @Option(
      names = "--principal",
      paramLabel = "NAME",
      description =
          "Who is calling, for key policies and the audit log (default:"
              + " $CLOAK_PRINCIPAL, else user:<login name>).")
  String principal;

  /** The keystore path: the option, else the environment, else the default. */
  Path keystore(Map<String, String> env) {
    if (keystore != null) {
      return keystore;
    }
    String fromEnv = env.get(KEYSTORE_ENV);
    return Path.of(fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_KEYSTORE);
  }

  /** The principal name: the option, else the environment, else {@code user:} + login name. */
  String principal(Map<String, String> env) {
    if (principal != null) {
      return principal;
    }
    String fromEnv = env.get(PRINCIPAL_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    return "user:" + System.getProperty("user.name", "unknown");
  }
}
