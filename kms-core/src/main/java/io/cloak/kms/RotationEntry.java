package io.cloak.kms;

import java.time.Instant;

/**
 * One rotation of a master key: a new backing-key version. Immutable.
 *
 * @param keyId the rotated key
 * @param version the backing-key version the rotation created
 * @param rotatedAt when it happened
 * @param kind how it was triggered
 */
public record RotationEntry(String keyId, int version, Instant rotatedAt, Kind kind) {
  /** What triggered a rotation. */
  public enum Kind {
    AUTOMATIC,
    ON_DEMAND
  }
}
