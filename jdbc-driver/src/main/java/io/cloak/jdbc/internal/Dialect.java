package io.cloak.jdbc.internal;

import java.util.Locale;

/** The few places where databases spell things differently. */
enum Dialect {
  POSTGRESQL,
  OTHER;

  static Dialect of(String productName) {
    return productName != null && productName.toLowerCase(Locale.ROOT).contains("postgres")
        ? POSTGRESQL
        : OTHER;
  }

  String binaryLiteral(String hex) {
    return this == POSTGRESQL ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
  }
}
