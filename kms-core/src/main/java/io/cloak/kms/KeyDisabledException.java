package io.cloak.kms;

/** The key is disabled; enable it to use it again. */
public class KeyDisabledException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KeyDisabledException(String message) {
    super(message);
  }

  public KeyDisabledException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "DisabledException";
  }
}
