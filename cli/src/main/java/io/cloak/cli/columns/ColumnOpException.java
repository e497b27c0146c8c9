package io.cloak.cli.columns;

/** A failure a column command detects itself; printed as one {@code cloak: ...} line, exit 1. */
final class ColumnOpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ColumnOpException(String message) {
    super(message);
  }

  ColumnOpException(String message, Throwable cause) {
    super(message, cause);
  }
}
