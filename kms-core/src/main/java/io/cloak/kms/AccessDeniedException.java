package io.cloak.kms;

/**
 * The key policy does not allow the calling principal to perform the operation. Denials are
 * audited.
 */
public class AccessDeniedException extends KmsException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedException(String message) {
    super(message);
  }

  public AccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "AccessDeniedException";
  }
}
