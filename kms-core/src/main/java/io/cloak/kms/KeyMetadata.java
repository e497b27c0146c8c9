package io.cloak.kms;

import java.time.Instant;

/**
 * What the KMS tells about a master key. Holds no key material. Immutable.
 *
 * @param keyId the key's stable id (a UUID, or {@code provided:NAME} for customer-provided keys)
 * @param description free text given at creation
 * @param state lifecycle state
 * @param origin where the material comes from
 * @param createdAt creation time
 * @param currentVersion the backing-key version new encryptions use (1 before any rotation)
 * @param rotationPeriodDays automatic rotation period, or null when automatic rotation is off
 * @param nextRotationAt when automatic rotation is next due, or null
 * @param deletionDate when a key pending deletion is destroyed, or null
 * @param creator the principal that created the key
 */
public record KeyMetadata(
    String keyId,
    String description,
    KeyState state,
    KeyOrigin origin,
    Instant createdAt,
    int currentVersion,
    Integer rotationPeriodDays,
    Instant nextRotationAt,
    Instant deletionDate,
    String creator) {}
