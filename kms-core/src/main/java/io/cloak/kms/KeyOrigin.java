package io.cloak.kms;

/** Where a master key's material comes from. */
public enum KeyOrigin {
  /** Generated inside the KMS; never leaves it. */
  GENERATED,
  /** 256-bit material imported by an administrator; stored in the keystore like generated keys. */
  IMPORTED,
  /**
   * Supplied by the application at run time and never stored; the keystore keeps only a salted
   * fingerprint so that a wrong key is detected.
   */
  PROVIDED
}
