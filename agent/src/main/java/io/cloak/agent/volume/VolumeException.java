package io.cloak.agent.volume;

import java.io.IOException;

/**
 * Base of the errors the volume layer reports: an invalid or missing volume descriptor, a volume
 * key the KMS refuses to unwrap, or (through {@link VolumeIntegrityException}) an encrypted file
 * that fails authentication. Messages name the volume or file involved and never contain key
 * material or plaintext.
 */
public class VolumeException extends IOException {
  private static final long serialVersionUID = 1L;

  public VolumeException(String message) {
    super(message);
  }

  public VolumeException(String message, Throwable cause) {
    super(message, cause);
  }
}
