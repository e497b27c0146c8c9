package io.cloak.kms;

/**
 * A request argument is out of range or malformed (plaintext too large, bad alias, bad deletion
 * window, ...).
 */
public class KmsValidationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KmsValidationException(String message) {
    super(message);
  }

  public KmsValidationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "ValidationException";
  }
}
