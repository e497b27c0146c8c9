package io.cloak.kms;

import java.util.Optional;

/**
 * What to create with {@link KeyManagementService#createKey}. Immutable; {@link #toString()} never
 * shows imported material.
 */
public final class CreateKeyRequest {
  /** Length in bytes of imported key material (AES-256). */
  public static final int KEY_MATERIAL_LENGTH = 32;

  private final String description;
  private final byte[] importedMaterial;
  private final KeyPolicy policy;

  private CreateKeyRequest(String description, byte[] importedMaterial, KeyPolicy policy) {
    this.description = description == null ? "" : description;
    this.importedMaterial = importedMaterial;
    this.policy = policy;
  }

  /** A key whose material the KMS generates. */
  public static CreateKeyRequest generated(String description) {
    return new CreateKeyRequest(description, null, null);
  }

  /**
   * A key with imported 256-bit material.
   *
   * @throws KmsValidationException unless {@code material} is 32 bytes
   */
  public static CreateKeyRequest imported(String description, byte[] material) {
    if (material == null || material.length != KEY_MATERIAL_LENGTH) {
      throw new KmsValidationException(
          "imported key material must be exactly 32 bytes (AES-256), got "
              + (material == null ? "none" : material.length + " bytes"));
    }
    return new CreateKeyRequest(description, material.clone(), null);
  }

  /** This request with an explicit policy instead of the default (creator may do everything). */
  public CreateKeyRequest withPolicy(KeyPolicy policy) {
    return new CreateKeyRequest(description, importedMaterial, policy);
  }

  public String description() {
    return description;
  }

  /** A copy of the imported material, if any. */
  public Optional<byte[]> importedMaterial() {
    return Optional.ofNullable(importedMaterial).map(byte[]::clone);
  }

  public Optional<KeyPolicy> policy() {
    return Optional.ofNullable(policy);
  }

  @Override
  public String toString() {
    return "CreateKeyRequest[description="
        + description
        + ", origin="
        + (importedMaterial == null ? "GENERATED" : "IMPORTED")
        + "]";
  }
}
