package io.cloak.kms;

/** An alias with that name already exists; use update-alias to repoint it. */
public class AliasExistsException extends KmsException {
  private static final long serialVersionUID = 1L;

  public AliasExistsException(String message) {
    super(message);
  }

  public AliasExistsException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String awsErrorType() {
    return "AlreadyExistsException";
  }
}
