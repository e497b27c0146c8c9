package io.cloak.cli.volume;

import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfigException;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KmsException;
import io.cloak.kms.Principal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cloak migrate volume}: copies a folder tree into an encrypted volume, or encrypts a folder
 * where it is, then verifies every file against the SHA-256 of its plaintext. Interrupted runs
 * resume. See {@code docs/migrate-volume.md}.
 */
@Command(
    name = "volume",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt files into an encrypted volume: copy --source into --target, or encrypt"
          + " --in-place. Re-run the same command after an interruption to continue; every file is"
          + " verified at the end (exit 1 naming the first mismatch)."
    })
public final class MigrateVolumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--source",
      paramLabel = "<dir>",
      description = "Plaintext folder to copy (left unchanged).")
  Path source;

  @Option(
      names = "--target",
      paramLabel = "<dir>",
      description = "Root of the encrypted volume to copy into (created if missing).")
  Path target;

  @Option(
      names = "--in-place",
      paramLabel = "<dir>",
      description = "Encrypt this folder's files where they are; it becomes the volume root.")
  Path inPlace;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "<key>",
      description =
          "Master key (key id, alias/..., provided:NAME) wrapping the volume key; must match an"
              + " existing volume's key.")
  String key;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "<cloak.yaml>",
      description = "The Cloak config naming the KMS.")
  Path config;

  @Option(
      names = "--max-files",
      hidden = true,
      defaultValue = "0",
      description = "Stop after encrypting this many files (simulates an interruption; tests).")
  long maxFiles;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run();
    } catch (Exception e) {
      spec.commandLine().getOut().flush();
      if ("1".equals(System.getenv("CLOAK_DEBUG"))) {
        e.printStackTrace(err);
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!(e instanceof VolumeMigrationException) && !(e instanceof ConfigException)) {
        message = e.getClass().getSimpleName() + ": " + message;
      }
      err.println("cloak: " + message.strip().replaceAll("\\s*\\R\\s*", " "));
      err.flush();
      return 1;
    }
  }

  private int run() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = checkPaths();
    CloakConfig cfg = CloakConfig.load(config);
    if (inPlace != null) {
      refuseCloakFilesInside(root, cfg);
    }
    KeyManagementService kms = ConfiguredKms.open(cfg);
    VolumeKey volumeKey;
    try {
      volumeKey = unlock(kms, ConfiguredKms.principal(cfg), root, out);
    } finally {
      kms.close();
    }
    VolumeMigrator m = new VolumeMigrator(volumeKey, out, maxFiles);
    try {
      if (inPlace != null) {
        m.inPlace(root);
      } else {
        m.copy(source, root);
      }
    } finally {
      volumeKey.destroy();
    }
    VolumeMigrator.Stats s = m.stats;
    if (inPlace != null) {
      out.println(
          "encrypted "
              + s.encrypted
              + " files ("
              + s.bytes
              + " bytes); "
              + s.alreadyDone
              + " already encrypted; "
              + s.directories
              + " folders; "
              + s.symlinks
              + " symbolic links skipped");
    } else {
      out.println(
          "copied "
              + s.files
              + " files ("
              + s.bytes
              + " bytes): "
              + s.encrypted
              + " encrypted now, "
              + s.alreadyDone
              + " already present; "
              + s.directories
              + " folders; "
              + s.symlinks
              + " symbolic links skipped");
    }
    if (s.stopped) {
      out.println("stopped after " + maxFiles + " files (--max-files); rerun to continue");
      out.flush();
      return 0;
    }
    out.println(
        "verified "
            + s.verified
            + " files, "
            + s.verifiedBytes
            + " bytes"
            + (s.withoutDigest > 0
                ? " (" + s.withoutDigest + " without a source digest: decrypt checked only)"
                : ""));
    out.flush();
    return 0;
  }

  /** Checks the option combination and the folders; returns the volume root. */
  private Path checkPaths() throws IOException {
    if (inPlace != null) {
      if (source != null || target != null) {
        throw new VolumeMigrationException("use either --in-place or --source with --target");
      }
      if (!Files.isDirectory(inPlace)) {
        throw new VolumeMigrationException("--in-place " + inPlace + " is not a folder");
      }
      return inPlace.toRealPath();
    }
    if (source == null || target == null) {
      throw new VolumeMigrationException(
          "give --source and --target to copy, or --in-place to encrypt a folder where it is");
    }
    if (!Files.isDirectory(source)) {
      throw new VolumeMigrationException("--source " + source + " is not a folder");
    }
    Path src = source.toRealPath();
    if (VolumeDescriptor.exists(src)) {
      throw new VolumeMigrationException(
          "--source "
              + src
              + " is an encrypted volume (it has "
              + VolumeDescriptor.FILE_NAME
              + "); its files are ciphertext and cannot be migrated again");
    }
    Files.createDirectories(target);
    Path dst = target.toRealPath();
    if (dst.startsWith(src) || src.startsWith(dst)) {
      throw new VolumeMigrationException(
          "--source and --target must not contain each other (" + src + ", " + dst + ")");
    }
    source = src;
    return dst;
  }

  /**
   * Refuses to encrypt, in place, the files Cloak needs to open the KMS: the config, the keystore
   * (with its lock and audit files) and the root-key file.
   */
  private void refuseCloakFilesInside(Path root, CloakConfig cfg) throws IOException {
    List<Path> needed = new ArrayList<>();
    needed.add(config);
    if (cfg.kms().keystore() != null) {
      needed.add(cfg.kms().keystore());
    }
    if (cfg.kms().rootKeyFile() != null) {
      needed.add(cfg.kms().rootKeyFile());
    }
    String envKey = System.getenv("CLOAK_ROOT_KEY_FILE");
    if (envKey != null && !envKey.isBlank()) {
      needed.add(Path.of(envKey));
    }
    for (Path p : needed) {
      Path real = Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
      if (real.startsWith(root)) {
        throw new VolumeMigrationException(
            real
                + " is inside --in-place "
                + root
                + " and Cloak needs it in plaintext to open the KMS; move the config, keystore"
                + " and root key out of the folder and rerun");
      }
    }
  }

  /** Loads or creates the descriptor of {@code root} and unwraps the volume key. */
  private VolumeKey unlock(
      KeyManagementService kms, Principal principal, Path root, PrintWriter out)
      throws IOException {
    VolumeDescriptor d;
    if (VolumeDescriptor.exists(root)) {
      d = VolumeDescriptor.load(root);
      checkKey(kms, principal, d);
      out.println("volume " + d.volumeIdHex() + " in " + root + " (key " + d.keyRef() + ")");
    } else {
      d = VolumeDescriptor.create(root, kms, principal, key);
      out.println(
          "created volume " + d.volumeIdHex() + " in " + root + " (key " + d.keyRef() + ")");
    }
    return d.unlock(kms, principal);
  }

  private void checkKey(KeyManagementService kms, Principal principal, VolumeDescriptor d) {
    if (key.equals(d.keyRef()) || key.equals(d.keyId())) {
      return;
    }
    String resolved;
    try {
      resolved = kms.describeKey(principal, key).keyId();
    } catch (KmsException e) {
      throw new VolumeMigrationException("--key " + key + ": " + e.getMessage(), e);
    }
    if (!resolved.equals(d.keyId())) {
      throw new VolumeMigrationException(
          "volume "
              + d.volumeIdHex()
              + " in "
              + d.root()
              + " was created with key "
              + d.keyRef()
              + " (id "
              + d.keyId()
              + "), not --key "
              + key
              + " (id "
              + resolved
              + ")");
    }
  }

  /** Runs {@code volume} on its own (until it is registered under {@code cloak migrate}). */
  public static void main(String[] args) {
    int code = new CommandLine(new MigrateVolumeCommand()).execute(args);
    System.out.flush();
    System.exit(code);
  }
}
