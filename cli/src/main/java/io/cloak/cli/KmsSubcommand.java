package io.cloak.cli;

import io.cloak.kms.KeystoreException;
import io.cloak.kms.Principal;
import io.cloak.kms.ProvidedKeySource;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the {@code cloak kms} leaf commands: the common options, access to the {@link
 * CloakCommand}'s environment and streams, and opening the keystore.
 */
abstract class KmsSubcommand implements Callable<Integer> {
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+-]+");

  @Mixin KmsOptions options;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    try {
      execute();
    } finally {
      out().flush();
      stdout().flush();
    }
    return 0;
  }

  /** Does the command's work; throw to fail with exit code 1. */
  abstract void execute() throws Exception;

  final CloakCommand cloak() {
    return (CloakCommand) spec.root().userObject();
  }

  final Map<String, String> env() {
    return cloak().env();
  }

  /** Text output. */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Binary output. */
  final OutputStream stdout() {
    return cloak().stdout();
  }

  final Path keystore() {
    return options.keystore(env());
  }

  final Principal principal() {
    return Principal.of(options.principal(env()));
  }

  /**
   * Creates a new keystore with the root key from the environment.
   *
   * @throws KeystoreException if a file exists at the path or no root key is configured
   */
  final LocalKms create() {
    RootKey root = rootKey(env());
    try {
      LocalKms.Builder b =
          LocalKms.builder()
              .keystore(keystore())
              .rootKey(root)
              .providedKeys(ProvidedKeySource.fromMap(env()));
      if (cloak().scryptCostForTests != null) {
        b.scryptCost(cloak().scryptCostForTests);
      }
      return b.create();
    } finally {
      root.destroy();
    }
  }

  /**
   * Opens the existing keystore.
   *
   * @throws KeystoreException if there is none (saying how to create it), the root key is missing
   *     or wrong, or the file is damaged
   */
  final LocalKms open() {
    Path path = keystore();
    if (!Files.exists(path)) {
      throw new KeystoreException(
          "no keystore at "
              + path
              + "; create one with `cloak kms init --keystore "
              + shellQuote(path.toString())
              + "`");
    }
    RootKey root = rootKey(env());
    try {
      return LocalKms.builder()
          .keystore(path)
          .rootKey(root)
          .providedKeys(ProvidedKeySource.fromMap(env()))
          .open();
    } finally {
      root.destroy();
    }
  }

  /**
   * Reads standard input, at most {@code max} bytes.
   *
   * @throws CliException if there is more
   */
  final byte[] readStdin(int max, String tooLongHint) throws IOException {
    InputStream in = cloak().stdin();
    byte[] data = in.readNBytes(max + 1);
    if (data.length > max) {
      throw new CliException("standard input holds more than " + max + " bytes; " + tooLongHint);
    }
    return data;
  }

  /**
   * The root key named by {@code env}: {@value RootKey#ROOT_KEY_FILE_ENV} if set, else {@value
   * RootKey#PASSPHRASE_ENV}.
   */
  static RootKey rootKey(Map<String, String> env) {
    String file = env.get(RootKey.ROOT_KEY_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return RootKey.fromFile(Path.of(file));
    }
    String passphrase = env.get(RootKey.PASSPHRASE_ENV);
    if (passphrase != null && !passphrase.isEmpty()) {
      return RootKey.fromPassphrase(passphrase.toCharArray());
    }
    throw new KeystoreException(
        "no root key for the keystore: set "
            + RootKey.PASSPHRASE_ENV
            + " to its passphrase or "
            + RootKey.ROOT_KEY_FILE_ENV
            + " to a file of 32 random bytes");
  }

  static String shellQuote(String s) {
    return SHELL_SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
