package io.cloak.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code kms} section of a Cloak configuration: which key management service Cloak uses and who
 * it acts as toward it. Paths are already resolved against the config file's folder. Immutable and
 * thread-safe.
 *
 * @param type {@value #LOCAL} or {@value #REMOTE}
 * @param keystore the local keystore file; {@code null} for a remote KMS
 * @param rootKeyFile the file of 32 random bytes protecting the keystore, or {@code null} to take
 *     the root key from the environment ({@code CLOAK_ROOT_KEY_FILE} or {@code
 *     CLOAK_KEYSTORE_PASSPHRASE})
 * @param principal who Cloak acts as toward the KMS, default {@value #DEFAULT_PRINCIPAL}
 * @param endpoint the remote KMS URL ({@code https://host:port}); {@code null} for a local KMS
 * @param trust how to trust the remote endpoint: a PEM file path or a {@code sha256:} pin, as
 *     written; {@code null} when not given
 * @param line the 1-based line of {@code kms.type} (or of the {@code kms} section when it names no
 *     type); 0 when the section is absent
 */
public record KmsSettings(
    String type,
    Path keystore,
    Path rootKeyFile,
    String principal,
    String endpoint,
    String trust,
    int line) {
  public static final String LOCAL = "local";
  public static final String REMOTE = "remote";
  public static final String DEFAULT_PRINCIPAL = "app:cloak";

  /**
   * @throws NullPointerException if {@code type} or {@code principal} is null
   * @throws IllegalArgumentException if {@code type} is neither local nor remote, or a local KMS
   *     has no keystore
   */
  public KmsSettings {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(principal, "principal");
    if (!LOCAL.equals(type) && !REMOTE.equals(type)) {
      throw new IllegalArgumentException("kms type must be local or remote, got " + type);
    }
    if (LOCAL.equals(type) && keystore == null) {
      throw new IllegalArgumentException("a local KMS needs a keystore path");
    }
  }

  /** Whether this names the in-process keystore-backed KMS. */
  public boolean isLocal() {
    return LOCAL.equals(type);
  }
}
