package io.cloak.jdbc.internal;

import io.cloak.config.ConfigException;
import io.cloak.kms.KmsException;
import java.sql.SQLException;

/** Builds Cloak's SQLExceptions. Messages never contain plaintext, literals or key material. */
final class Errors {
  /** SQLState for statements Cloak refuses because encryption cannot support them. */
  static final String NOT_SUPPORTED = "0A000";

  /** SQLState for stored values Cloak cannot decrypt. */
  static final String DATA_EXCEPTION = "22000";

  /** SQLState for configuration and key-management failures. */
  static final String CONFIG = "58000";

  private Errors() {}

  static SQLException config(ConfigException e) {
    return new SQLException("Cloak configuration error: " + e.getMessage(), CONFIG, e);
  }

  static SQLException kms(String what, KmsException e) {
    return new SQLException("Cloak: " + what + ": " + e.getMessage(), CONFIG, e);
  }

  static SQLException notSupported(String message) {
    return new SQLException("Cloak: " + message, NOT_SUPPORTED);
  }

  static SQLException data(String message) {
    return new SQLException("Cloak: " + message, DATA_EXCEPTION);
  }
}
