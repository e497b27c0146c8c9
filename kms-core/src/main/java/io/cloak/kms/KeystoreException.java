package io.cloak.kms;

/**
 * The keystore file cannot be opened or written: wrong passphrase or root key, truncated or corrupt
 * file, or an I/O error.
 */
public class KeystoreException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeystoreException(String message) {
    super(message);
  }

  public KeystoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "KMSInternalException";
  }
}
