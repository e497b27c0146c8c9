package io.cloak.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a connection to the real database, bypassing Cloak. */
@FunctionalInterface
public interface ConnectionFactory {
  Connection connect() throws SQLException;
}
