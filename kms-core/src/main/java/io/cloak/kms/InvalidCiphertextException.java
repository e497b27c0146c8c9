package io.cloak.kms;

/**
 * A ciphertext blob is malformed, was changed, comes from another keystore, or was decrypted with a
 * different encryption context.
 */
public class InvalidCiphertextException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidCiphertextException(String message) {
    super(message);
  }

  public InvalidCiphertextException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "InvalidCiphertextException";
  }
}
