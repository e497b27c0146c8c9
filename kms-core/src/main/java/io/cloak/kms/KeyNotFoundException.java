package io.cloak.kms;

/** No key or alias with the given name exists in this KMS. */
public class KeyNotFoundException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyNotFoundException(String message) {
    super(message);
  }

  public KeyNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "NotFoundException";
  }
}
