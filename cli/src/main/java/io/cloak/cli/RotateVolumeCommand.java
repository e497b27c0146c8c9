package io.cloak.cli;

import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.config.CloakConfig;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cloak rotate-volume}: rewraps the key of one or more encrypted volumes under the newest
 * version of its master key, or under another master key, without rewriting any file.
 */
@Command(
    name = "rotate-volume",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrap each volume's key (its .cloak-volume descriptor) under the newest version of its",
      "master key, or under another key with --to-key. Files are not rewritten: the volume key",
      "itself does not change. The KMS audits each ReEncrypt."
    })
final class RotateVolumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "cloak.yaml.")
  Path config;

  @Option(
      names = "--volume",
      required = true,
      paramLabel = "DIR",
      description = "A volume root (holding .cloak-volume); repeatable.")
  List<Path> volumes;

  @Option(names = "--to-key", paramLabel = "KEY", description = "Move the volumes to this key.")
  String toKey;

  @Override
  public Integer call() throws IOException {
    CloakConfig cfg = CloakConfig.load(config);
    Principal principal = ConfiguredKms.principal(cfg);
    try (KeyManagementService kms = ConfiguredKms.open(cfg)) {
      for (Path root : volumes) {
        VolumeDescriptor before = VolumeDescriptor.load(root);
        VolumeDescriptor after = before.rewrap(kms, principal, toKey);
        spec.commandLine()
            .getOut()
            .printf(
                "%s: volume %s key rewrapped under %s (%s)%n",
                root, after.volumeIdHex(), after.keyRef(), after.keyId());
      }
    }
    if (toKey != null) {
      spec.commandLine()
          .getOut()
          .println("remember to set key: " + toKey + " for these volumes in " + config);
    }
    return 0;
  }
}
