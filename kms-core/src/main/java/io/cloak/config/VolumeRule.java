package io.cloak.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One entry of {@code volumes} (used by the agent): a folder whose files Cloak encrypts. Immutable
 * and thread-safe.
 *
 * @param path the folder, resolved against the config file's folder when written relative
 * @param key the key id, {@code alias/...} or {@code provided:NAME}; {@code null} means the managed
 *     default key
 * @param line the 1-based line the rule starts on, 0 when not from a file
 */
public record VolumeRule(Path path, String key, int line) {
  /**
   * @throws NullPointerException if {@code path} is null
   */
  public VolumeRule {
    Objects.requireNonNull(path, "path");
  }
}
