package io.cloak.cli.volume;

/** A volume migration problem whose message is printed as is after {@code cloak: }. */
final class VolumeMigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  VolumeMigrationException(String message) {
    super(message);
  }

  VolumeMigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
