package io.cloak.kms;

/**
 * Base of every error the KMS reports. Messages name the key, alias or file involved and say what
 * to do next; they never contain plaintext or key material.
 */
public class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KmsException(String message) {
    super(message);
  }

  public KmsException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The AWS KMS error type this exception corresponds to, for the remote protocol. */
  public String awsErrorType() {
    return "KMSInternalException";
  }
}
