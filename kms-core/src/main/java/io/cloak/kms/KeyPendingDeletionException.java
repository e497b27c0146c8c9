package io.cloak.kms;

/** The key is scheduled for deletion and refuses every use until the deletion is cancelled. */
public class KeyPendingDeletionException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyPendingDeletionException(String message) {
    super(message);
  }

  public KeyPendingDeletionException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "KMSInvalidStateException";
  }
}
