package io.cloak.cli;

/** A failure the CLI detects itself (bad input file, unreadable stdin); exit code 1. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
