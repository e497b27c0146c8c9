package io.cloak.kms;

/** Lifecycle state of a master key. */
public enum KeyState {
  /** Usable for every operation its policy allows. */
  ENABLED,
  /** Refuses cryptographic operations until enabled again. */
  DISABLED,
  /** Refuses every use; its material is destroyed at the deletion date unless cancelled. */
  PENDING_DELETION
}
