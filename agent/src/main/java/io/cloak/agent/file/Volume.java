package io.cloak.agent.file;

import io.cloak.agent.volume.VolumeDescriptor;
import io.cloak.agent.volume.VolumeKey;
import java.nio.file.Path;

/**
 * One configured volume: its root (absolute and normalized, and its real path when that differs)
 * and its unlocked key. Immutable. {@link #toString()} never shows the key.
 */
final class Volume {
  final Path root;
  final Path realRoot; // null when equal to root or unknown
  final VolumeKey key;

  Volume(Path root, Path realRoot, VolumeKey key) {
    this.root = root;
    this.realRoot = realRoot == null || realRoot.equals(root) ? null : realRoot;
    this.key = key;
  }

  /**
   * The length of the root {@code abs} (absolute, normalized) lies under, or -1 when it is not in
   * this volume (or is its descriptor).
   */
  int match(Path abs) {
    if (inside(abs, root)) {
      return root.getNameCount();
    }
    if (realRoot != null && inside(abs, realRoot)) {
      return realRoot.getNameCount();
    }
    return -1;
  }

  private static boolean inside(Path abs, Path root) {
    if (!abs.startsWith(root)) {
      return false;
    }
    return !(abs.getNameCount() == root.getNameCount() + 1
        && abs.getFileName().toString().equals(VolumeDescriptor.FILE_NAME));
  }

  @Override
  public String toString() {
    return "Volume[" + root + "]";
  }
}
