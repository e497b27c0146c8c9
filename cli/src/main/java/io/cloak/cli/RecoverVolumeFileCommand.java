package io.cloak.cli;

import io.cloak.agent.volume.EncryptedFile;
import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cloak recover-volume-file}: cuts encrypted files whose end a crash tore back to their
 * authentic prefix ({@link EncryptedFile#recover}), so that they open again.
 */
@Command(
    name = "recover-volume-file",
    mixinStandardHelpOptions = true,
    description = {
      "Make an encrypted volume file that a crash left with a torn end open again: the file is",
      "cut after its last authentic chunk, and the lost range is reported. An intact file is not",
      "changed. Damage in the middle of a file (an authentic chunk after a damaged one) is",
      "refused: that is not a torn write. Stop the application using the file first."
    })
final class RecoverVolumeFileCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "cloak.yaml.")
  Path config;

  @Option(
      names = "--volume",
      required = true,
      paramLabel = "DIR",
      description = "The volume root (holding .cloak-volume) the files belong to.")
  Path volume;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files of that volume.")
  List<Path> files;

  @Override
  public Integer call() throws IOException {
    CloakConfig cfg = CloakConfig.load(config);
    Principal principal = ConfiguredKms.principal(cfg);
    PrintWriter out = spec.commandLine().getOut();
    VolumeKey key;
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      key = VolumeDescriptor.load(volume).unlock(kms, principal);
    }
    try {
      for (Path file : files) {
        EncryptedFile.Recovery r;
        try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          r = EncryptedFile.recover(ch, key, file.toString());
        }
        if (r.changed()) {
          out.printf(
              "%s: recovered: cut back to %d plaintext bytes; chunk %d and what followed it were"
                  + " lost%n",
              file, r.plaintextSize(), r.lostFromChunk());
        } else {
          out.printf("%s: intact (%d plaintext bytes), not changed%n", file, r.plaintextSize());
        }
      }
    } finally {
      key.destroy();
    }
    return 0;
  }
}
