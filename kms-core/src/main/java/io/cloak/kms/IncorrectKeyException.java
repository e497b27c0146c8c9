package io.cloak.kms;

/**
 * A customer-provided key does not match the fingerprint recorded when that key name was first
 * used.
 */
public class IncorrectKeyException extends KmsException {
  private static final long serialVersionUID = 1L;

  public IncorrectKeyException(String message) {
    super(message);
  }

  public IncorrectKeyException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "IncorrectKeyException";
  }
}
