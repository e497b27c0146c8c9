package io.cloak.cli.columns;

import io.cloak.testing.TestDatabase;

/** The column commands on MariaDB (127.0.0.1:3306). */
class MariaDbColumnOperationsTest extends ColumnOperationsContract {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.MARIADB;
  }
}
