package io.cloak.cli.migrate;

/** A migration failure with a message fit for one {@code cloak: ...} line. */
public final class MigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MigrationException(String message) {
    super(message);
  }

  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
