package io.cloak.kms;

import java.util.List;

/**
 * Envelope-encryption key management: master keys that never leave the service, data keys generated
 * and wrapped under them, rotation, policies and audit. Implemented in-process by {@link
 * io.cloak.kms.local.LocalKms} on a keystore file; a remote implementation speaks the AWS KMS
 * protocol.
 *
 * <p>Every method names its calling {@link Principal}; the key's {@link KeyPolicy} decides whether
 * the call is allowed, and every call, allowed or denied, is audited. Wherever a key is named,
 * {@code keyIdOrAlias} accepts a key id, an {@code alias/...} name, or {@code provided:NAME} for a
 * customer-provided key; {@code null} means the managed default key {@value #DEFAULT_KEY_ALIAS},
 * created on first use.
 *
 * <p>Implementations are thread-safe. Every method may throw a {@link KmsException}: {@link
 * KeyNotFoundException}, {@link AccessDeniedException}, {@link KeyDisabledException}, {@link
 * KeyPendingDeletionException}, {@link InvalidCiphertextException}, {@link IncorrectKeyException},
 * {@link KmsValidationException}, {@link KeystoreException}.
 */
public interface KeyManagementService extends AutoCloseable {
  /** Alias of the managed default key used when a caller names no key. */
  String DEFAULT_KEY_ALIAS = "alias/cloak/default";

  /** Largest plaintext {@link #encrypt} accepts; larger data needs a data key. */
  int MAX_PLAINTEXT_BYTES = 4096;

  /** Length in bytes of the data keys {@link #generateDataKey} returns (AES-256). */
  int DATA_KEY_BYTES = 32;

  KeyMetadata createKey(Principal caller, CreateKeyRequest request);

  KeyMetadata describeKey(Principal caller, String keyIdOrAlias);

  /** Every key the keystore holds, including ones the caller may not use. */
  List<KeyMetadata> listKeys(Principal caller);

  void enableKey(Principal caller, String keyIdOrAlias);

  void disableKey(Principal caller, String keyIdOrAlias);

  /**
   * Makes the key refuse every use and destroys it after {@code pendingWindowDays} (7-30) unless
   * {@link #cancelKeyDeletion} is called first.
   */
  KeyMetadata scheduleKeyDeletion(Principal caller, String keyIdOrAlias, int pendingWindowDays);

  /** Cancels a scheduled deletion; the key returns to the state it had before. */
  KeyMetadata cancelKeyDeletion(Principal caller, String keyIdOrAlias);

  void createAlias(Principal caller, String alias, String keyIdOrAlias);

  /** Points an existing alias at another key; ciphertexts made through the alias still decrypt. */
  void updateAlias(Principal caller, String alias, String keyIdOrAlias);

  void deleteAlias(Principal caller, String alias);

  /** Every alias and the key it names, in alias-name order. */
  List<AliasEntry> listAliases(Principal caller);

  /**
   * Encrypts at most {@value #MAX_PLAINTEXT_BYTES} bytes under the key's newest version. The blob
   * names the key and version, so {@link #decrypt} needs no key id.
   */
  byte[] encrypt(
      Principal caller, String keyIdOrAlias, byte[] plaintext, EncryptionContext context);

  /** Decrypts a blob made by {@link #encrypt} or {@link #generateDataKey} with the same context. */
  Decrypted decrypt(Principal caller, byte[] ciphertextBlob, EncryptionContext context);

  /** A fresh 256-bit data key, in plaintext and wrapped under the key's newest version. */
  DataKey generateDataKey(Principal caller, String keyIdOrAlias, EncryptionContext context);

  /** A fresh 256-bit data key, wrapped only. */
  byte[] generateDataKeyWithoutPlaintext(
      Principal caller, String keyIdOrAlias, EncryptionContext context);

  /**
   * Decrypts a blob and encrypts its plaintext again under {@code destinationKeyIdOrAlias} (its
   * newest version), without handing the plaintext to the caller. Naming the blob's own key moves
   * the blob to that key's newest version.
   */
  byte[] reEncrypt(
      Principal caller,
      byte[] ciphertextBlob,
      EncryptionContext sourceContext,
      String destinationKeyIdOrAlias,
      EncryptionContext destinationContext);

  /** {@code numberOfBytes} (1-1024) random bytes from the KMS's generator. */
  byte[] generateRandom(Principal caller, int numberOfBytes);

  /** Turns on automatic rotation every {@code periodDays} (90-2560) days. */
  KeyMetadata enableKeyRotation(Principal caller, String keyIdOrAlias, int periodDays);

  KeyMetadata disableKeyRotation(Principal caller, String keyIdOrAlias);

  /** Adds a new backing version now; old versions keep decrypting. */
  KeyMetadata rotateKeyOnDemand(Principal caller, String keyIdOrAlias);

  List<RotationEntry> listKeyRotations(Principal caller, String keyIdOrAlias);

  KeyPolicy getKeyPolicy(Principal caller, String keyIdOrAlias);

  void putKeyPolicy(Principal caller, String keyIdOrAlias, KeyPolicy policy);

  /** Releases files and locks; the service must not be used afterwards. */
  @Override
  void close();
}
